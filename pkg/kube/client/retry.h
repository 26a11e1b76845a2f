#pragma once
// When a failed API call is worth another attempt and how long to wait first (client-go's
// rest/with_retry.go): any 429, and for idempotent verbs a 503, a 504, a 500 that carries
// Retry-After, or a connection that failed before any answer. The server's Retry-After (header
// or details.retryAfterSeconds) sets the wait; without one the wait doubles from a base.

#include <chrono>
#include <optional>
#include <string_view>

#include "internal/utils/clock.h"
#include "internal/utils/status.h"

namespace osbx::kube {

struct RetryPolicy {
  int max_retries = 10;                                 // client-go's default
  Clock::Duration base_wait = std::chrono::seconds(1);  // without Retry-After; doubles per retry
  Clock::Duration max_wait = std::chrono::seconds(30);  // cap, also on the server's Retry-After
};

// GET, HEAD, PUT, DELETE and OPTIONS: repeating them cannot apply a change twice.
bool IsIdempotent(std::string_view method);

// The wait before the next attempt, or nullopt when `status` is final. `http_code` is 0 when no
// answer arrived; `retries_done` counts the retries already made for this call.
std::optional<Clock::Duration> RetryDelay(const RetryPolicy& policy, std::string_view method,
                                          int http_code, const Status& status, int retries_done);

}  // namespace osbx::kube
