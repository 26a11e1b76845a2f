#pragma once
// Shared vocabulary of the API machinery: which resource a call is about, list options, list
// results and watch events. The REST client produces these; informers, controllers and the
// standalone server consume them. Kept free of transport details so that stores and informers can
// be tested against in-memory fakes.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::kube {

// A resource type as the API addresses it: group "" is the core group ("/api/v1").
struct ResourceRef {
  std::string group;     // "", "sandbox.opensandbox.io", "coordination.k8s.io"
  std::string version;   // "v1", "v1alpha1"
  std::string resource;  // plural: "pods", "batchsandboxes"
  std::string kind;      // "Pod", "BatchSandbox"
  bool namespaced = true;

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  bool operator==(const ResourceRef&) const = default;
};

// Options of list and watch calls (metav1.ListOptions).
struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;        // "" = most recent (consistent read), "0" = any
  std::string resource_version_match;  // "", "NotOlderThan", "Exact"
  int64_t limit = 0;                   // 0 = no paging
  std::string continue_token;
  bool allow_watch_bookmarks = false;
  std::optional<int64_t> timeout_seconds;
  bool send_initial_events = false;
};

// One page of a list: the items and the list's metadata.
struct ListResult {
  std::vector<Json> items;
  std::string resource_version;
  std::string continue_token;
  std::optional<int64_t> remaining_item_count;
};

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  // The object (or, for kError, the Status object the server sent).
  Json object;
};

// A live watch. Destroying it (or calling Stop) ends the stream; no callback runs after Stop
// returns.
class WatchHandle {
 public:
  virtual ~WatchHandle() = default;
  virtual void Stop() = 0;
};

// Called for every event in stream order, then once with the status the stream ended with
// (Ok when the server closed it normally, e.g. after timeoutSeconds).
struct WatchCallbacks {
  std::function<void(WatchEvent&&)> on_event;
  std::function<void(const Status&)> on_close;
};

// Turns the bytes of list answers and watch events into objects. The REST client decodes whole
// objects itself unless it is given one of these; an informer that caches only part of each
// object gives it a decoder that builds only that part straight from the bytes
// (pkg/kube/cache/watch_event_decoder.h), so that what the cache would drop is never built.
// Malformed input is an error, never a crash. Not thread-safe: one decoder per stream or call.
class ObjectDecoder {
 public:
  virtual ~ObjectDecoder() = default;
  // One watch event line, without its newline. ERROR events carry their Status object whole.
  [[nodiscard]] virtual StatusOr<WatchEvent> DecodeEvent(std::string_view line) = 0;
  // A list answer ({"metadata":{...},"items":[...]}) of `resource`. Items that lack apiVersion
  // or kind get the resource's, unless the decoder leaves those members out of every object.
  [[nodiscard]] virtual StatusOr<ListResult> DecodeList(std::string_view body,
                                                        const ResourceRef& resource) = 0;
};

// Makes the decoder of one list call or one watch stream.
using ObjectDecoderFactory = std::function<std::unique_ptr<ObjectDecoder>()>;

// What an informer needs from the API: list and watch of one resource type, possibly scoped to a
// namespace ("" = all namespaces).
class ListerWatcher {
 public:
  virtual ~ListerWatcher() = default;
  virtual StatusOr<ListResult> List(const ListOptions& options) = 0;
  virtual StatusOr<std::unique_ptr<WatchHandle>> Watch(const ListOptions& options,
                                                       WatchCallbacks callbacks) = 0;

  // Asks that the objects of later List and Watch calls be built by decoders from `factory`.
  // Returns whether they will be: a ListerWatcher that decodes bytes (the REST client's) says
  // true; one whose objects never were bytes (an in-memory fake, a wrapper) keeps the default,
  // false, and the caller must then trim the objects it receives itself.
  virtual bool UseDecoder(ObjectDecoderFactory factory) {
    (void)factory;
    return false;
  }
};

}  // namespace osbx::kube
