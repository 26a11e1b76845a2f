#pragma once
// Names in the Kubernetes API: validation of object names (DNS-1123 labels and subdomains), label
// keys (qualified names) and label values, worded exactly as kube-apiserver words its errors so
// that the standalone server answers like a real one; and generateName suffixes.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::kube {

inline constexpr size_t kDns1123LabelMaxLength = 63;
inline constexpr size_t kDns1123SubdomainMaxLength = 253;
inline constexpr size_t kQualifiedNameMaxLength = 63;
inline constexpr size_t kLabelValueMaxLength = 63;

// Each check returns the list of problems, empty when the value is valid.
std::vector<std::string> IsDns1123Label(std::string_view value);
std::vector<std::string> IsDns1123Subdomain(std::string_view value);
// A label or annotation key: `[prefix/]name`, prefix a DNS subdomain, name at most 63 characters.
std::vector<std::string> IsQualifiedName(std::string_view value);
std::vector<std::string> IsValidLabelValue(std::string_view value);

// Quotes a string as Go's %q does ("a\"b"), the way kube messages quote values.
std::string GoQuote(std::string_view value);

// A field error cause "Invalid value: \"x\": detail" for `field` (reason FieldValueInvalid).
StatusCause InvalidValueCause(std::string field, std::string_view value, std::string_view detail);

// Validates metadata.name / metadata.generateName of an object whose kind uses DNS-1123 subdomain
// names (most kinds, custom resources included). Returns one cause per problem, empty when valid.
// `generateName` alone is accepted (the server derives the name from it).
std::vector<StatusCause> ValidateObjectName(const Json& object);

// Validates metadata.labels (keys qualified names, values label values), one cause per problem,
// with `field` as the causes' field ("metadata.labels").
std::vector<StatusCause> ValidateLabels(const Json& labels, std::string_view field);
// Validates metadata.annotations: keys are qualified names (case-insensitive) and keys plus
// values total at most kTotalAnnotationSizeLimit bytes.
std::vector<StatusCause> ValidateAnnotations(const Json& annotations, std::string_view field);
inline constexpr size_t kTotalAnnotationSizeLimit = 256 * 1024;

// Five characters from the alphabet kube-apiserver uses for generateName suffixes
// ("bcdfghjklmnpqrstvwxz2456789": no vowels, no confusable digits). `random` yields uniformly
// distributed integers; each character takes one draw.
std::string GenerateNameSuffix(const std::function<uint64_t()>& random);
// `base` (cut to 58 characters so the result stays a valid DNS label) + GenerateNameSuffix().
std::string GenerateName(std::string_view base, const std::function<uint64_t()>& random);

}  // namespace osbx::kube
