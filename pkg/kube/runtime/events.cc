#include "pkg/kube/runtime/events.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "internal/utils/log.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::kube {
namespace {

std::string_view TypeName(EventType type) {
  return type == EventType::kWarning ? "Warning" : "Normal";
}

std::string StringField(const Json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string ObjectKey(const ObjectReference& o) {
  return fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}", o.api_version, o.kind, o.ns, o.name, o.uid);
}

}  // namespace

ObjectReference ObjectReference::For(const Json& object) {
  ObjectReference ref;
  if (!object.is_object()) return ref;
  ref.api_version = StringField(object, "apiVersion");
  ref.kind = StringField(object, "kind");
  if (auto it = object.find("metadata"); it != object.end() && it->is_object()) {
    ref.ns = StringField(*it, "namespace");
    ref.name = StringField(*it, "name");
    ref.uid = StringField(*it, "uid");
    ref.resource_version = StringField(*it, "resourceVersion");
  }
  return ref;
}

Json ObjectReference::ToJson() const {
  Json ref = Json::object();
  auto put = [&ref](const char* key, const std::string& value) {
    if (!value.empty()) ref[key] = value;
  };
  put("apiVersion", api_version);
  put("kind", kind);
  put("namespace", ns);
  put("name", name);
  put("uid", uid);
  put("resourceVersion", resource_version);
  put("fieldPath", field_path);
  return ref;
}

EventRecorder::EventRecorder(EventSink& sink, const Clock& clock, EventRecorderOptions options)
    : sink_(sink), clock_(clock), options_(std::move(options)), writer_([this] { Loop(); }) {}

EventRecorder::~EventRecorder() { Stop(); }

void EventRecorder::Event(const ObjectReference& object, EventType type, std::string reason,
                          std::string message) {
  Pending pending{object, type, std::move(reason), std::move(message), clock_.WallNow()};
  MutexLock lock(mu_);
  if (stopping_ || queue_.size() >= options_.queue_capacity) {
    ++dropped_;
    return;
  }
  queue_.push_back(std::move(pending));
  cv_.notify_one();
}

void EventRecorder::Flush() {
  MutexLock lock(mu_);
  while (!(queue_.empty() && !busy_) && !stopping_) idle_cv_.wait(lock.lock());
}

void EventRecorder::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    dropped_ += queue_.size();
    queue_.clear();
    cv_.notify_all();
  }
  if (writer_.joinable()) writer_.join();
  idle_cv_.notify_all();
}

uint64_t EventRecorder::dropped() const {
  MutexLock lock(mu_);
  return dropped_;
}

