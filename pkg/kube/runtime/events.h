#pragma once
// EventRecorder: core/v1 Events about the objects a controller manages ("why is my sandbox not
// ready?"), written asynchronously so that recording never blocks a reconciler.
//
// Like client-go's event correlator it keeps the API quiet:
//   - repeats of the same (object, type, reason, message) update the existing Event's count and
//     lastTimestamp with a merge patch instead of creating new objects;
//   - once one (object, type, reason) has produced 10 different messages within 10 minutes,
//     further ones are combined into a single "(combined from similar events): ..." Event;
//   - each involved object has a token bucket (burst 25, one token per 5 minutes by default);
//     events beyond it are dropped, so a hot loop cannot flood the API;
//   - the queue between callers and the writer thread is bounded; when full, events are dropped
//     and counted rather than blocking the caller.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "internal/utils/clock.h"
#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/workqueue/mutex.h"

namespace osbx::kube {

// The object an event is about (core/v1 ObjectReference).
struct ObjectReference {
  std::string api_version;
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;
  std::string resource_version;
  std::string field_path;

  // The reference to a Kubernetes object (apiVersion, kind and metadata are read).
  static ObjectReference For(const Json& object);
  Json ToJson() const;
};

enum class EventType { kNormal, kWarning };

// Where events are written: the core/v1 events API in production (rest_adapters.h).
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual StatusOr<Json> Create(const std::string& ns, const Json& event) = 0;
  // Applies a JSON merge patch to the named Event.
  virtual StatusOr<Json> Patch(const std::string& ns, const std::string& name,
                               const Json& merge_patch) = 0;
};

struct EventRecorderOptions {
  // source.component and reportingComponent.
  std::string component = "opensandbox-controller";
  // source.host and reportingInstance (usually the pod or host name).
  std::string host;
  // Events waiting for the writer thread; beyond it new events are dropped.
  size_t queue_capacity = 1000;
  // Per involved object: events allowed in a burst, and the time to earn one more.
  int burst_per_object = 25;
  Clock::Duration refill_interval = std::chrono::minutes(5);
  // Distinct events remembered for aggregation (least recently used are forgotten).
  size_t cache_size = 4096;
  // Different messages for one (object, type, reason) within the window before they combine.
  size_t similar_max = 10;
  Clock::Duration similar_window = std::chrono::minutes(10);
};

class EventRecorder {
 public:
  // `sink` and `clock` must outlive the recorder. The writer thread starts at once.
  EventRecorder(EventSink& sink, const Clock& clock, EventRecorderOptions options = {});
  // Stops the writer; events still queued are dropped.
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Queues an event; never blocks on the API.
  void Event(const ObjectReference& object, EventType type, std::string reason,
             std::string message);
  void Event(const Json& object, EventType type, std::string reason, std::string message) {
    Event(ObjectReference::For(object), type, std::move(reason), std::move(message));
  }

  // Blocks until every event queued so far has been written or dropped.
  void Flush();
  // Stops the writer thread; later events are dropped. Idempotent.
  void Stop();

  // Events not written because the queue was full or the object's budget was spent.
  uint64_t dropped() const;

 private:
  struct Pending {
    ObjectReference object;
    EventType type;
    std::string reason;
    std::string message;
    Clock::WallTime at;
  };
  // A written event remembered for aggregation.
  struct Recorded {
    std::string name;
    std::string ns;
    int count = 0;
    std::string first_timestamp;
    std::list<std::string>::iterator lru;
  };
  struct Bucket {
    double tokens = 0;
    Clock::TimePoint last;
  };
  // Messages seen for one (object, type, reason) in the current window.
  struct Similar {
    std::unordered_set<std::string> messages;
    Clock::TimePoint window_start;
  };

  void Loop();
  void Write(const Pending& event);
  bool TakeToken(const std::string& object_key);
  // True when `message` is one too many for `similar_key` and must be combined.
  bool Combine(const std::string& similar_key, const std::string& message);
  // Creates or updates the Event recorded under `key`.
  void Record(const Pending& event, const std::string& key);
  void CreateNew(const Pending& event, const std::string& key);
  void Remember(const std::string& key, Recorded recorded);
  std::string NextName(const std::string& object_name, Clock::WallTime at);
  Json NewEvent(const Pending& event, const std::string& name) const;

  EventSink& sink_;
  const Clock& clock_;
  const EventRecorderOptions options_;

  mutable Mutex mu_;
  std::condition_variable cv_;       // queue became non-empty, or stop
  std::condition_variable idle_cv_;  // the writer finished everything queued
  std::deque<Pending> queue_ OSBX_GUARDED_BY(mu_);
  bool stopping_ OSBX_GUARDED_BY(mu_) = false;
  bool busy_ OSBX_GUARDED_BY(mu_) = false;  // the writer holds a popped event
  uint64_t dropped_ OSBX_GUARDED_BY(mu_) = 0;

  // Owned by the writer thread only.
  std::unordered_map<std::string, Recorded> recorded_;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Bucket> buckets_;
  std::unordered_map<std::string, Similar> similar_;
  int64_t last_name_nanos_ = 0;

  std::thread writer_;  // last: starts after everything above is built
};

}  // namespace osbx::kube
