#pragma once
// Renders values the way kube-apiserver's Go code prints them in field errors, so messages match
// byte for byte: %q for strings, %v for numbers (1.5, 1e+21), "null" for nil.

#include <string>
#include <string_view>

#include "internal/utils/json.h"
#include "pkg/kube/meta/names.h"

namespace osbx::kube::schema {

// Go's strconv.Quote (shared with the metadata validators).
using ::osbx::kube::GoQuote;
// Go's %v of a float64.
std::string GoFloat(double d);
// The "Invalid value: X" rendering of a JSON value: strings quoted, numbers and bools plain,
// null as "null", objects and arrays as compact JSON.
std::string GoValue(const Json& v);
// The JSON type name the OpenAPI validator reports ("integer", "number", "string", ...).
std::string JsonTypeName(const Json& v);
// Unicode code points in a UTF-8 string (OpenAPI lengths count runes, not bytes).
int64_t RuneCount(std::string_view s);

}  // namespace osbx::kube::schema
