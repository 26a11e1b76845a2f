// libFuzzer target: the informers' decoder of network bytes. The input is a watch stream, framed
// by the REST client's WatchDecoder in chunks whose size comes from its first bytes and decoded
// into the pod cache projection, and also a list answer.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "pkg/kube/cache/transform.h"
#include "pkg/kube/cache/watch_event_decoder.h"
#include "pkg/kube/client/watch_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t step = 1 + (static_cast<size_t>(data[0]) | (static_cast<size_t>(data[1]) << 8)) % 512;
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  osbx::kube::WatchEventDecoder list_decoder(osbx::kube::PodCacheProjection());
  (void)list_decoder.DecodeList(input, {"", "v1", "pods", "Pod", true});
  osbx::kube::WatchDecoder stream(
      std::make_unique<osbx::kube::WatchEventDecoder>(osbx::kube::PodCacheProjection()),
      /*max_line=*/1 << 20);
  auto sink = [](osbx::kube::WatchEvent&& event) {
    if (event.type == osbx::kube::WatchEventType::kError) {
      (void)osbx::kube::WatchErrorStatus(event);
    }
  };
  for (size_t pos = 0; pos < input.size(); pos += step) {
    if (!stream.Feed(input.substr(pos, step), sink).ok()) return 0;
  }
  (void)stream.Finish(sink);
  return 0;
}
