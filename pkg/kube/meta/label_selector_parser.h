#pragma once
// The lexer and parser of the label selector string form (internal to label_selector.cc).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/status.h"
#include "pkg/kube/meta/label_selector.h"

namespace osbx::kube::label_internal {

// Parses "a=b,c in (x)" into validated requirements, in source order. Errors are kBadRequest with
// kube-apiserver's messages.
[[nodiscard]] StatusOr<std::vector<LabelRequirement>> ParseRequirements(std::string_view selector);

// The field error for an invalid label key ("<field>: Invalid value: ..."), if it is invalid.
std::optional<std::string> LabelKeyError(std::string_view key, std::string_view field);

}  // namespace osbx::kube::label_internal
