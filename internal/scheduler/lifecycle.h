#pragma once
// Small lifecycle decisions: what recycling a released pod means under the Pool's
// recycleStrategy, when a BatchSandbox expires, and the earliest time a reconciler must look
// again (so no reconciler polls on a fixed interval).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "internal/scheduler/pod_view.h"

namespace osbx::scheduler {

// ---- recycle ----

struct RecycleDecision {
  bool delete_pod = false;  // issue a delete for the pod now
  bool done = false;        // recycling finished: record the pod in alloc-released
  bool reusable = false;    // the pod goes back to the idle set (Noop)
  // Restart was asked for but is not available: handled as Delete; the controller says so in an
  // event rather than pretending to have restarted anything.
  bool restart_unsupported = false;
};

// `strategy` is the Pool's recycleStrategy.type ("" = Delete); `pod` is nullopt when the pod is
// gone. Delete (and Restart) finish once the pod is gone or terminating; Noop returns a healthy
// pod as is and deletes a broken one.
RecycleDecision DecideRecycle(std::string_view strategy, const std::optional<PodView>& pod);

// ---- expiry ----

struct ExpiryDecision {
  bool expired = false;               // delete the BatchSandbox now
  std::optional<kube::Time> recheck;  // when it will expire
  std::string error;                  // expireTime unparsable ("" when fine)
};

ExpiryDecision DecideExpiry(const std::optional<std::string>& expire_time, kube::Time now);

// ---- requeue ----

// The earliest of several "look again at" times.
class RequeueHint {
 public:
  void At(kube::Time when);
  void At(const std::optional<kube::Time>& when);
  std::optional<kube::Time> earliest() const { return earliest_; }
  // Delay from `now` (zero when already due), or nullopt when nothing needs a recheck.
  std::optional<std::chrono::nanoseconds> After(kube::Time now) const;

 private:
  std::optional<kube::Time> earliest_;
};

}  // namespace osbx::scheduler
