#pragma once
// Small file helpers for configuration loading: whole-file reads that report the path and the
// reason in a Status instead of throwing.

#include <filesystem>
#include <string>

#include "internal/utils/status.h"

namespace osbx::kube {

// Reads the whole file; the error names the file and the OS reason.
StatusOr<std::string> ReadFileToString(const std::filesystem::path& path);

}  // namespace osbx::kube
