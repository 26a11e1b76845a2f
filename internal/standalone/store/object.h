#pragma once
// The values the standalone store keeps and hands out: one immutable version of an object
// (serialized JSON plus the resourceVersion it was written at) and the watch events built from
// those versions. Versions are shared between the in-memory index, the event history and every
// watcher, so they are immutable and passed around as shared pointers.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace osbx::standalone {

// One version of one object. The store never changes a version after it is published.
struct Object {
  std::string key;    // "/<group>/<resource>/<namespace>/<name>" or any caller-chosen key
  int64_t rv = 0;     // the global resourceVersion of the write that produced this version
  std::string value;  // serialized JSON; its metadata.resourceVersion holds `rv` when stamped
  // Byte offset in `value` of the decimal digits of `rv`, or npos when the value was stored
  // without a placeholder (then nothing in `value` refers to `rv`).
  size_t rv_pos = std::string::npos;
  // A tombstone: the version written by a delete. Its value is the last state of the object
  // restamped with the delete's RV (what a DELETED watch event carries).
  bool deleted = false;
};
using ObjectPtr = std::shared_ptr<const Object>;

enum class EventType { kAdded, kModified, kDeleted };

// One write as watchers see it. `previous` is the version the write replaced (null for a
// create), so a watcher with a selector can tell an object entering or leaving its selection.
struct Event {
  EventType type = EventType::kAdded;
  ObjectPtr object;
  ObjectPtr previous;

  int64_t rv() const { return object->rv; }
};

}  // namespace osbx::standalone
