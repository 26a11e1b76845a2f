#pragma once
// Incremental decoder of a watch response body: newline-delimited JSON objects
// {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}. Bytes are fed as they arrive,
// split at any point; each complete line becomes one WatchEvent. The buffer is scanned once per
// byte (no re-scanning of a partial event), so large events cost linear time.
//
// Each line is decoded by the ObjectDecoder given at construction (e.g. one that builds only what
// an informer caches), or else whole with nlohmann::json (DecodeWatchEvent).
//
// A malformed line poisons the decoder: the stream cannot be trusted past it and must be ended.
// ERROR events are returned as events; WatchErrorStatus turns their object into a Status (410
// Expired becomes kGone, which tells an informer to relist).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "internal/utils/status.h"
#include "pkg/kube/client/resource.h"

namespace osbx::kube {

// Decodes one event line (without its newline).
[[nodiscard]] StatusOr<WatchEvent> DecodeWatchEvent(std::string_view line);

// The Status an ERROR event carries.
Status WatchErrorStatus(const WatchEvent& event);

class WatchDecoder {
 public:
  using Sink = std::function<void(WatchEvent&&)>;

  // Lines longer than this are treated as malformed (a runaway or hostile stream).
  static constexpr size_t kDefaultMaxLine = 64 << 20;

  explicit WatchDecoder(size_t max_line = kDefaultMaxLine) : max_line_(max_line) {}
  // Decodes lines with `objects` (whole objects with nlohmann when null).
  explicit WatchDecoder(std::unique_ptr<ObjectDecoder> objects, size_t max_line = kDefaultMaxLine)
      : max_line_(max_line), objects_(std::move(objects)) {}

  // Decodes every event completed by `chunk` and hands it to `sink`, in stream order. Returns the
  // first decoding error; after an error every later call fails with it too.
  [[nodiscard]] Status Feed(std::string_view chunk, const Sink& sink);

  // Checks the end of the stream: an unterminated final line is decoded if it is a complete
  // object, and is an error otherwise.
  [[nodiscard]] Status Finish(const Sink& sink);

  // Bytes of an incomplete event held back.
  size_t buffered() const { return buffer_.size(); }

 private:
  Status DecodeLine(std::string_view line, const Sink& sink);

  const size_t max_line_;
  const std::unique_ptr<ObjectDecoder> objects_;  // null: DecodeWatchEvent
  std::string buffer_;                            // bytes of the current incomplete line
  Status error_;                                  // sticky first error
};

}  // namespace osbx::kube
