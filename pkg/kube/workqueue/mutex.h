#pragma once
// An annotated mutex for the API machinery, so that clang's -Wthread-safety can check which
// mutex guards which member. libstdc++'s std::mutex carries no capability attributes; this thin
// wrapper does, and still hands out the std::mutex / std::unique_lock that condition variables
// and Clock::WaitUntil need.

#include <mutex>

#if defined(__clang__)
#define OSBX_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define OSBX_THREAD_ANNOTATION_(x)
#endif

#define OSBX_CAPABILITY(x) OSBX_THREAD_ANNOTATION_(capability(x))
#define OSBX_SCOPED_CAPABILITY OSBX_THREAD_ANNOTATION_(scoped_lockable)
#define OSBX_GUARDED_BY(x) OSBX_THREAD_ANNOTATION_(guarded_by(x))
#define OSBX_PT_GUARDED_BY(x) OSBX_THREAD_ANNOTATION_(pt_guarded_by(x))
#define OSBX_REQUIRES(...) OSBX_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define OSBX_EXCLUDES(...) OSBX_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
#define OSBX_ACQUIRE(...) OSBX_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define OSBX_RELEASE(...) OSBX_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))

namespace osbx::kube {

// A std::mutex that the thread-safety analysis knows about.
class OSBX_CAPABILITY("mutex") Mutex {
 public:
  void Lock() OSBX_ACQUIRE() { mu_.lock(); }
  void Unlock() OSBX_RELEASE() { mu_.unlock(); }
  // The underlying mutex, for condition variables only.
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

// Holds `mu` for its scope. lock() is the std::unique_lock to pass to a condition variable or to
// Clock::WaitUntil; waiting releases and re-acquires the mutex, which the analysis treats as held
// throughout (callers re-check guarded state after every wait anyway).
class OSBX_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) OSBX_ACQUIRE(mu) : lock_(mu.native()) {}
  ~MutexLock() OSBX_RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  std::unique_lock<std::mutex>& lock() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace osbx::kube
