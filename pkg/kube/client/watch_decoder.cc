#include "pkg/kube/client/watch_decoder.h"

#include "pkg/kube/client/errors.h"

namespace osbx::kube {
namespace {

bool ParseType(std::string_view text, WatchEventType& type) {
  if (text == "ADDED") {
    type = WatchEventType::kAdded;
  } else if (text == "MODIFIED") {
    type = WatchEventType::kModified;
  } else if (text == "DELETED") {
    type = WatchEventType::kDeleted;
  } else if (text == "BOOKMARK") {
    type = WatchEventType::kBookmark;
  } else if (text == "ERROR") {
    type = WatchEventType::kError;
  } else {
    return false;
  }
  return true;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

Status Malformed(const std::string& why, std::string_view line) {
  constexpr size_t kShown = 120;
  std::string shown(line.substr(0, kShown));
  if (line.size() > kShown) shown += "...";
  return InternalError("malformed watch event (" + why + "): " + shown);
}

// A bookmark means only "the watch has seen everything up to this resourceVersion"; keep just
// that (and the initial-events-end annotation) so nothing mistakes it for an object.
Json BookmarkObject(const Json& object) {
  Json out = Json::object();
  for (const char* key : {"apiVersion", "kind"}) {
    auto it = object.find(key);
    if (it != object.end()) out[key] = *it;
  }
  Json metadata = Json::object();
  auto meta = object.find("metadata");
  if (meta != object.end() && meta->is_object()) {
    for (const char* key : {"resourceVersion", "annotations"}) {
      auto it = meta->find(key);
      if (it != meta->end()) metadata[key] = *it;
    }
  }
  out["metadata"] = std::move(metadata);
  return out;
}

}  // namespace

StatusOr<WatchEvent> DecodeWatchEvent(std::string_view line) {
  Json doc = Json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Malformed("invalid JSON", line);
  if (!doc.is_object()) return Malformed("not an object", line);
  auto type = doc.find("type");
  auto object = doc.find("object");
  if (type == doc.end() || !type->is_string()) return Malformed("no type", line);
  if (object == doc.end() || !object->is_object()) return Malformed("no object", line);
  WatchEvent event;
  if (!ParseType(type->get_ref<const std::string&>(), event.type)) {
    return Malformed("unknown type", line);
  }
  if (event.type == WatchEventType::kBookmark) {
    event.object = BookmarkObject(*object);
  } else {
    event.object = std::move(*object);
  }
  return event;
}

Status WatchErrorStatus(const WatchEvent& event) {
  if (event.type != WatchEventType::kError) return Status::Ok();
  return StatusFromObject(event.object, 500);
}

Status WatchDecoder::DecodeLine(std::string_view line, const Sink& sink) {
  if (IsBlank(line)) return Status::Ok();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  StatusOr<WatchEvent> event = objects_ ? objects_->DecodeEvent(line) : DecodeWatchEvent(line);
  if (!event.ok()) return event.status();
  sink(std::move(*event));
  return Status::Ok();
}

Status WatchDecoder::Feed(std::string_view chunk, const Sink& sink) {
  if (!error_.ok()) return error_;
  while (!chunk.empty()) {
    size_t nl = chunk.find('\n');
    if (nl == std::string_view::npos) {
      if (buffer_.size() + chunk.size() > max_line_) {
        error_ = InternalError("watch event larger than " + std::to_string(max_line_) + " bytes");
        return error_;
      }
      buffer_.append(chunk);
      return Status::Ok();
    }
    Status s;
    if (buffer_.empty()) {
      // Common case: the whole line is inside this chunk; decode it without copying.
      s = DecodeLine(chunk.substr(0, nl), sink);
    } else {
      buffer_.append(chunk.substr(0, nl));
      s = DecodeLine(buffer_, sink);
      buffer_.clear();
    }
    if (!s.ok()) {
      error_ = s;
      return error_;
    }
    chunk.remove_prefix(nl + 1);
  }
  return Status::Ok();
}

Status WatchDecoder::Finish(const Sink& sink) {
  if (!error_.ok()) return error_;
  if (buffer_.empty() || IsBlank(buffer_)) return Status::Ok();
  std::string rest = std::move(buffer_);
  buffer_.clear();
  error_ = DecodeLine(rest, sink);
  if (!error_.ok()) {
    error_ = InternalError("watch stream ended inside an event: " + error_.message());
  }
  return error_;
}

}  // namespace osbx::kube
