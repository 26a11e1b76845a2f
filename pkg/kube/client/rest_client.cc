#include "pkg/kube/client/rest_client.h"

#include <condition_variable>
#include <mutex>

#include "pkg/kube/client/codec.h"
#include "pkg/kube/client/errors.h"

namespace osbx::kube {

struct RestClient::Call {
  std::string method;
  std::string path;  // including the query string
  std::string body;
  std::string content_type;
  std::string resource;  // metrics label
  HttpHeaders extra_headers = {};
};

// The outcome of one attempt: the response (status non-OK for transport failures and non-2xx
// answers) and when it arrived, which is where a retry wait starts.
struct RestClient::Answer {
  HttpResponse response;
  Clock::TimePoint at;
};

std::string_view PatchContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kApply:
      return "application/apply-patch+yaml";
    case PatchType::kStrategic:
      return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

StatusOr<std::unique_ptr<RestClient>> RestClient::New(const RestConfig& config,
                                                      RestClientOptions options) {
  if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
    return InvalidError("REST config: server \"" + config.server + "\" is not an http(s) URL");
  }
  if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
    return InvalidError("REST config: client certificate and key must be given together");
  }
  return std::unique_ptr<RestClient>(new RestClient(config, std::move(options)));
}

namespace {

bool IsAcceptHeader(std::string_view name) {
  return name.size() == 6 && (name[0] == 'A' || name[0] == 'a') && name.substr(1) == "ccept";
}

RestConfig Normalized(RestConfig config) {
  while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
  return config;
}

}  // namespace

RestClient::RestClient(RestConfig config, RestClientOptions options)
    : config_(Normalized(std::move(config))),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : RealClock::Get()),
      host_(UrlHost(config_.server)) {
  token_source_ =
      std::make_unique<TokenSource>(config_.bearer_token, config_.bearer_token_file, clock_);
  limiter_ = std::make_unique<TokenBucketRateLimiter>(config_.qps, config_.burst, clock_);
  TransportOptions topts;
  topts.tls = {config_.ca_pem, config_.client_cert_pem, config_.client_key_pem,
               config_.insecure_skip_tls_verify};
  topts.clock = &clock_;
  topts.http2 = options_.http2;
  transport_ = std::make_unique<Transport>(std::move(topts));
}

RestClient::~RestClient() { transport_->Shutdown(); }

StatusOr<HttpHeaders> RestClient::BaseHeaders() {
  HttpHeaders headers{{"Accept", "application/json"}, {"User-Agent", config_.user_agent}};
  OSBX_ASSIGN_OR_RETURN(std::string token, token_source_->Token());
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return headers;
}

RestClient::Answer RestClient::Attempt(const Call& call) {
  limiter_->Accept();
  StatusOr<HttpHeaders> headers = BaseHeaders();
  if (!headers.ok()) return {HttpResponse{headers.status(), 0, {}, {}}, clock_.Now()};
  if (!call.content_type.empty()) headers->emplace_back("Content-Type", call.content_type);
  for (const auto& [name, value] : call.extra_headers) {
    if (IsAcceptHeader(name)) {
      (*headers)[0].second = value;  // BaseHeaders puts Accept first
    } else {
      headers->emplace_back(name, value);
    }
  }
  HttpRequest request{call.method, config_.server + call.path, std::move(*headers), call.body,
                      config_.timeout};
  Clock::TimePoint start = clock_.Now();
  HttpResponse response = transport_->Send(std::move(request)).get();
  Clock::TimePoint end = clock_.Now();
  if (!response.status.ok()) {
    response.code = 0;
  } else if (response.code < 200 || response.code >= 300) {
    response.status =
        StatusFromResponse(response.code, response.body, response.Header("retry-after"));
  }
  if (options_.observer) {
    options_.observer({call.method, host_, call.resource, response.code, end - start});
  }
  return {std::move(response), end};
}

void RestClient::WaitUntil(Clock::TimePoint deadline) {
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mu);
  while (clock_.Now() < deadline) clock_.WaitUntil(cv, lock, deadline);
}

StatusOr<HttpResponse> RestClient::Execute(const Call& call) {
  for (int retries = 0;; ++retries) {
    Answer answer = Attempt(call);
    HttpResponse& r = answer.response;
    if (r.status.ok()) return std::move(r);
    if (r.status.code() == StatusCode::kCancelled) return r.status;
    std::optional<Clock::Duration> delay =
        RetryDelay(options_.retry, call.method, r.code, r.status, retries);
    if (!delay) return r.status;
    WaitUntil(answer.at + *delay);
  }
}

StatusOr<Json> RestClient::ExecuteJson(const Call& call) {
  OSBX_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  return ParseJsonBody(response.body);
}

StatusOr<Json> RestClient::Get(const ResourceRef& resource, std::string_view ns,
                               std::string_view name, std::string_view subresource) {
  OSBX_RETURN_IF_ERROR(CheckObjectAddress(resource, ns, name));
  return ExecuteJson(
      {"GET", ResourcePath(resource, ns, name, subresource), "", "", resource.resource});
}

