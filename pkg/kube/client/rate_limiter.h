#pragma once
// Client-side token bucket (client-go's flowcontrol.NewTokenBucketRateLimiter): `qps` tokens per
// second refill a bucket of `burst` tokens; each request takes one. A limiter with qps <= 0 is
// disabled and never waits. Time comes from an injected Clock, so tests run on simulated time.

#include <condition_variable>
#include <mutex>

#include "internal/utils/clock.h"

namespace osbx::kube {

class TokenBucketRateLimiter {
 public:
  // A bucket that starts full. burst < 1 is treated as 1.
  TokenBucketRateLimiter(double qps, int burst, const Clock& clock);

  bool enabled() const { return qps_ > 0; }

  // Takes a token if one is available now; never waits.
  [[nodiscard]] bool TryAccept();

  // Takes a token, possibly borrowed from the future, and returns how long the caller must wait
  // before using it (zero when one was available). Reservations are served in call order.
  [[nodiscard]] Clock::Duration Reserve();

  // Takes a token and blocks on the clock until it may be used.
  void Accept();

 private:
  // Adds the tokens earned since the last update, capped at burst. Requires mu_.
  void Refill(Clock::TimePoint now);
  // Takes a token and returns when it may be used.
  Clock::TimePoint ReserveAt();

  const double qps_;
  const double burst_;
  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;  // only ever waited on with a deadline
  double tokens_;               // guarded by mu_; negative while tokens are borrowed
  Clock::TimePoint last_;       // guarded by mu_
};

}  // namespace osbx::kube
