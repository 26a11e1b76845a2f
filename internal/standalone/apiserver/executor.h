#pragma once
// Executor: a fixed pool of threads running posted tasks in FIFO order. The API server uses one
// to finish writes whose durable commit was acknowledged on the store's committer thread (so
// that thread only posts and never encodes responses), and one for handlers that still block on
// the store, so the HTTP I/O threads never wait for an fsync.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace osbx::standalone {

class Executor {
 public:
  explicit Executor(int threads);
  // Runs every task already posted, then joins the threads.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `task`; returns at once. After Stop, the task runs on the caller's thread (so a
  // write acknowledged during shutdown is still answered).
  void Post(std::function<void()> task);
  // Drains the queue and joins the threads. Idempotent.
  void Stop();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stop_ = false;                        // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace osbx::standalone
