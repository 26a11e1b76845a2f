#pragma once
// Rate limiters decide how long a key must wait before it is retried (client-go's
// workqueue.TypedRateLimiter family):
//   - ExponentialBackoffRateLimiter: per key, base * 2^failures, capped;
//   - BucketRateLimiter: an overall qps/burst budget shared by all keys;
//   - MaxOfRateLimiter: the longest wait any of its parts asks for.
// DefaultControllerRateLimiter() is controller-runtime's default: max of per-key exponential
// (5 ms -> 1000 s) and a 10 qps / burst 100 bucket. All limiters are thread-safe.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "internal/utils/clock.h"
#include "pkg/kube/workqueue/mutex.h"

namespace osbx::kube {

class RateLimiter {
 public:
  using Duration = Clock::Duration;

  virtual ~RateLimiter() = default;
  // How long `key` should wait before its next attempt; counts the attempt.
  [[nodiscard]] virtual Duration When(std::string_view key) = 0;
  // Stops tracking `key` (it succeeded); its backoff starts over next time.
  virtual void Forget(std::string_view key) = 0;
  // How many times When was called for `key` since it was last forgotten.
  virtual int NumRequeues(std::string_view key) = 0;
};

// Per-key exponential backoff: the n-th When (from 0) for a key returns min(base * 2^n, max).
class ExponentialBackoffRateLimiter final : public RateLimiter {
 public:
  ExponentialBackoffRateLimiter(Duration base, Duration max);

  Duration When(std::string_view key) override OSBX_EXCLUDES(mu_);
  void Forget(std::string_view key) override OSBX_EXCLUDES(mu_);
  int NumRequeues(std::string_view key) override OSBX_EXCLUDES(mu_);

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  const Duration base_;
  const Duration max_;
  Mutex mu_;
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> failures_ OSBX_GUARDED_BY(mu_);
};

// An overall token bucket: `burst` tokens, refilled at `qps` per second on the clock. Each When
// takes a token, reserving a future one when the bucket is empty, and returns the wait until that
// token exists, so a burst of retries is spread out at `qps`. Keys are not tracked.
class BucketRateLimiter final : public RateLimiter {
 public:
  BucketRateLimiter(double qps, int burst, const Clock& clock);

  Duration When(std::string_view key) override OSBX_EXCLUDES(mu_);
  void Forget(std::string_view) override {}
  int NumRequeues(std::string_view) override { return 0; }

 private:
  const double qps_;
  const double burst_;
  const Clock& clock_;
  Mutex mu_;
  // Available tokens at last_; negative when future tokens are reserved.
  double tokens_ OSBX_GUARDED_BY(mu_);
  Clock::TimePoint last_ OSBX_GUARDED_BY(mu_);
};

// The longest wait of its parts; Forget forgets in every part; NumRequeues is the maximum.
class MaxOfRateLimiter final : public RateLimiter {
 public:
  explicit MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters);

  Duration When(std::string_view key) override;
  void Forget(std::string_view key) override;
  int NumRequeues(std::string_view key) override;

 private:
  const std::vector<std::unique_ptr<RateLimiter>> limiters_;
};

inline constexpr std::chrono::milliseconds kDefaultBackoffBase{5};
inline constexpr std::chrono::seconds kDefaultBackoffMax{1000};
inline constexpr double kDefaultBucketQps = 10;
inline constexpr int kDefaultBucketBurst = 100;

// controller-runtime's DefaultTypedControllerRateLimiter on the given clock.
std::unique_ptr<RateLimiter> DefaultControllerRateLimiter(const Clock& clock);

}  // namespace osbx::kube
