// libFuzzer target: kubeconfig YAML parsing. Relative file references resolve into an empty
// directory, so only the parser and its error paths are exercised.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pkg/kube/client/kubeconfig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view yaml(reinterpret_cast<const char*>(data), size);
  (void)osbx::kube::ParseKubeconfig(yaml, "/nonexistent-fuzz-dir", "fuzz");
  return 0;
}
