// WatchPump: the threads that move store events to watch streams (see watch.h).

#include <fmt/format.h>

#include "internal/standalone/apiserver/api_server.h"
#include "internal/standalone/apiserver/object_codec.h"
#include "internal/standalone/apiserver/watch.h"
#include "internal/standalone/apiserver/wire_json.h"

namespace osbx::standalone {
namespace {

const char* TypeName(EventType type) {
  switch (type) {
    case EventType::kAdded:
      return "ADDED";
    case EventType::kModified:
      return "MODIFIED";
    case EventType::kDeleted:
      return "DELETED";
  }
  return "MODIFIED";
}

std::string BookmarkLine(const ResourceInfo& resource, int64_t rv) {
  Json object = {{"apiVersion", resource.ApiVersion()},
                 {"kind", resource.kind},
                 {"metadata", {{"resourceVersion", std::to_string(rv)}}}};
  OrderedJson line = OrderedJson::object();
  line["type"] = "BOOKMARK";
  line["object"] = resource.crd ? ToOrdered(object) : OrderBuiltinObject(object);
  return GoJson(line) + "\n";
}

bool SelectsEverything(const Selection& selection) {
  return selection.labels.Empty() && selection.fields.Empty();
}

bool FinalBookmarkDue(const WatchSession& s, Clock::TimePoint now) {
  return s.deadline && !s.final_bookmark_sent && now >= *s.deadline - std::chrono::seconds(2);
}

// A timer of the session (periodic or final bookmark, timeoutSeconds) has fired.
bool TimerDue(const WatchSession& s, Clock::TimePoint now) {
  if (s.deadline && now >= *s.deadline) return true;
  return s.allow_bookmarks && (now >= s.next_bookmark || FinalBookmarkDue(s, now));
}

}  // namespace

WatchPump::WatchPump(ApiServer& server, const Clock& clock,
                     std::chrono::milliseconds bookmark_interval, int threads)
    : server_(server), clock_(clock), bookmark_interval_(bookmark_interval) {
  for (int i = 0; i < std::max(threads, 1); ++i) shards_.push_back(std::make_unique<Shard>());
  for (auto& shard : shards_) {
    Shard* raw = shard.get();
    raw->thread = std::thread([this, raw] { Loop(*raw); });
  }
}

WatchPump::~WatchPump() { Stop(); }

void WatchPump::Stop() {
  for (auto& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard->mu);
    shard->stop = true;
    shard->cv.notify_all();
  }
  for (auto& shard : shards_) {
    if (shard->thread.joinable()) shard->thread.join();
    std::vector<std::shared_ptr<WatchSession>> sessions;
    {
      std::lock_guard<std::mutex> lock(shard->mu);
      sessions.swap(shard->sessions);
    }
    for (auto& s : sessions) {  // outside shard->mu (see Loop)
      if (s->watcher) s->watcher->Stop();
      if (s->writer) s->writer->Finish();
    }
  }
}

void WatchPump::Assign(WatchSession& session) {
  session.shard = next_shard_.fetch_add(1) % shards_.size();
}

void WatchPump::Add(std::shared_ptr<WatchSession> session) {
  session->next_bookmark = clock_.Now() + bookmark_interval_;
  session->ready = true;  // events may have arrived while the initial ones were written
  Shard& shard = *shards_[session->shard];
  std::lock_guard<std::mutex> lock(shard.mu);
  shard.sessions.push_back(std::move(session));
  shard.dirty = true;
  shard.cv.notify_all();
}

void WatchPump::Notify(WatchSession& session) {
  session.ready.store(true, std::memory_order_release);
  Wake(session.shard);
}

void WatchPump::Wake(size_t index) {
  Shard& shard = *shards_[index];
  std::lock_guard<std::mutex> lock(shard.mu);
  shard.dirty = true;
  shard.cv.notify_all();
}

