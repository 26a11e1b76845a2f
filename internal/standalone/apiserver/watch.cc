#include "internal/standalone/apiserver/watch.h"

#include <fmt/format.h>

#include "internal/standalone/apiserver/api_server.h"
#include "internal/standalone/apiserver/call.h"
#include "internal/standalone/apiserver/object_codec.h"
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

std::string BookmarkLine(const ResourceInfo& resource, int64_t rv, bool initial_end) {
  Json object = {{"apiVersion", resource.ApiVersion()},
                 {"kind", resource.kind},
                 {"metadata", {{"resourceVersion", std::to_string(rv)}}}};
  if (initial_end) object["metadata"]["annotations"] = {{"k8s.io/initial-events-end", "true"}};
  OrderedJson line = OrderedJson::object();
  line["type"] = "BOOKMARK";
  line["object"] = resource.crd ? ToOrdered(object) : OrderBuiltinObject(object);
  return GoJson(line) + "\n";
}

}  // namespace

std::string WatchLine(ApiServer& server, WatchSession& session, std::string_view type,
                      const Json& object) {
  const ResourceInfo& resource = *session.resource;
  OrderedJson line = OrderedJson::object();
  line["type"] = type;
  switch (session.accept.representation) {
    case Representation::kTable: {
      session.table.now = server.WallNow();
      OrderedJson meta = OrderedJson::object();
      meta["resourceVersion"] = object["metadata"].value("resourceVersion", "");
      std::vector<OrderedJson> rows;
      rows.push_back(TableRow(resource, object,
                              session.table.include == IncludeObject::kObject
                                  ? WireObject(resource, object)
                                  : OrderedJson(),
                              session.table));
      line["object"] = MakeTable(resource, std::move(meta), std::move(rows), session.table,
                                 !session.columns_sent);
      session.columns_sent = true;
      break;
    }
    case Representation::kPartialObjectMetadata:
    case Representation::kPartialObjectMetadataList:
      line["object"] = PartialObjectMetadata(object, session.accept.version);
      break;
    default:
      line["object"] = WireObject(resource, object);
  }
  return GoJson(line) + "\n";
}

WatchPump::WatchPump(ApiServer& server, const Clock& clock,
                     std::chrono::milliseconds bookmark_interval)
    : server_(server), clock_(clock), bookmark_interval_(bookmark_interval) {
  thread_ = std::thread([this] { Loop(); });
}

WatchPump::~WatchPump() { Stop(); }

void WatchPump::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& s : sessions_) {
    if (s->watcher) s->watcher->Stop();
    if (s->writer) s->writer->Finish();
  }
  sessions_.clear();
}

void WatchPump::Add(std::shared_ptr<WatchSession> session) {
  session->next_bookmark = clock_.Now() + bookmark_interval_;
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.push_back(std::move(session));
  dirty_ = true;
  cv_.notify_all();
}

void WatchPump::Notify() {
  std::lock_guard<std::mutex> lock(mu_);
  dirty_ = true;
  cv_.notify_all();
}

bool WatchPump::Pump(WatchSession& s, Clock::TimePoint now) {
  if (s.writer->closed()) return false;
  std::vector<Event> events;
  Status status = s.watcher->Poll(&events);
  for (const Event& event : events) {
    Json object = Json::parse(event.object->value, nullptr, false);
    if (object.is_discarded()) continue;
    DefaultOnRead(*s.resource, object);
    bool now_match = s.selection.Matches(object);
    const char* type = TypeName(event.type);
    if (event.type == EventType::kModified) {
      bool before = false;
      if (event.previous) {
        Json prev = Json::parse(event.previous->value, nullptr, false);
        before = !prev.is_discarded() && s.selection.Matches(prev);
      }
      if (!before && !now_match) continue;
      if (!before) type = "ADDED";
      if (!now_match) type = "DELETED";
    } else if (!now_match) {
      continue;
    }
    s.last_rv = event.rv();
    if (!s.writer->WriteChunk(WatchLine(server_, s, type, object))) return false;
  }
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
  bool final_due =
      s.deadline && !s.final_bookmark_sent && now >= *s.deadline - std::chrono::seconds(2);
  if (s.allow_bookmarks && (now >= s.next_bookmark || final_due)) {
    int64_t rv = std::max(s.last_rv, s.watcher->progress_rv());
    if (!s.writer->WriteChunk(BookmarkLine(*s.resource, rv, false))) return false;
    if (final_due) s.final_bookmark_sent = true;
    s.next_bookmark = now + bookmark_interval_;
  }
  return true;
}

void WatchPump::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    Clock::TimePoint now = clock_.Now();
    Clock::TimePoint wake = now + std::chrono::seconds(1);
    for (const auto& s : sessions_) {
      if (s->allow_bookmarks) {
        wake = std::min(wake, s->next_bookmark);
        if (s->deadline && !s->final_bookmark_sent) {
          wake = std::min(wake, *s->deadline - std::chrono::seconds(2));
        }
      }
      if (s->deadline) wake = std::min(wake, *s->deadline);
    }
    if (!dirty_) cv_.wait_until(lock, std::chrono::steady_clock::now() + (wake - now));
    if (stop_) break;
    dirty_ = false;
    std::vector<std::shared_ptr<WatchSession>> sessions = sessions_;
    lock.unlock();
    now = clock_.Now();
    std::vector<WatchSession*> finished;
    for (const auto& s : sessions) {
      if (!Pump(*s, now)) finished.push_back(s.get());
    }
    lock.lock();
    if (!finished.empty()) {
      std::erase_if(sessions_, [&](const std::shared_ptr<WatchSession>& s) {
        if (std::find(finished.begin(), finished.end(), s.get()) == finished.end()) return false;
        s->watcher->Stop();
        return true;
      });
    }
  }
}

