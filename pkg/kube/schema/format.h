#pragma once
// String formats of the OpenAPI validator that kube-apiserver enforces. Formats it does not
// know are accepted, as kube does.

#include <string>
#include <string_view>

namespace osbx::kube::schema {

// Whether `value` is valid for `format` ("date-time", "date", "uuid", "byte", "ipv4", ...).
bool IsValidFormat(std::string_view format, const std::string& value);

}  // namespace osbx::kube::schema
