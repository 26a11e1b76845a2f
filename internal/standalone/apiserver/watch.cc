#include "internal/standalone/apiserver/watch.h"

#include <fmt/format.h>

#include "internal/standalone/apiserver/api_server.h"
#include "internal/standalone/apiserver/call.h"
#include "internal/standalone/apiserver/object_codec.h"
#include "internal/standalone/apiserver/wire_json.h"

namespace osbx::standalone {
namespace {

constexpr size_t kInitialChunkBytes = 256u << 10;

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
  pump->Assign(*session);
  StatusOr<std::unique_ptr<Watcher>> watcher = store_.Watch([&] {
    WatchRequest request;
    request.prefix = prefix;
    request.from_rv = from_rv;
    // The session outlives its watcher, and no callback runs once the watcher is stopped.
    request.on_ready = [pump, raw = session.get()] { pump->Notify(*raw); };
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
  std::string chunk;  // initial events go out in large chunks, not one write per object
  for (const ObjectPtr& item : initial_items) {
    Json object = Json::parse(item->value, nullptr, false);
    if (object.is_discarded()) continue;
    DefaultOnRead(resource, object);
    if (!session->selection.Matches(object)) continue;
    chunk += WatchLine(*this, *session, "ADDED", object);
    if (chunk.size() >= kInitialChunkBytes) {
      call.writer.WriteChunk(chunk);
      chunk.clear();
    }
  }
  call.writer.WriteChunk(chunk);
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
  session->writer->SetOnClose([pump, shard = session->shard] { pump->Wake(shard); });
  pump->Add(std::move(session));
}

}  // namespace osbx::standalone
