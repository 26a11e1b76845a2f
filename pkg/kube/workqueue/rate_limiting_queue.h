#pragma once
// RateLimitingQueue: a WorkQueue whose keys can be re-added after a wait chosen by a RateLimiter,
// the queue a controller's workers use: a failed reconcile calls AddRateLimited(key), a
// successful one calls Forget(key) so that the key's backoff starts over.

#include <memory>
#include <string_view>

#include "pkg/kube/workqueue/queue.h"
#include "pkg/kube/workqueue/rate_limiter.h"

namespace osbx::kube {

class RateLimitingQueue : public WorkQueue {
 public:
  // Uses DefaultControllerRateLimiter on options.clock when `limiter` is null.
  explicit RateLimitingQueue(Options options, std::unique_ptr<RateLimiter> limiter = nullptr);

  // Adds `key` after the wait the rate limiter chooses for it (a retry).
  void AddRateLimited(std::string_view key);
  // Clears the key's retry history in the rate limiter (not the key itself from the queue).
  void Forget(std::string_view key);
  // Retries of `key` since it was last forgotten.
  int NumRequeues(std::string_view key);

 private:
  const std::unique_ptr<RateLimiter> limiter_;
};

}  // namespace osbx::kube
