#include "internal/scheduler/lifecycle.h"

#include "api/v1alpha1/types_generated.h"

namespace osbx::scheduler {

namespace v1 = ::osbx::api::v1alpha1;

RecycleDecision DecideRecycle(std::string_view strategy, const std::optional<PodView>& pod) {
  RecycleDecision d;
  const bool noop = strategy == v1::kRecycleStrategyTypeNoop;
  d.restart_unsupported = strategy == v1::kRecycleStrategyTypeRestart;
  if (!pod || pod->terminating) {
    d.done = true;
    return d;
  }
  if (noop && !pod->Failing()) {
    d.done = true;
    d.reusable = true;
    return d;
  }
  d.delete_pod = true;
  return d;
}

ExpiryDecision DecideExpiry(const std::optional<std::string>& expire_time, kube::Time now) {
  ExpiryDecision d;
  if (!expire_time || expire_time->empty()) return d;
  StatusOr<kube::Time> at = kube::ParseTime(*expire_time);
  if (!at.ok()) {
    d.error = at.status().message();
    return d;
  }
  if (*at <= now) {
    d.expired = true;
  } else {
    d.recheck = *at;
  }
  return d;
}

void RequeueHint::At(kube::Time when) {
  if (!earliest_ || when < *earliest_) earliest_ = when;
}

void RequeueHint::At(const std::optional<kube::Time>& when) {
  if (when) At(*when);
}

std::optional<std::chrono::nanoseconds> RequeueHint::After(kube::Time now) const {
  if (!earliest_) return std::nullopt;
  if (*earliest_ <= now) return std::chrono::nanoseconds(0);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(*earliest_ - now);
}

}  // namespace osbx::scheduler
