#pragma once
// Status and StatusOr<T>: the error vocabulary of the whole project.
//
// Expected failures (a 404, a 409, a bad object) travel as values, never as exceptions across
// module boundaries. The codes mirror the reasons of the Kubernetes API so that a Status decoded
// from an API server answer and one produced locally read the same way.

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace osbx {

enum class StatusCode {
  kOk = 0,
  kNotFound,              // 404 NotFound
  kAlreadyExists,         // 409 AlreadyExists
  kConflict,              // 409 Conflict (stale resourceVersion, failed precondition, SSA conflict)
  kInvalid,               // 422 Invalid (field causes attached)
  kBadRequest,            // 400 BadRequest
  kGone,                  // 410 Gone / Expired
  kTooManyRequests,       // 429 TooManyRequests
  kUnauthorized,          // 401 Unauthorized
  kForbidden,             // 403 Forbidden
  kMethodNotAllowed,      // 405 MethodNotAllowed
  kNotAcceptable,         // 406 NotAcceptable
  kUnsupportedMediaType,  // 415 UnsupportedMediaType
  kRequestEntityTooLarge,  // 413 RequestEntityTooLarge
  kServerTimeout,          // 504 / ServerTimeout / Timeout
  kUnavailable,            // 503 ServiceUnavailable, connection failures
  kInternal,               // 500 InternalError and programmer-visible surprises
  kCancelled,              // the caller stopped waiting (shutdown)
};

// The Kubernetes reason string for a code ("NotFound", "Conflict", ...).
std::string_view StatusCodeReason(StatusCode code);
// The HTTP status a Kubernetes API server answers with for a code.
int StatusCodeHttp(StatusCode code);
// The code for an HTTP status and (optional) Kubernetes reason, as an API client reads them.
StatusCode StatusCodeFromHttp(int http_status, std::string_view reason = {});

// One field-level cause of an Invalid status (Kubernetes `details.causes[]`).
struct StatusCause {
  std::string reason;   // e.g. "FieldValueInvalid", "FieldValueRequired", "FieldManagerConflict"
  std::string message;  // e.g. "Invalid value: -1: spec.replicas in body should be ..."
  std::string field;    // e.g. "spec.replicas"
  bool operator==(const StatusCause&) const = default;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<StatusCause>& causes() const { return causes_; }
  // Seconds the server asked the client to wait (Retry-After / details.retryAfterSeconds), or 0.
  int retry_after_seconds() const { return retry_after_seconds_; }

  Status& WithCause(StatusCause cause) {
    causes_.push_back(std::move(cause));
    return *this;
  }
  Status& WithRetryAfter(int seconds) {
    retry_after_seconds_ = seconds;
    return *this;
  }

  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsAlreadyExists() const { return code_ == StatusCode::kAlreadyExists; }
  bool IsConflict() const { return code_ == StatusCode::kConflict; }
  bool IsInvalid() const { return code_ == StatusCode::kInvalid; }
  bool IsGone() const { return code_ == StatusCode::kGone; }

  // "NotFound: pods \"x\" not found" style text for logs.
  std::string ToString() const;

  bool operator==(const Status&) const = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::vector<StatusCause> causes_;
  int retry_after_seconds_ = 0;
};

inline Status NotFoundError(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
inline Status AlreadyExistsError(std::string msg) {
  return {StatusCode::kAlreadyExists, std::move(msg)};
}
inline Status ConflictError(std::string msg) { return {StatusCode::kConflict, std::move(msg)}; }
inline Status InvalidError(std::string msg) { return {StatusCode::kInvalid, std::move(msg)}; }
inline Status BadRequestError(std::string msg) { return {StatusCode::kBadRequest, std::move(msg)}; }
inline Status GoneError(std::string msg) { return {StatusCode::kGone, std::move(msg)}; }
inline Status InternalError(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
inline Status UnavailableError(std::string msg) {
  return {StatusCode::kUnavailable, std::move(msg)};
}

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  StatusOr(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).ok() && "StatusOr built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace osbx

// Propagates a non-OK Status out of the enclosing function.
#define OSBX_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::osbx::Status osbx_status_ = (expr);        \
    if (!osbx_status_.ok()) return osbx_status_; \
  } while (0)

#define OSBX_CONCAT_INNER_(a, b) a##b
#define OSBX_CONCAT_(a, b) OSBX_CONCAT_INNER_(a, b)
// `OSBX_ASSIGN_OR_RETURN(auto x, Foo());` binds the value or returns the error.
#define OSBX_ASSIGN_OR_RETURN(lhs, expr)                                                        \
  auto OSBX_CONCAT_(osbx_or_, __LINE__) = (expr);                                               \
  if (!OSBX_CONCAT_(osbx_or_, __LINE__).ok()) return OSBX_CONCAT_(osbx_or_, __LINE__).status(); \
  lhs = std::move(OSBX_CONCAT_(osbx_or_, __LINE__)).value()
