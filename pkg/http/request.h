#pragma once
// An HTTP request as handlers see it: method, raw target, the decoded path and query, headers,
// the whole body and the peer's address. Built by the server once the body is fully read.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pkg/http/headers.h"

namespace osbx::http {

// Query parameters in the order they appear; repeated keys are kept (`?a=1&a=2`).
class QueryParams {
 public:
  using Param = std::pair<std::string, std::string>;

  QueryParams() = default;
  explicit QueryParams(std::vector<Param> params) : params_(std::move(params)) {}

  // The first value of `key`, or nullopt when the key is absent (`?key` alone has value "").
  std::optional<std::string_view> Get(std::string_view key) const;
  // The first value of `key`, or `fallback` when absent.
  std::string_view GetOr(std::string_view key, std::string_view fallback) const;
  // Every value of `key`, in order.
  std::vector<std::string_view> GetAll(std::string_view key) const;
  bool Has(std::string_view key) const { return Get(key).has_value(); }

  const std::vector<Param>& params() const { return params_; }
  bool empty() const { return params_.empty(); }

 private:
  std::vector<Param> params_;
};

struct Request {
  std::string method;     // "GET", "POST", ... as sent
  std::string target;     // request-target as sent: path plus raw query
  std::string path;       // percent-decoded path ("/api/v1/namespaces/default/pods")
  std::string raw_query;  // the part after '?', undecoded
  QueryParams query;      // decoded parameters ('+' reads as a space, as in HTML forms and Go)
  Headers headers;
  std::string body;
  std::string remote_address;  // "ip:port" of the peer
  int version = 11;            // 10 for HTTP/1.0, 11 for HTTP/1.1
};

// Decodes %XX escapes; with `plus_as_space`, '+' becomes ' '. Returns nullopt on a malformed
// escape ("%zz", a trailing "%4").
std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space);

// Parses `a=1&b=x%20y&a=2`. Returns nullopt when an escape is malformed.
std::optional<QueryParams> ParseQuery(std::string_view raw_query);

// Splits a request-target into path (decoded), raw query and parameters and stores them into
// `request`. Returns false when the target is not origin-form ("/..." or "*") or is malformed.
[[nodiscard]] bool ParseTarget(std::string_view target, Request& request);

}  // namespace osbx::http