void ApiServer::ServeWatch(Call& call) {
  const ResourceInfo& resource = *call.resource;
  const http::QueryParams& q = call.request.query;
  bool send_initial = q.GetOr("sendInitialEvents", "") == "true";
  if (send_initial && q.GetOr("resourceVersionMatch", "") != "NotOlderThan") {
    OrderedJson details = OrderedJson::object();
    details["group"] = "meta.k8s.io";
    details["kind"] = "ListOptions";
    StatusCause cause{"FieldValueForbidden",
                      "Forbidden: sendInitialEvents requires setting resourceVersionMatch to "
                      "NotOlderThan",
                      "resourceVersionMatch"};
    OrderedJson c = OrderedJson::object();
    c["reason"] = cause.reason;
    c["message"] = cause.message;
    c["field"] = cause.field;
    details["causes"] = OrderedJson::array({c});
    return RespondError(call, ApiError::Make(422, "Invalid",
                                             "ListOptions.meta.k8s.io \"\" is invalid: "
                                             "resourceVersionMatch: " +
                                                 cause.message,
                                             std::move(details)));
  }
  ApiOr<Selection> selection = ParseSelection(resource, q);
  if (!selection.ok()) return RespondError(call, selection.error());
  auto session = std::make_shared<WatchSession>();
  session->resource = call.resource;
  session->selection = std::move(*selection);
  session->accept = call.accept;
  session->table.version = call.accept.version;
  std::string include(q.GetOr("includeObject", "Metadata"));
  session->table.include = include == "None"     ? IncludeObject::kNone
                           : include == "Object" ? IncludeObject::kObject
                                                 : IncludeObject::kMetadata;
  session->allow_bookmarks = q.GetOr("allowWatchBookmarks", "") == "true";
  if (auto t = q.Get("timeoutSeconds"); t && !t->empty()) {
    int64_t seconds = std::strtoll(std::string(*t).c_str(), nullptr, 10);
    session->deadline = clock_.Now() + std::chrono::seconds(seconds);
  }
  std::string prefix = ListPrefix(resource, call.info.namespace_);
  std::string rv_text(q.GetOr("resourceVersion", ""));
  bool initial = rv_text.empty() || rv_text == "0" || send_initial;
  std::vector<ObjectPtr> initial_items;
  int64_t from_rv = 0;
  if (initial) {
    StatusOr<ListResponse> listed = store_.List(ListAll(prefix));
    if (!listed.ok()) return RespondError(call, ApiError::FromStatus(listed.status()));
    initial_items = std::move(listed->items);
    from_rv = listed->rv;
  } else {
    from_rv = std::strtoll(rv_text.c_str(), nullptr, 10);
  }
  WatchPump* pump = pump_.get();
  StatusOr<std::unique_ptr<Watcher>> watcher = store_.Watch([&] {
    WatchRequest request;
    request.prefix = prefix;
    request.from_rv = from_rv;
    request.on_ready = [pump] { pump->Notify(); };
    return request;
  }());
  call.writer.StartStream(200, ApiHeaders());
  if (!watcher.ok()) {
    OrderedJson line = OrderedJson::object();
    line["type"] = "ERROR";
    line["object"] = ApiError::Gone(fmt::format("too old resource version: {} ({})", from_rv,
                                                store_.CompactedRv() + 1))
                         .body;
    call.writer.WriteChunk(GoJson(line) + "\n");
    call.writer.Finish();
    return;
  }
  session->watcher = std::move(*watcher);
  session->last_rv = from_rv;
  for (const ObjectPtr& item : initial_items) {
    Json object = Json::parse(item->value, nullptr, false);
    if (object.is_discarded()) continue;
    DefaultOnRead(resource, object);
    if (!session->selection.Matches(object)) continue;
    call.writer.WriteChunk(WatchLine(*this, *session, "ADDED", object));
  }
  if (send_initial && session->allow_bookmarks) {
    Json object = {{"apiVersion", resource.ApiVersion()},
                   {"kind", resource.kind},
                   {"metadata",
                    {{"annotations", {{"k8s.io/initial-events-end", "true"}}},
                     {"resourceVersion", std::to_string(from_rv)}}}};
    OrderedJson line = OrderedJson::object();
    line["type"] = "BOOKMARK";
    line["object"] = resource.crd ? ToOrdered(object) : OrderBuiltinObject(object);
    call.writer.WriteChunk(GoJson(line) + "\n");
  }
  session->writer = call.writer.Retain();
  session->writer->SetOnClose([pump] { pump->Notify(); });
  pump->Add(std::move(session));
}

}  // namespace osbx::standalone
