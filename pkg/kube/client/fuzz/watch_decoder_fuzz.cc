// libFuzzer target: watch stream framing and event decoding. The input is split into chunks at
// positions taken from its first bytes, so framing across chunk boundaries is explored too.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pkg/kube/client/watch_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t step = 1 + (static_cast<size_t>(data[0]) | (static_cast<size_t>(data[1]) << 8)) % 512;
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  osbx::kube::WatchDecoder decoder(/*max_line=*/1 << 20);
  auto sink = [](osbx::kube::WatchEvent&& event) {
    // Exercise what consumers do with every event.
    if (event.type == osbx::kube::WatchEventType::kError) {
      (void)osbx::kube::WatchErrorStatus(event);
    }
  };
  for (size_t pos = 0; pos < input.size(); pos += step) {
    if (!decoder.Feed(input.substr(pos, step), sink).ok()) return 0;
  }
  (void)decoder.Finish(sink);
  return 0;
}
