#include "internal/standalone/apiserver/api_error.h"

#include <algorithm>

#include <fmt/format.h>

#include "pkg/kube/meta/names.h"

namespace osbx::standalone {
namespace {

OrderedJson Details(std::string_view name, std::string_view group, std::string_view kind) {
  OrderedJson details = OrderedJson::object();
  if (!name.empty()) details["name"] = name;
  if (!group.empty()) details["group"] = group;
  if (!kind.empty()) details["kind"] = kind;
  return details;
}

OrderedJson CausesJson(const std::vector<StatusCause>& causes) {
  OrderedJson out = OrderedJson::array();
  for (const StatusCause& cause : causes) {
    OrderedJson c = OrderedJson::object();
    c["reason"] = cause.reason;
    c["message"] = cause.message;
    c["field"] = cause.field;
    out.push_back(std::move(c));
  }
  return out;
}

std::string CauseText(const StatusCause& cause) {
  return cause.field.empty() ? cause.message : cause.field + ": " + cause.message;
}

}  // namespace

std::string QualifiedResource(std::string_view group, std::string_view resource) {
  if (group.empty()) return std::string(resource);
  return fmt::format("{}.{}", resource, group);
}

std::string AggregateCauses(const std::vector<StatusCause>& causes) {
  if (causes.size() == 1) return CauseText(causes[0]);
  // Identical lines are reported once, as kube's aggregate does.
  std::vector<std::string> lines;
  for (const StatusCause& cause : causes) {
    std::string text = CauseText(cause);
    if (std::find(lines.begin(), lines.end(), text) == lines.end()) lines.push_back(text);
  }
  if (lines.size() == 1) return lines[0];
  std::string out = "[";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += ", ";
    out += lines[i];
  }
  return out + "]";
}

ApiError ApiError::Make(int code, std::string_view reason, std::string_view message,
                        OrderedJson details) {
  OrderedJson body = OrderedJson::object();
  body["kind"] = "Status";
  body["apiVersion"] = "v1";
  body["metadata"] = OrderedJson::object();
  body["status"] = "Failure";
  if (!message.empty()) body["message"] = message;
  if (!reason.empty()) body["reason"] = reason;
  if (!details.is_null()) body["details"] = std::move(details);
  body["code"] = code;
  return ApiError{code, std::move(body)};
}

ApiError ApiError::NotFound(std::string_view group, std::string_view resource,
                            std::string_view name) {
  return Make(404, "NotFound",
              fmt::format("{} \"{}\" not found", QualifiedResource(group, resource), name),
              Details(name, group, resource));
}

ApiError ApiError::AlreadyExists(std::string_view group, std::string_view resource,
                                 std::string_view name) {
  return Make(409, "AlreadyExists",
              fmt::format("{} \"{}\" already exists", QualifiedResource(group, resource), name),
              Details(name, group, resource));
}

ApiError ApiError::Conflict(std::string_view group, std::string_view resource,
                            std::string_view name) {
  return Make(409, "Conflict",
              fmt::format("Operation cannot be fulfilled on {} \"{}\": the object has been "
                          "modified; please apply your changes to the latest version and try again",
                          QualifiedResource(group, resource), name),
              Details(name, group, resource));
}

ApiError ApiError::UidPreconditionConflict(std::string_view group, std::string_view kind,
                                           std::string_view name, std::string_view want,
                                           std::string_view have) {
  return Make(409, "Conflict",
              fmt::format("Operation cannot be fulfilled on {} \"{}\": the UID in the "
                          "precondition ({}) does not match the UID in record ({}). The object "
                          "might have been deleted and then recreated",
                          QualifiedResource(group, kind), name, want, have),
              Details(name, group, kind));
}

ApiError ApiError::BadRequest(std::string_view message) { return Make(400, "BadRequest", message); }

ApiError ApiError::Invalid(std::string_view kind, std::string_view group, std::string_view name,
                           const std::vector<StatusCause>& causes) {
  OrderedJson details = Details(name, group, kind);
  details["causes"] = CausesJson(causes);
  return Make(422, "Invalid",
              fmt::format("{} \"{}\" is invalid: {}", QualifiedResource(group, kind), name,
                          AggregateCauses(causes)),
              std::move(details));
}

ApiError ApiError::InvalidResource(std::string_view group, std::string_view resource,
                                   std::string_view name, const std::vector<StatusCause>& causes) {
  OrderedJson details = Details(name, group, resource);
  details["causes"] = CausesJson(causes);
  return Make(422, "Invalid",
              fmt::format("{} \"{}\" is invalid: {}", QualifiedResource(group, resource), name,
                          AggregateCauses(causes)),
              std::move(details));
}

ApiError ApiError::MethodNotAllowed() {
  return Make(405, "MethodNotAllowed",
              "the server does not allow this method on the requested resource",
              OrderedJson::object());
}

ApiError ApiError::VerbNotSupported(std::string_view verb, std::string_view group,
                                    std::string_view resource) {
  return Make(405, "MethodNotAllowed",
              fmt::format("{} is not supported on resources of kind \"{}\"", verb,
                          QualifiedResource(group, resource)),
              Details("", group, resource));
}

ApiError ApiError::UnsupportedMediaType(std::string_view accepted) {
  return Make(415, "UnsupportedMediaType",
              fmt::format("the body of the request was in an unknown format - accepted media "
                          "types include: {}",
                          accepted));
}

ApiError ApiError::NotAcceptable() {
  return Make(406, "NotAcceptable",
              "only the following media types are accepted: application/json, "
              "application/yaml, application/vnd.kubernetes.protobuf");
}

ApiError ApiError::Gone(std::string_view message) { return Make(410, "Expired", message); }

ApiError ApiError::Unauthorized() { return Make(401, "Unauthorized", "Unauthorized"); }

ApiError ApiError::Internal(std::string_view message) { return Make(500, "", message); }

ApiError ApiError::TooLarge(std::string_view message) {
  return Make(413, "RequestEntityTooLarge", message);
}

ApiError ApiError::FromStatus(const Status& status, std::string_view group,
                              std::string_view resource, std::string_view name) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return NotFound(group, resource, name);
    case StatusCode::kAlreadyExists:
      return AlreadyExists(group, resource, name);
    case StatusCode::kConflict:
      return Conflict(group, resource, name);
    case StatusCode::kGone:
      return Gone(status.message());
    case StatusCode::kBadRequest:
      return BadRequest(status.message());
    case StatusCode::kInvalid: {
      if (status.causes().empty()) return Make(422, "Invalid", status.message());
      OrderedJson details = Details(name, group, resource);
      details["causes"] = CausesJson(status.causes());
      return Make(422, "Invalid", status.message(), std::move(details));
    }
    case StatusCode::kServerTimeout:
      return Make(504, "Timeout", status.message());
    case StatusCode::kUnavailable:
      return Make(503, "ServiceUnavailable", status.message());
    default:
      return Internal(status.message());
  }
}

}  // namespace osbx::standalone
