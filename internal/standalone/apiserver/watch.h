#pragma once
// Watches: the streaming side of list+watch. A WatchPump thread moves events from the store's
// watchers to the HTTP streams of their clients (selector transitions as ADDED/DELETED, Table
// or plain JSON lines), sends periodic BOOKMARKs and ends streams at timeoutSeconds.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

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
  WatchPump(ApiServer& server, const Clock& clock, std::chrono::milliseconds bookmark_interval);
  ~WatchPump();
  WatchPump(const WatchPump&) = delete;
  WatchPump& operator=(const WatchPump&) = delete;

  // Takes over a session whose initial events were already written.
  void Add(std::shared_ptr<WatchSession> session);
  // Wakes the pump (events are ready, or a client went away).
  void Notify();
  void Stop();

 private:
  void Loop();
  // Moves ready events of one session to its stream; false once the session is over.
  bool Pump(WatchSession& session, Clock::TimePoint now);

  ApiServer& server_;
  const Clock& clock_;
  const std::chrono::milliseconds bookmark_interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<WatchSession>> sessions_;  // guarded by mu_
  bool dirty_ = false;                                   // guarded by mu_
  bool stop_ = false;                                    // guarded by mu_
  std::thread thread_;
};

}  // namespace osbx::standalone
