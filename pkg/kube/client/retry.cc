#include "pkg/kube/client/retry.h"

#include <algorithm>

namespace osbx::kube {

bool IsIdempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

std::optional<Clock::Duration> RetryDelay(const RetryPolicy& policy, std::string_view method,
                                          int http_code, const Status& status, int retries_done) {
  if (status.ok() || retries_done >= policy.max_retries) return std::nullopt;
  bool has_retry_after = status.retry_after_seconds() > 0;
  bool retry = false;
  if (http_code == 429) {
    retry = true;
  } else if (IsIdempotent(method)) {
    retry = http_code == 503 || http_code == 504 || (http_code == 500 && has_retry_after) ||
            (http_code == 0 && status.code() == StatusCode::kUnavailable);
  }
  if (!retry) return std::nullopt;
  if (has_retry_after) {
    return std::min<Clock::Duration>(std::chrono::seconds(status.retry_after_seconds()),
                                     policy.max_wait);
  }
  Clock::Duration wait = policy.base_wait;
  for (int i = 0; i < retries_done && wait < policy.max_wait; ++i) wait *= 2;
  return std::min(wait, policy.max_wait);
}

}  // namespace osbx::kube
