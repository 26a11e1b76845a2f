#include "internal/standalone/apiserver/api_server.h"
#include "internal/standalone/apiserver/selection.h"

#include <random>

#include <fmt/format.h>

#include "api/v1alpha1/crds_generated.h"
#include "internal/standalone/apiserver/call.h"
#include "internal/standalone/apiserver/executor.h"
#include "internal/standalone/apiserver/gc.h"
#include "internal/standalone/apiserver/managed_fields.h"
#include "internal/standalone/apiserver/object_codec.h"
#include "internal/standalone/apiserver/table.h"
#include "internal/standalone/apiserver/watch.h"
#include "internal/standalone/apiserver/wire_json.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::standalone {
namespace {

const RealClock& ProcessClock() {
  static const RealClock clock;
  return clock;
}

void SendPlain404(http::ResponseWriter& w) {
  w.Send(404,
         {{"Cache-Control", "no-cache, private"},
          {"Content-Type", "text/plain; charset=utf-8"},
          {"X-Content-Type-Options", "nosniff"}},
         "404 page not found\n");
}

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

http::Headers ApiHeaders(const std::vector<std::string>& warnings) {
  http::Headers headers{{"Cache-Control", "no-cache, private"},
                        {"Content-Type", "application/json"}};
  for (const std::string& warning : warnings) headers.Add("Warning", "299 - " + Quote(warning));
  return headers;
}

ApiServer::ApiServer(Store& store, ApiServerOptions options)
    : store_(store),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : ProcessClock()) {}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Start() {
  ResourcePtr crds = registry_.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  StatusOr<ListResponse> stored = store_.List(ListAll(crds->KeyPrefix()));
  if (!stored.ok()) return stored.status();
  for (const ObjectPtr& item : stored->items) {
    Json crd = Json::parse(item->value, nullptr, false);
    if (!crd.is_discarded()) (void)registry_.PutCrd(crd);
  }
  completions_ = std::make_unique<Executor>(options_.completion_threads);
  if (options_.async_writes) blocking_ = std::make_unique<Executor>(options_.blocking_threads);
  pump_ = std::make_unique<WatchPump>(*this, clock_, options_.bookmark_interval,
                                      options_.watch_threads);
  gc_ = std::make_unique<GarbageCollector>(*this);
  ResourcePtr namespaces = registry_.Find("", "v1", "namespaces");
  bool fresh = store_.ObjectCount(namespaces->KeyPrefix()) == 0;
  if (!fresh) return Status::Ok();
  WriteOptions boot;
  boot.manager = "opensandbox-apiserver";
  for (const char* name : {"default", "opensandbox-system"}) {
    ApiOr<Json> created = CreateObject(
        *namespaces, "",
        Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}}, boot);
    if (!created.ok()) return InternalError(GoJson(created.error().body));
  }
  for (std::string_view text :
       {api::v1alpha1::BatchSandboxCrdJson(), api::v1alpha1::PoolCrdJson()}) {
    Json crd = Json::parse(text, nullptr, false);
    if (crd.is_discarded()) return InternalError("embedded CRD is not JSON");
    ApiOr<Json> created = CreateObject(*crds, "", crd, boot);
    if (!created.ok()) return InternalError(GoJson(created.error().body));
  }
  return Status::Ok();
}

void ApiServer::Stop() {
  if (gc_) gc_->Stop();
  if (pump_) pump_->Stop();
  if (blocking_) blocking_->Stop();
  {
    // Async creates already queued in the store call back into this object: wait for them.
    std::unique_lock<std::mutex> lock(async_mu_);
    async_cv_.wait(lock, [this] { return async_in_flight_ == 0; });
  }
  if (completions_) completions_->Stop();
}

void ApiServer::NudgeGarbageCollector() {
  if (gc_) gc_->Nudge();
}

std::string ApiServer::NowText() const { return kube::FormatTime(clock_.WallNow()); }

std::string ApiServer::NewUid() const {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xffff,
                     b >> 48, b & 0xffffffffffffULL);
}

void ApiServer::RespondJson(Call& call, int code, const OrderedJson& body) {
  http::Headers headers = ApiHeaders(call.warnings);
  if (call.accept.representation == Representation::kYaml) {
    headers.Set("Content-Type", "application/yaml");
    call.writer.Send(code, std::move(headers), YamlText(body));
    return;
  }
  call.writer.Send(code, std::move(headers), BodyText(body));
}

void ApiServer::RespondError(Call& call, const ApiError& error) {
  if (error.code == 406) {
    // kube-apiserver writes this one indented.
    call.writer.Send(406, ApiHeaders(), error.body.dump(2));
    return;
  }
  http::Headers headers = ApiHeaders(call.warnings);
  if (error.code == 403) headers.Add("X-Content-Type-Options", "nosniff");
  call.writer.Send(error.code, std::move(headers), BodyText(error.body));
}

