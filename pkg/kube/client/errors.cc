#include "pkg/kube/client/errors.h"

#include <charconv>
#include <string>

namespace osbx::kube {
namespace {

constexpr size_t kMaxRawMessage = 256;

struct ReasonCode {
  std::string_view reason;
  StatusCode code;
};

constexpr ReasonCode kReasons[] = {
    {"NotFound", StatusCode::kNotFound},
    {"AlreadyExists", StatusCode::kAlreadyExists},
    {"Conflict", StatusCode::kConflict},
    {"Invalid", StatusCode::kInvalid},
    {"BadRequest", StatusCode::kBadRequest},
    {"Gone", StatusCode::kGone},
    {"Expired", StatusCode::kGone},
    {"TooManyRequests", StatusCode::kTooManyRequests},
    {"Unauthorized", StatusCode::kUnauthorized},
    {"Forbidden", StatusCode::kForbidden},
    {"MethodNotAllowed", StatusCode::kMethodNotAllowed},
    {"NotAcceptable", StatusCode::kNotAcceptable},
    {"UnsupportedMediaType", StatusCode::kUnsupportedMediaType},
    {"RequestEntityTooLarge", StatusCode::kRequestEntityTooLarge},
    {"Timeout", StatusCode::kServerTimeout},
    {"ServerTimeout", StatusCode::kServerTimeout},
    {"ServiceUnavailable", StatusCode::kUnavailable},
    {"InternalError", StatusCode::kInternal},
};

std::string StringAt(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

std::optional<int64_t> IntAt(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// A short, single-line rendering of a body that is not a Status.
std::string RawMessage(int http_code, std::string_view body) {
  std::string text(body.substr(0, kMaxRawMessage));
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  std::string msg = "the server responded with HTTP " + std::to_string(http_code);
  if (!text.empty()) msg += ": " + text;
  if (body.size() > kMaxRawMessage) msg += "...";
  return msg;
}

void AddDetails(const Json& object, Status& status) {
  auto details = object.find("details");
  if (details == object.end() || !details->is_object()) return;
  auto causes = details->find("causes");
  if (causes != details->end() && causes->is_array()) {
    for (const Json& c : *causes) {
      if (!c.is_object()) continue;
      status.WithCause({StringAt(c, "reason"), StringAt(c, "message"), StringAt(c, "field")});
    }
  }
  std::optional<int64_t> retry = IntAt(*details, "retryAfterSeconds");
  if (retry && *retry > 0 && *retry < 1'000'000) status.WithRetryAfter(static_cast<int>(*retry));
}

}  // namespace

StatusCode StatusCodeFromReason(std::string_view reason, int http_code) {
  for (const ReasonCode& rc : kReasons) {
    if (rc.reason == reason) return rc.code;
  }
  StatusCode code = StatusCodeFromHttp(http_code, reason);
  // StatusCodeFromHttp treats every 2xx as success; an error path never wants that.
  return code == StatusCode::kOk ? StatusCode::kInternal : code;
}

Status StatusFromObject(const Json& object, int fallback_http_code) {
  if (!object.is_object()) {
    return Status(StatusCodeFromReason("", fallback_http_code), "malformed Status object");
  }
  int http_code = static_cast<int>(IntAt(object, "code").value_or(fallback_http_code));
  std::string reason = StringAt(object, "reason");
  std::string message = StringAt(object, "message");
  if (message.empty()) message = reason.empty() ? "unknown error" : reason;
  Status status(StatusCodeFromReason(reason, http_code), std::move(message));
  AddDetails(object, status);
  return status;
}

Status StatusFromResponse(int http_code, std::string_view body, std::string_view retry_after) {
  Json parsed = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  Status status;
  if (parsed.is_object() && StringAt(parsed, "kind") == "Status") {
    status = StatusFromObject(parsed, http_code);
  } else {
    status = Status(StatusCodeFromReason("", http_code), RawMessage(http_code, body));
  }
  if (std::optional<int> seconds = ParseRetryAfter(retry_after)) status.WithRetryAfter(*seconds);
  return status;
}

std::optional<int> ParseRetryAfter(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || ptr != value.data() + value.size() || seconds < 0) return std::nullopt;
  return seconds;
}

}  // namespace osbx::kube
