#include "internal/utils/status.h"

namespace osbx {

std::string_view StatusCodeReason(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case StatusCode::kConflict:
      return "Conflict";
    case StatusCode::kInvalid:
      return "Invalid";
    case StatusCode::kBadRequest:
      return "BadRequest";
    case StatusCode::kGone:
      return "Expired";
    case StatusCode::kTooManyRequests:
      return "TooManyRequests";
    case StatusCode::kUnauthorized:
      return "Unauthorized";
    case StatusCode::kForbidden:
      return "Forbidden";
    case StatusCode::kMethodNotAllowed:
      return "MethodNotAllowed";
    case StatusCode::kNotAcceptable:
      return "NotAcceptable";
    case StatusCode::kUnsupportedMediaType:
      return "UnsupportedMediaType";
    case StatusCode::kRequestEntityTooLarge:
      return "RequestEntityTooLarge";
    case StatusCode::kServerTimeout:
      return "Timeout";
    case StatusCode::kUnavailable:
      return "ServiceUnavailable";
    case StatusCode::kInternal:
      return "InternalError";
    case StatusCode::kCancelled:
      return "Cancelled";
  }
  return "Unknown";
}

int StatusCodeHttp(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kConflict:
      return 409;
    case StatusCode::kInvalid:
      return 422;
    case StatusCode::kBadRequest:
      return 400;
    case StatusCode::kGone:
      return 410;
    case StatusCode::kTooManyRequests:
      return 429;
    case StatusCode::kUnauthorized:
      return 401;
    case StatusCode::kForbidden:
      return 403;
    case StatusCode::kMethodNotAllowed:
      return 405;
    case StatusCode::kNotAcceptable:
      return 406;
    case StatusCode::kUnsupportedMediaType:
      return 415;
    case StatusCode::kRequestEntityTooLarge:
      return 413;
    case StatusCode::kServerTimeout:
      return 504;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
    case StatusCode::kCancelled:
      return 499;
  }
  return 500;
}

StatusCode StatusCodeFromHttp(int http_status, std::string_view reason) {
  if (http_status >= 200 && http_status < 300) return StatusCode::kOk;
  switch (http_status) {
    case 400:
      return StatusCode::kBadRequest;
    case 401:
      return StatusCode::kUnauthorized;
    case 403:
      return StatusCode::kForbidden;
    case 404:
      return StatusCode::kNotFound;
    case 405:
      return StatusCode::kMethodNotAllowed;
    case 406:
      return StatusCode::kNotAcceptable;
    case 409:
      return reason == "AlreadyExists" ? StatusCode::kAlreadyExists : StatusCode::kConflict;
    case 410:
      return StatusCode::kGone;
    case 413:
      return StatusCode::kRequestEntityTooLarge;
    case 415:
      return StatusCode::kUnsupportedMediaType;
    case 422:
      return StatusCode::kInvalid;
    case 429:
      return StatusCode::kTooManyRequests;
    case 503:
      return StatusCode::kUnavailable;
    case 504:
      return StatusCode::kServerTimeout;
    default:
      break;
  }
  if (reason == "Timeout" || reason == "ServerTimeout") return StatusCode::kServerTimeout;
  return StatusCode::kInternal;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeReason(code_));
  out += ": ";
  out += message_;
  return out;
}

}  // namespace osbx
