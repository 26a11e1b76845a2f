#pragma once
// Watches: the streaming side of list+watch. WatchPump threads move events from the store's
// watchers to the HTTP streams of their clients (selector transitions as ADDED/DELETED, Table
// or plain JSON lines), send periodic BOOKMARKs and end streams at timeoutSeconds.
//
// Fan-out cost is paid once per event, not once per watcher: an event's object is parsed once
// and each distinct line (type x encoding) serialized once, shared through an EventCache by every
// stream with the same negotiation (Tables, whose rows depend on the stream, are the exception).
// Sessions are spread over several pump threads; each session is pumped by exactly one thread,
// so its lines keep RV order, and all events ready for it go out as one chunk.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "internal/standalone/apiserver/event_cache.h"
#include "internal/standalone/apiserver/negotiation.h"
#include "internal/standalone/apiserver/registry.h"
#include "internal/standalone/apiserver/selection.h"
#include "internal/standalone/apiserver/table.h"
#include "internal/standalone/store/watch_hub.h"
#include "internal/utils/clock.h"
#include "pkg/http/response_writer.h"

namespace osbx::standalone {

class ApiServer;

// One client's watch stream.
struct WatchSession {
  ResourcePtr resource;
  Selection selection;
  Negotiated accept;
  TableOptions table;
  std::shared_ptr<http::ResponseWriter> writer;
  size_t shard = 0;                // the pump thread that serves this session
  std::atomic<bool> ready{false};  // events queued or the client gone; outlives `watcher`
  std::unique_ptr<Watcher> watcher;
  bool allow_bookmarks = false;
  std::optional<Clock::TimePoint> deadline;
  Clock::TimePoint next_bookmark;
  bool columns_sent = false;
  bool final_bookmark_sent = false;  // the one shortly before the deadline
  int64_t last_rv = 0;
  bool done = false;
};

// Encodes one watch event line ("{"type":...,"object":...}\n") for a session.
std::string WatchLine(ApiServer& server, WatchSession& session, std::string_view type,
                      const Json& object);

class WatchPump {
 public:
  WatchPump(ApiServer& server, const Clock& clock, std::chrono::milliseconds bookmark_interval,
            int threads = 2);
  ~WatchPump();
  WatchPump(const WatchPump&) = delete;
  WatchPump& operator=(const WatchPump&) = delete;

  // Chooses the thread of a new session (call before creating its store watcher, whose ready
  // callback calls Notify).
  void Assign(WatchSession& session);
  // Takes over a session whose initial events were already written.
  void Add(std::shared_ptr<WatchSession> session);
  // Marks `session` ready (events queued) and wakes its thread.
  void Notify(WatchSession& session);
  // Wakes the thread of shard `shard` to look for streams whose client went away.
  void Wake(size_t shard);
  void Stop();

  EventCache& cache() { return cache_; }

 private:
  struct Shard {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::shared_ptr<WatchSession>> sessions;  // guarded by mu
    bool dirty = false;                                   // guarded by mu
    bool stop = false;                                    // guarded by mu
    std::thread thread;
  };
  void Loop(Shard& shard);
  // Moves ready events of one session to its stream; false once the session is over.
  bool Pump(WatchSession& session, Clock::TimePoint now);
  // Appends the line of one event to `out` (nothing when the session's selection skips it).
  void AppendEvent(WatchSession& session, const Event& event, std::string& out);

  ApiServer& server_;
  const Clock& clock_;
  const std::chrono::milliseconds bookmark_interval_;
  EventCache cache_;
  std::atomic<size_t> next_shard_{0};
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace osbx::standalone
