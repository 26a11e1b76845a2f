#pragma once
// EventCache: the per-event work of watch fan-out done once, however many watchers receive the
// event. A stored version is parsed (with read defaults applied) once, and each distinct watch
// line (event type x wire encoding) is serialized once and shared, immutable, by every stream
// whose negotiation produced the same encoding. Bounded: the oldest versions are forgotten
// first (a straggler then just encodes again).
//
// Thread-safe; shared by every pump thread.

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "internal/standalone/apiserver/registry.h"
#include "internal/standalone/store/object.h"
#include "internal/utils/json.h"

namespace osbx::standalone {

class EventCache {
 public:
  // Every stream normally takes an event within milliseconds of its commit, so a small window
  // suffices; it bounds the memory of parsed objects (large pods parse to tens of KB).
  explicit EventCache(size_t capacity = 1024) : capacity_(capacity) {}
  EventCache(const EventCache&) = delete;
  EventCache& operator=(const EventCache&) = delete;

  // `version` parsed, read defaults of `resource` applied; null when it is not JSON.
  std::shared_ptr<const Json> Decoded(const ResourceInfo& resource, const ObjectPtr& version);

  // The line for `version` under `encoding` (which names the event type and the wire form);
  // `build` runs only when no stream asked for this line before.
  std::shared_ptr<const std::string> Line(const ObjectPtr& version, const std::string& encoding,
                                          const std::function<std::string()>& build);

  size_t size();

 private:
  struct Entry {
    ObjectPtr version;  // keeps the key's address from being reused while cached
    std::shared_ptr<const Json> decoded;
    std::vector<std::pair<std::string, std::shared_ptr<const std::string>>> lines;
  };
  // Finds or inserts the entry of `version`, evicting the oldest. Caller holds mu_.
  Entry& EntryLocked(const ObjectPtr& version);

  const size_t capacity_;
  std::mutex mu_;
  std::unordered_map<const Object*, Entry> entries_;  // guarded by mu_
  std::deque<const Object*> order_;                   // guarded by mu_: insertion order
};

}  // namespace osbx::standalone