void EventRecorder::Loop() {
  while (true) {
    Pending event;
    {
      MutexLock lock(mu_);
      while (!stopping_ && queue_.empty()) cv_.wait(lock.lock());
      if (stopping_) return;
      event = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    Write(event);
    MutexLock lock(mu_);
    busy_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

void EventRecorder::Write(const Pending& event) {
  const std::string object_key = ObjectKey(event.object);
  if (!TakeToken(object_key)) {
    MutexLock lock(mu_);
    ++dropped_;
    return;
  }
  const std::string similar_key =
      fmt::format("{}\x1f{}\x1f{}", object_key, TypeName(event.type), event.reason);
  if (Combine(similar_key, event.message)) {
    Pending combined = event;
    combined.message = "(combined from similar events): " + event.message;
    return Record(combined, similar_key + "\x1f*");
  }
  Record(event, similar_key + "\x1f" + event.message);
}

void EventRecorder::Record(const Pending& event, const std::string& key) {
  auto it = recorded_.find(key);
  if (it == recorded_.end()) return CreateNew(event, key);
  Recorded& rec = it->second;
  lru_.splice(lru_.begin(), lru_, rec.lru);
  Json patch = {{"count", rec.count + 1},
                {"lastTimestamp", FormatTime(event.at)},
                {"message", event.message}};
  auto patched = sink_.Patch(rec.ns, rec.name, patch);
  if (patched.ok()) {
    ++rec.count;
    return;
  }
  if (patched.status().IsNotFound()) {  // the aggregated event expired: start a new one
    lru_.erase(rec.lru);
    recorded_.erase(it);
    return CreateNew(event, key);
  }
  OSBX_LOG_WARN("updating event failed", {"event", rec.name},
                {"error", patched.status().ToString()});
}

void EventRecorder::CreateNew(const Pending& event, const std::string& key) {
  std::string name = NextName(event.object.name, event.at);
  Json body = NewEvent(event, name);
  auto created = sink_.Create(body["metadata"]["namespace"].get<std::string>(), body);
  if (!created.ok()) {
    OSBX_LOG_WARN("creating event failed", {"reason", event.reason},
                  {"error", created.status().ToString()});
    return;
  }
  Remember(key, Recorded{.name = name,
                         .ns = body["metadata"]["namespace"].get<std::string>(),
                         .count = 1,
                         .first_timestamp = body["firstTimestamp"].get<std::string>(),
                         .lru = {}});
}

void EventRecorder::Remember(const std::string& key, Recorded recorded) {
  lru_.push_front(key);
  recorded.lru = lru_.begin();
  recorded_[key] = std::move(recorded);
  while (recorded_.size() > options_.cache_size && !lru_.empty()) {
    recorded_.erase(lru_.back());
    lru_.pop_back();
  }
}

bool EventRecorder::TakeToken(const std::string& object_key) {
  const Clock::TimePoint now = clock_.Now();
  const double burst = options_.burst_per_object;
  auto refill = [&](Bucket& b) {
    if (options_.refill_interval > Clock::Duration::zero()) {
      b.tokens =
          std::min(burst, b.tokens + static_cast<double>((now - b.last).count()) /
                                         static_cast<double>(options_.refill_interval.count()));
    }
    b.last = now;
  };
  auto [it, inserted] = buckets_.try_emplace(object_key, Bucket{burst, now});
  if (!inserted) refill(it->second);
  if (buckets_.size() > 2 * options_.cache_size) {  // forget objects with a full budget
    for (auto b = buckets_.begin(); b != buckets_.end();) {
      refill(b->second);
      if (b->second.tokens >= burst && b->first != object_key) {
        b = buckets_.erase(b);
      } else {
        ++b;
      }
    }
  }
  if (it = buckets_.find(object_key); it->second.tokens < 1) return false;
  it->second.tokens -= 1;
  return true;
}

bool EventRecorder::Combine(const std::string& similar_key, const std::string& message) {
  const Clock::TimePoint now = clock_.Now();
  if (similar_.size() > options_.cache_size) {  // forget windows that have closed
    for (auto s = similar_.begin(); s != similar_.end();) {
      s = now - s->second.window_start > options_.similar_window ? similar_.erase(s) : ++s;
    }
    if (similar_.size() > options_.cache_size) similar_.clear();
  }
  auto [it, inserted] = similar_.try_emplace(similar_key, Similar{{}, now});
  Similar& similar = it->second;
  if (now - similar.window_start > options_.similar_window) {
    similar.messages.clear();
    similar.window_start = now;
  }
  similar.messages.insert(message);
  return similar.messages.size() >= options_.similar_max;
}

std::string EventRecorder::NextName(const std::string& object_name, Clock::WallTime at) {
  // client-go names events "<object>.<unix nanos in hex>"; nanos are forced to increase so
  // that two events in the same tick still get distinct names.
  int64_t nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
  nanos = std::max(nanos, last_name_nanos_ + 1);
  last_name_nanos_ = nanos;
  return fmt::format("{}.{:x}", object_name.empty() ? "event" : object_name, nanos);
}

Json EventRecorder::NewEvent(const Pending& event, const std::string& name) const {
  std::string ns = event.object.ns.empty() ? "default" : event.object.ns;
  std::string ts = FormatTime(event.at);
  return Json{{"apiVersion", "v1"},
              {"kind", "Event"},
              {"metadata", {{"name", name}, {"namespace", ns}}},
              {"involvedObject", event.object.ToJson()},
              {"reason", event.reason},
              {"message", event.message},
              {"type", TypeName(event.type)},
              {"source", {{"component", options_.component}, {"host", options_.host}}},
              {"reportingComponent", options_.component},
              {"reportingInstance", options_.host},
              {"firstTimestamp", ts},
              {"lastTimestamp", ts},
              {"count", 1},
              {"eventTime", nullptr}};
}

}  // namespace osbx::kube