void ApiServer::Respond(Call& call, int code, const Json& object) {
  const ResourceInfo& resource = *call.resource;
  switch (call.accept.representation) {
    case Representation::kTable: {
      TableOptions options;
      options.version = call.accept.version;
      options.now = clock_.WallNow();
      std::string include(call.request.query.GetOr("includeObject", "Metadata"));
      options.include = include == "None"     ? IncludeObject::kNone
                        : include == "Object" ? IncludeObject::kObject
                                              : IncludeObject::kMetadata;
      OrderedJson meta = OrderedJson::object();
      meta["resourceVersion"] = object["metadata"].value("resourceVersion", "");
      std::vector<OrderedJson> rows;
      rows.push_back(TableRow(resource, object, WireObject(resource, object), options));
      RespondJson(call, code, MakeTable(resource, std::move(meta), std::move(rows), options));
      return;
    }
    case Representation::kPartialObjectMetadata:
    case Representation::kPartialObjectMetadataList:
      RespondJson(call, code, PartialObjectMetadata(object, call.accept.version));
      return;
    default:
      RespondJson(call, code, WireObject(resource, object));
  }
}

WriteOptions ApiServer::WriteOptionsOf(Call& call) const {
  WriteOptions options;
  const http::QueryParams& q = call.request.query;
  options.manager = std::string(q.GetOr("fieldManager", ""));
  if (options.manager.empty()) {
    options.manager = DefaultFieldManager(call.request.headers.Get("User-Agent"));
  }
  options.dry_run = q.Get("dryRun").has_value() && q.GetOr("dryRun", "") == "All";
  options.field_validation = std::string(q.GetOr("fieldValidation", ""));
  options.warnings = &call.warnings;
  return options;
}

ApiError ApiServer::AnonymousForbidden(const http::Request& request) const {
  std::optional<RequestInfo> info = ParseResourcePath(request.path);
  if (!info || info->resource.empty()) {
    return ApiError::Make(403, "Forbidden",
                          fmt::format("forbidden: User \"system:anonymous\" cannot {} path \"{}\"",
                                      request.method == "GET" ? "get" : "post", request.path),
                          OrderedJson::object());
  }
  std::string verb;
  if (request.method == "GET") {
    verb = !info->name.empty()                          ? "get"
           : request.query.GetOr("watch", "") == "true" ? "watch"
                                                        : "list";
  } else if (request.method == "POST") {
    verb = "create";
  } else if (request.method == "PUT") {
    verb = "update";
  } else if (request.method == "PATCH") {
    verb = "patch";
  } else {
    verb = info->name.empty() ? "deletecollection" : "delete";
  }
  std::string what =
      info->subresource.empty() ? info->resource : info->resource + "/" + info->subresource;
  std::string message = fmt::format(
      "{} is forbidden: User \"system:anonymous\" cannot {} resource \"{}\" in API group \"{}\"",
      QualifiedResource(info->group, info->resource), verb, what, info->group);
  if (!info->namespace_.empty())
    message += fmt::format(" in the namespace \"{}\"", info->namespace_);
  OrderedJson details = OrderedJson::object();
  if (!info->name.empty()) details["name"] = info->name;
  if (!info->group.empty()) details["group"] = info->group;
  details["kind"] = info->resource;
  return ApiError::Make(403, "Forbidden", message, std::move(details));
}

void ApiServer::Serve(const http::Request& request, http::ResponseWriter& writer) {
  Call call{request, writer, {}, nullptr, {}, {}};
  std::string_view auth = request.headers.Get("Authorization");
  bool public_path = request.path == "/version" || request.path == "/healthz" ||
                     request.path == "/livez" || request.path == "/readyz";
  if (auth.empty()) {
    if (!public_path) {
      RespondError(call, AnonymousForbidden(request));
      return;
    }
  } else if (auth.substr(0, 7) != "Bearer " || auth.substr(7) != options_.token) {
    RespondError(call, ApiError::Unauthorized());
    return;
  }
  if (request.body.size() > options_.max_body_bytes) {
    RespondError(call, ApiError::TooLarge(fmt::format("Request entity too large: limit is {}",
                                                      options_.max_body_bytes)));
    return;
  }
  std::optional<RequestInfo> info = ParseResourcePath(request.path);
  if (!info || info->resource.empty()) {
    ServeNonResource(call);
    return;
  }
  call.info = *info;
  call.resource = registry_.Find(info->group, info->version, info->resource);
  if (call.resource == nullptr || (call.resource->namespaced == false && info->namespaced)) {
    SendPlain404(writer);
    return;
  }
  ServeResource(call);
}

void ApiServer::ServeNonResource(Call& call) {
  const std::string& path = call.request.path;
  if (path == "/healthz" || path == "/livez" || path == "/readyz") {
    call.writer.Send(200,
                     {{"Cache-Control", "no-cache, private"},
                      {"Content-Type", "text/plain; charset=utf-8"},
                      {"X-Content-Type-Options", "nosniff"}},
                     "ok");
    return;
  }
  if (path.rfind("/openapi/", 0) == 0) {
    ServeOpenApi(call);
    return;
  }
  if (path == "/version" || path == "/api" || path.rfind("/api/", 0) == 0 || path == "/apis" ||
      path.rfind("/apis/", 0) == 0) {
    ServeDiscovery(call);
    return;
  }
  SendPlain404(call.writer);
}

}  // namespace osbx::standalone
