#pragma once
// Build identity of every binary in the project.

#include <string_view>

namespace osbx {

inline constexpr std::string_view kVersion = "0.1.0";
inline constexpr std::string_view kControllerName = "opensandbox-controller";

}  // namespace osbx
