#pragma once
// Standard base64 (RFC 4648 §4) decoding for the `*-data` fields of a kubeconfig. Whitespace
// and line breaks are ignored, as PEM-in-YAML producers often wrap long lines.

#include <optional>
#include <string>
#include <string_view>

namespace osbx::kube {

// Decodes `text`; padding is optional. Returns nullopt on a character outside the alphabet or a
// truncated final group.
std::optional<std::string> Base64Decode(std::string_view text);

// Encodes `data` with padding.
std::string Base64Encode(std::string_view data);

}  // namespace osbx::kube
