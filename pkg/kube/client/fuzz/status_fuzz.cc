// libFuzzer target: decoding of error answers (Status objects and arbitrary bodies), list pages
// and the Retry-After header, as they arrive from the network.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pkg/kube/client/codec.h"
#include "pkg/kube/client/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  int code = 400 + data[0] % 200;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t cut = body.find('\x01');
  std::string_view retry_after = cut == std::string_view::npos ? "" : body.substr(cut + 1);
  osbx::Status status = osbx::kube::StatusFromResponse(code, body.substr(0, cut), retry_after);
  (void)status.ToString();
  osbx::kube::ResourceRef pods{"", "v1", "pods", "Pod", true};
  (void)osbx::kube::ParseListBody(body, pods);
  return 0;
}
