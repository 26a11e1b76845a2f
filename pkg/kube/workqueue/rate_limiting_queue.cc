#include "pkg/kube/workqueue/rate_limiting_queue.h"

#include <utility>

namespace osbx::kube {

RateLimitingQueue::RateLimitingQueue(Options options, std::unique_ptr<RateLimiter> limiter)
    : WorkQueue(options),
      limiter_(limiter != nullptr ? std::move(limiter) : DefaultControllerRateLimiter(clock())) {}

void RateLimitingQueue::AddRateLimited(std::string_view key) {
  if (ShuttingDown()) return;
  if (metrics() != nullptr) metrics()->OnRetry();
  AddAfter(key, limiter_->When(key));
}

void RateLimitingQueue::Forget(std::string_view key) { limiter_->Forget(key); }

int RateLimitingQueue::NumRequeues(std::string_view key) { return limiter_->NumRequeues(key); }

}  // namespace osbx::kube
