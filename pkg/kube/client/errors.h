#pragma once
// Decoding of the API server's error answers into osbx::Status: a `Status` object body (reason,
// message, details.causes, details.retryAfterSeconds) together with the HTTP code and the
// Retry-After header. Bodies that are not a Status (a proxy's HTML page, "404 page not found")
// still yield a Status with the HTTP code's meaning and the start of the body as message.

#include <optional>
#include <string_view>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::kube {

// The error of a non-2xx answer. `retry_after` is the raw Retry-After header value ("" if none);
// it wins over details.retryAfterSeconds when both are present.
Status StatusFromResponse(int http_code, std::string_view body, std::string_view retry_after = {});

// The error carried by a decoded Status object (as in a watch ERROR event). `fallback_http_code`
// is used when the object has no `code`.
Status StatusFromObject(const Json& object, int fallback_http_code = 500);

// The code for a Kubernetes reason and HTTP code; the reason wins when it is known.
StatusCode StatusCodeFromReason(std::string_view reason, int http_code);

// Seconds in a Retry-After header (delta-seconds form only, as the API server sends it); nullopt
// when absent or unparseable.
std::optional<int> ParseRetryAfter(std::string_view value);

}  // namespace osbx::kube
