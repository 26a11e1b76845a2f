#pragma once
// ApiError: a failed API request as kube-apiserver answers it, an HTTP code and a meta/v1 Status
// body, with builders whose messages and `details` match the real server word for word
// (details.kind is the plural resource for NotFound/AlreadyExists/Conflict/Forbidden/
// MethodNotAllowed, the Kind for Invalid). ApiOr<T> carries a value or such an error.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::standalone {

struct ApiError {
  int code = 500;
  OrderedJson body;  // a Status object, in the server's field order

  // The Status for `code`, `reason` and `message`; `details` omitted when null.
  static ApiError Make(int code, std::string_view reason, std::string_view message,
                       OrderedJson details = nullptr);

  static ApiError NotFound(std::string_view group, std::string_view resource,
                           std::string_view name);
  static ApiError AlreadyExists(std::string_view group, std::string_view resource,
                                std::string_view name);
  // Stale resourceVersion on update or optimistic-lock patch.
  static ApiError Conflict(std::string_view group, std::string_view resource,
                           std::string_view name);
  static ApiError UidPreconditionConflict(std::string_view group, std::string_view kind,
                                          std::string_view name, std::string_view want,
                                          std::string_view have);
  static ApiError BadRequest(std::string_view message);
  // 422 with causes; `kind` is the object's Kind, `name` may be empty.
  static ApiError Invalid(std::string_view kind, std::string_view group, std::string_view name,
                          const std::vector<StatusCause>& causes);
  // 422 whose details.kind is the plural resource (metadata.resourceVersion required on PUT).
  static ApiError InvalidResource(std::string_view group, std::string_view resource,
                                  std::string_view name, const std::vector<StatusCause>& causes);
  static ApiError MethodNotAllowed();
  static ApiError VerbNotSupported(std::string_view verb, std::string_view group,
                                   std::string_view resource);
  static ApiError UnsupportedMediaType(std::string_view accepted);
  static ApiError NotAcceptable();
  static ApiError Gone(std::string_view message);
  static ApiError Unauthorized();
  static ApiError Internal(std::string_view message);
  static ApiError TooLarge(std::string_view message);

  // Maps a Status from a library (store, schema, selectors) to the API answer for it.
  static ApiError FromStatus(const Status& status, std::string_view group = {},
                             std::string_view resource = {}, std::string_view name = {});
};

// "pods" or "batchsandboxes.sandbox.opensandbox.io".
std::string QualifiedResource(std::string_view group, std::string_view resource);

// Joins causes the way kube's field.ErrorList aggregates them: "f: m" or "[f1: m1, f2: m2]".
std::string AggregateCauses(const std::vector<StatusCause>& causes);

// A value or an ApiError.
template <typename T>
class [[nodiscard]] ApiOr {
 public:
  ApiOr(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  ApiOr(ApiError error) : state_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<T>(state_); }
  T& value() { return std::get<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  const ApiError& error() const { return std::get<ApiError>(state_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, ApiError> state_;
};

}  // namespace osbx::standalone

#define OSBX_API_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.error();                   \
  lhs = std::move(tmp.value())
#define OSBX_API_CONCAT2(a, b) a##b
#define OSBX_API_CONCAT(a, b) OSBX_API_CONCAT2(a, b)
// Assigns the value of an ApiOr expression or returns its error.
#define OSBX_API_ASSIGN_OR_RETURN(lhs, expr) \
  OSBX_API_ASSIGN_OR_RETURN_IMPL(OSBX_API_CONCAT(osbx_api_or_, __LINE__), lhs, expr)
