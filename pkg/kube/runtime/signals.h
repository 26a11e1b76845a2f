#pragma once
// ShutdownSignals: turns SIGTERM and SIGINT into a graceful stop, controller-runtime's
// SetupSignalHandler: the first signal runs the callback (on an ordinary thread, so it may lock
// and log), a second one exits at once with status 1.
//
// Create it in main() before any other thread starts: it blocks the two signals in the calling
// thread, every thread created afterwards inherits the mask, and one dedicated thread receives
// them with sigwait().

#include <atomic>
#include <functional>
#include <thread>

namespace osbx::kube {

class ShutdownSignals {
 public:
  explicit ShutdownSignals(std::function<void(int signal)> on_first_signal);
  // Stops the receiving thread; the signals stay blocked.
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

 private:
  void Loop();

  std::function<void(int)> on_first_signal_;
  std::atomic<bool> closing_{false};
  int received_ = 0;  // receiving thread only
  std::thread thread_;
};

}  // namespace osbx::kube
