#pragma once
// GarbageCollector: what kube-controller-manager's garbage collector and namespace controller
// do, in process: dependents whose owners are all gone are deleted (background); owners deleted
// with propagationPolicy=Foreground keep their `foregroundDeletion` finalizer until their
// dependents are gone; with Orphan, the dependents lose their ownerReference and the owner its
// `orphan` finalizer; a terminating namespace is emptied and then removed.

#include <condition_variable>
#include <mutex>
#include <thread>

namespace osbx::standalone {

class ApiServer;

class GarbageCollector {
 public:
  explicit GarbageCollector(ApiServer& server);
  ~GarbageCollector();
  GarbageCollector(const GarbageCollector&) = delete;
  GarbageCollector& operator=(const GarbageCollector&) = delete;

  // Asks for a collection pass soon.
  void Nudge();
  void Stop();

  // One full pass (also used by tests). Returns whether it changed anything.
  bool RunOnce();

 private:
  void Loop();

  ApiServer& server_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = true;  // guarded by mu_
  bool stop_ = false;    // guarded by mu_
  std::thread thread_;
};

}  // namespace osbx::standalone
