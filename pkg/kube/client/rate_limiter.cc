#include "pkg/kube/client/rate_limiter.h"

#include <algorithm>
#include <chrono>

namespace osbx::kube {

TokenBucketRateLimiter::TokenBucketRateLimiter(double qps, int burst, const Clock& clock)
    : qps_(qps),
      burst_(static_cast<double>(std::max(burst, 1))),
      clock_(clock),
      tokens_(burst_),
      last_(clock.Now()) {}

void TokenBucketRateLimiter::Refill(Clock::TimePoint now) {
  if (now <= last_) return;
  double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
  last_ = now;
}

bool TokenBucketRateLimiter::TryAccept() {
  if (!enabled()) return true;
  std::lock_guard<std::mutex> lock(mu_);
  Refill(clock_.Now());
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

Clock::TimePoint TokenBucketRateLimiter::ReserveAt() {
  std::lock_guard<std::mutex> lock(mu_);
  Clock::TimePoint now = clock_.Now();
  Refill(now);
  tokens_ -= 1.0;
  if (tokens_ >= 0.0) return now;
  // Rounded to the microsecond so that floating-point noise never pushes a deadline past the
  // instant an exact refill would reach it.
  auto wait = std::chrono::duration<double>(-tokens_ / qps_);
  return now + std::chrono::round<std::chrono::microseconds>(wait);
}

Clock::Duration TokenBucketRateLimiter::Reserve() {
  if (!enabled()) return Clock::Duration::zero();
  Clock::TimePoint at = ReserveAt();
  return std::max(Clock::Duration::zero(), at - clock_.Now());
}

void TokenBucketRateLimiter::Accept() {
  if (!enabled()) return;
  // The deadline is fixed at reservation time, so simulated time that passes meanwhile counts.
  Clock::TimePoint deadline = ReserveAt();
  std::unique_lock<std::mutex> lock(mu_);
  while (clock_.Now() < deadline) clock_.WaitUntil(cv_, lock, deadline);
}

}  // namespace osbx::kube
