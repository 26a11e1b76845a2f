#pragma once
// Runnable: anything the manager starts and stops with the process (controllers, servers,
// periodic jobs), in the groups controller-runtime uses to order start-up and shutdown.

#include <string>

#include "internal/utils/clock.h"
#include "internal/utils/status.h"

namespace osbx::kube {

class Runnable {
 public:
  virtual ~Runnable() = default;
  // Starts the work and returns; may block while it waits for what it needs (a controller
  // waits for its caches). An error aborts the manager's start-up.
  [[nodiscard]] virtual Status Start() = 0;
  // Asks the work to stop and waits until `deadline` on the manager's clock; false when it was
  // still running at the deadline.
  virtual bool Stop(Clock::TimePoint deadline) = 0;
  // Leader-only runnables (the default, as for controllers) start once this process leads.
  virtual bool NeedLeaderElection() const { return true; }
  // For logs.
  virtual std::string name() const = 0;
};

}  // namespace osbx::kube
