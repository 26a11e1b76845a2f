#pragma once
// Deferred re-checks of settled BatchSandboxes. When the controller starts, the informer's first
// list reports every cached BatchSandbox as added; reconciling them all before anything else
// would queue a new claim behind thousands of batches that were delivered before the restart and
// have nothing to do. A batch that looks settled (pooled, delivered, nothing left to release, not
// being deleted) is instead re-checked a little later, and those re-checks are spread out in
// time, so batches that are short of pods are served first. Settled batches are still
// reconciled once (a pod may have died while no controller was running); only the order
// changes. The ledger rebuild does not depend on any of this: it reads every cached record.

#include <chrono>
#include <mutex>

#include "internal/utils/clock.h"
#include "internal/utils/json.h"

namespace osbx::controller {

// True when `batch_sandbox` names a Pool, is not being deleted, its status reflects its current
// generation with every replica ready, and every pod it asked to release is released.
[[nodiscard]] bool LooksSettled(const Json& batch_sandbox);

// Hands out delays for deferred re-checks: the first at least `base` from now, each following
// one at least `spacing` after the previous one. Thread-safe.
class RecheckSpreader {
 public:
  RecheckSpreader(const Clock& clock, Clock::Duration base, Clock::Duration spacing)
      : clock_(clock), base_(base), spacing_(spacing) {}

  // The delay after which the next deferred re-check should run.
  [[nodiscard]] Clock::Duration Next();

 private:
  const Clock& clock_;
  const Clock::Duration base_;
  const Clock::Duration spacing_;
  std::mutex mu_;
  Clock::TimePoint last_slot_{};  // guarded by mu_; when the latest handed-out re-check runs
};

}  // namespace osbx::controller
