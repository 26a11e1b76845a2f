#pragma once
// kubeconfig files (clientcmd's Config, apiVersion v1) turned into a RestConfig: the current (or a
// named) context, its cluster and user; CA and client certificate/key as files or base64 `-data`,
// bearer token or tokenFile, insecure-skip-tls-verify. Relative file paths are resolved against
// the kubeconfig's own folder. Every error names the file and what is wrong with it.

#include <filesystem>
#include <string>
#include <string_view>

#include "internal/utils/status.h"
#include "pkg/kube/client/config.h"

namespace osbx::kube {

// Reads and parses the kubeconfig at `path`, using `context` or, when empty, current-context.
[[nodiscard]] StatusOr<RestConfig> LoadKubeconfig(const std::string& path,
                                                  std::string_view context = {});

// Parses kubeconfig YAML text. `base_dir` resolves relative file references; `source` names the
// file in error messages.
[[nodiscard]] StatusOr<RestConfig> ParseKubeconfig(std::string_view yaml,
                                                   const std::filesystem::path& base_dir,
                                                   std::string_view source,
                                                   std::string_view context = {});

}  // namespace osbx::kube