void WatchPump::AppendEvent(WatchSession& s, const Event& event, std::string& out) {
  const ResourceInfo& resource = *s.resource;
  std::shared_ptr<const Json> object = cache_.Decoded(resource, event.object);
  if (!object) return;
  const char* type = TypeName(event.type);
  if (!SelectsEverything(s.selection)) {
    bool now_match = s.selection.Matches(*object);
    if (event.type == EventType::kModified) {
      bool before = false;
      if (event.previous) {
        std::shared_ptr<const Json> prev = cache_.Decoded(resource, event.previous);
        before = prev && s.selection.Matches(*prev);
      }
      if (!before && !now_match) return;
      if (!before) type = "ADDED";
      if (!now_match) type = "DELETED";
    } else if (!now_match) {
      return;
    }
  }
  s.last_rv = event.rv();
  if (s.accept.representation == Representation::kTable) {
    out += WatchLine(server_, s, type, *object);  // rows depend on the stream: not shared
    return;
  }
  std::string encoding =
      fmt::format("{}|{}|{}", type, static_cast<int>(s.accept.representation), s.accept.version);
  out += *cache_.Line(event.object, encoding, [&] { return WatchLine(server_, s, type, *object); });
}

bool WatchPump::Pump(WatchSession& s, Clock::TimePoint now) {
  if (s.writer->closed()) return false;
  std::vector<Event> events;
  Status status = s.watcher->Poll(&events);
  std::string chunk;
  for (const Event& event : events) AppendEvent(s, event, chunk);
  if (!chunk.empty() && !s.writer->WriteChunk(chunk)) return false;
  if (!status.ok()) {
    if (status.IsGone()) {
      OrderedJson line = OrderedJson::object();
      line["type"] = "ERROR";
      line["object"] = ApiError::Gone(status.message()).body;
      s.writer->WriteChunk(GoJson(line) + "\n");
    }
    s.writer->Finish();
    return false;
  }
  if (s.deadline && now >= *s.deadline) {
    s.writer->Finish();
    return false;
  }
  bool final_due = FinalBookmarkDue(s, now);
  if (s.allow_bookmarks && (now >= s.next_bookmark || final_due)) {
    int64_t rv = std::max(s.last_rv, s.watcher->progress_rv());
    if (!s.writer->WriteChunk(BookmarkLine(*s.resource, rv))) return false;
    if (final_due) s.final_bookmark_sent = true;
    s.next_bookmark = now + bookmark_interval_;
  }
  return true;
}

void WatchPump::Loop(Shard& shard) {
  std::unique_lock<std::mutex> lock(shard.mu);
  while (!shard.stop) {
    Clock::TimePoint now = clock_.Now();
    Clock::TimePoint wake = now + std::chrono::seconds(1);
    for (const auto& s : shard.sessions) {
      if (s->allow_bookmarks) {
        wake = std::min(wake, s->next_bookmark);
        if (s->deadline && !s->final_bookmark_sent) {
          wake = std::min(wake, *s->deadline - std::chrono::seconds(2));
        }
      }
      if (s->deadline) wake = std::min(wake, *s->deadline);
    }
    if (!shard.dirty) shard.cv.wait_until(lock, std::chrono::steady_clock::now() + (wake - now));
    if (shard.stop) break;
    shard.dirty = false;
    std::vector<std::shared_ptr<WatchSession>> sessions = shard.sessions;
    lock.unlock();
    now = clock_.Now();
    std::vector<WatchSession*> finished;
    for (const auto& s : sessions) {
      bool due = s->ready.exchange(false, std::memory_order_acq_rel) || TimerDue(*s, now) ||
                 s->writer->closed();
      if (due && !Pump(*s, now)) finished.push_back(s.get());
    }
    sessions.clear();
    lock.lock();
    if (finished.empty()) continue;
    std::vector<std::shared_ptr<WatchSession>> ended;
    std::erase_if(shard.sessions, [&](const std::shared_ptr<WatchSession>& s) {
      if (std::find(finished.begin(), finished.end(), s.get()) == finished.end()) return false;
      ended.push_back(s);
      return true;
    });
    // Stopping a watcher takes the store hub's lock, under which the hub calls Notify, which
    // takes shard.mu: never stop (or destroy) a watcher while holding shard.mu.
    lock.unlock();
    for (const auto& s : ended) s->watcher->Stop();
    ended.clear();
    lock.lock();
  }
}

}  // namespace osbx::standalone