StatusOr<ListResult> RestClient::List(const ResourceRef& resource, std::string_view ns,
                                      const ListOptions& options, ObjectDecoder* decoder) {
  Call call{"GET", ResourcePath(resource, ns) + EncodeQuery(ListQuery(options, false)), "", "",
            resource.resource};
  OSBX_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  if (decoder != nullptr) return decoder->DecodeList(response.body, resource);
  return ParseListBody(response.body, resource);
}

StatusOr<ListResult> RestClient::ListAll(const ResourceRef& resource, std::string_view ns,
                                         ListOptions options, ObjectDecoder* decoder) {
  constexpr int64_t kDefaultPageSize = 500;
  if (options.limit <= 0) options.limit = kDefaultPageSize;
  ListResult all;
  bool first = true;
  while (true) {
    StatusOr<ListResult> page = List(resource, ns, options, decoder);
    if (!page.ok() && page.status().IsGone() && !first) {
      // The snapshot behind the continue token was compacted: start over without paging.
      options.limit = 0;
      options.continue_token.clear();
      return List(resource, ns, options, decoder);
    }
    if (!page.ok()) return page.status();
    if (first) all.resource_version = page->resource_version;
    first = false;
    for (Json& item : page->items) all.items.push_back(std::move(item));
    if (page->continue_token.empty()) return all;
    options.continue_token = page->continue_token;
    // The server refuses a resourceVersion together with continue; the token pins the snapshot.
    options.resource_version.clear();
    options.resource_version_match.clear();
  }
}

StatusOr<Json> RestClient::Create(const ResourceRef& resource, std::string_view ns,
                                  const Json& object, const WriteOptions& options) {
  std::string namespace_(ns.empty() ? ObjectNamespace(object) : std::string(ns));
  if (resource.namespaced && namespace_.empty()) {
    return BadRequestError("create " + resource.resource + ": namespace is required");
  }
  Query query = WriteQuery(options.field_manager, options.dry_run);
  return ExecuteJson({"POST", ResourcePath(resource, namespace_) + EncodeQuery(query),
                      DumpJson(object), "application/json", resource.resource});
}

StatusOr<Json> RestClient::Update(const ResourceRef& resource, const Json& object,
                                  const WriteOptions& options) {
  std::string ns = resource.namespaced ? ObjectNamespace(object) : "";
  std::string name = ObjectName(object);
  OSBX_RETURN_IF_ERROR(CheckObjectAddress(resource, ns, name));
  Query query = WriteQuery(options.field_manager, options.dry_run);
  return ExecuteJson({"PUT", ResourcePath(resource, ns, name) + EncodeQuery(query),
                      DumpJson(object), "application/json", resource.resource});
}

StatusOr<Json> RestClient::UpdateStatus(const ResourceRef& resource, const Json& object,
                                        const WriteOptions& options) {
  std::string ns = resource.namespaced ? ObjectNamespace(object) : "";
  std::string name = ObjectName(object);
  OSBX_RETURN_IF_ERROR(CheckObjectAddress(resource, ns, name));
  Query query = WriteQuery(options.field_manager, options.dry_run);
  return ExecuteJson({"PUT", ResourcePath(resource, ns, name, "status") + EncodeQuery(query),
                      DumpJson(object), "application/json", resource.resource});
}

StatusOr<Json> RestClient::Patch(const ResourceRef& resource, std::string_view ns,
                                 std::string_view name, PatchType type, std::string_view body,
                                 const PatchOptions& options) {
  OSBX_RETURN_IF_ERROR(CheckObjectAddress(resource, ns, name));
  if (type == PatchType::kApply && options.field_manager.empty()) {
    return InvalidError("server-side apply requires a field manager");
  }
  Query query = WriteQuery(options.field_manager, options.dry_run);
  if (type == PatchType::kApply && options.force) query.emplace_back("force", "true");
  return ExecuteJson({"PATCH",
                      ResourcePath(resource, ns, name, options.subresource) + EncodeQuery(query),
                      std::string(body), std::string(PatchContentType(type)), resource.resource});
}

StatusOr<Json> RestClient::Delete(const ResourceRef& resource, std::string_view ns,
                                  std::string_view name, const DeleteOptions& options) {
  OSBX_RETURN_IF_ERROR(CheckObjectAddress(resource, ns, name));
  std::optional<Json> body = DeleteOptionsBody(options);
  return ExecuteJson({"DELETE", ResourcePath(resource, ns, name),
                      body ? DumpJson(*body) : std::string(), body ? "application/json" : "",
                      resource.resource});
}

StatusOr<RawResponse> RestClient::Request(std::string_view method, std::string_view path,
                                          const Query& query, std::string_view body,
                                          std::string_view content_type,
                                          const HttpHeaders& headers) {
  if (path.empty() || path.front() != '/') {
    return InvalidError("request path must start with '/': " + std::string(path));
  }
  Call call{std::string(method), std::string(path) + EncodeQuery(query),
            std::string(body),   std::string(content_type),
            std::string(path),   headers};
  OSBX_ASSIGN_OR_RETURN(HttpResponse response, Execute(call));
  return RawResponse{response.code, std::move(response.headers), std::move(response.body)};
}

}  // namespace osbx::kube
