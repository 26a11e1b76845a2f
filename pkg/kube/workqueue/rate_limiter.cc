#include "pkg/kube/workqueue/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace osbx::kube {

ExponentialBackoffRateLimiter::ExponentialBackoffRateLimiter(Duration base, Duration max)
    : base_(base), max_(max) {}

RateLimiter::Duration ExponentialBackoffRateLimiter::When(std::string_view key) {
  int exponent;
  {
    MutexLock lock(mu_);
    auto it = failures_.find(key);
    if (it == failures_.end()) it = failures_.emplace(std::string(key), 0).first;
    exponent = it->second++;
  }
  // Computed in floating point so that large exponents saturate at max_ instead of overflowing.
  const double wait = static_cast<double>(base_.count()) * std::exp2(exponent);
  if (wait >= static_cast<double>(max_.count())) return max_;
  return Duration(static_cast<Duration::rep>(wait));
}

void ExponentialBackoffRateLimiter::Forget(std::string_view key) {
  MutexLock lock(mu_);
  auto it = failures_.find(key);
  if (it != failures_.end()) failures_.erase(it);
}

int ExponentialBackoffRateLimiter::NumRequeues(std::string_view key) {
  MutexLock lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

BucketRateLimiter::BucketRateLimiter(double qps, int burst, const Clock& clock)
    : qps_(qps), burst_(burst), clock_(clock), tokens_(burst), last_(clock.Now()) {}

RateLimiter::Duration BucketRateLimiter::When(std::string_view) {
  MutexLock lock(mu_);
  const Clock::TimePoint now = clock_.Now();
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return Duration::zero();
  // Wait until the reserved (negative) token has been refilled.
  const std::chrono::duration<double> wait(-tokens_ / qps_);
  return std::chrono::ceil<Duration>(wait);
}

MaxOfRateLimiter::MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters)
    : limiters_(std::move(limiters)) {}

RateLimiter::Duration MaxOfRateLimiter::When(std::string_view key) {
  Duration longest = Duration::zero();
  // Every part must count the attempt, so none is skipped.
  for (const auto& limiter : limiters_) longest = std::max(longest, limiter->When(key));
  return longest;
}

void MaxOfRateLimiter::Forget(std::string_view key) {
  for (const auto& limiter : limiters_) limiter->Forget(key);
}

int MaxOfRateLimiter::NumRequeues(std::string_view key) {
  int most = 0;
  for (const auto& limiter : limiters_) most = std::max(most, limiter->NumRequeues(key));
  return most;
}

std::unique_ptr<RateLimiter> DefaultControllerRateLimiter(const Clock& clock) {
  std::vector<std::unique_ptr<RateLimiter>> parts;
  parts.push_back(
      std::make_unique<ExponentialBackoffRateLimiter>(kDefaultBackoffBase, kDefaultBackoffMax));
  parts.push_back(
      std::make_unique<BucketRateLimiter>(kDefaultBucketQps, kDefaultBucketBurst, clock));
  return std::make_unique<MaxOfRateLimiter>(std::move(parts));
}

}  // namespace osbx::kube
