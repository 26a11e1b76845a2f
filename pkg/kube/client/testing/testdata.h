#pragma once
// Access to the captured API server bytes under pkg/kube/client/testdata (tests run from the
// repository root).

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace osbx::kube::testing {

inline std::string ReadTestdata(std::string_view relative) {
  std::ifstream in("pkg/kube/client/testdata/" + std::string(relative), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace osbx::kube::testing
