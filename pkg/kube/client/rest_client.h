#pragma once
// The Kubernetes REST client: typed verbs over any resource (get, list with paging, create,
// update, status update, the four patch types, delete with propagation and preconditions, watch)
// plus a generic request for discovery. Calls block the calling thread; the bytes move on the
// transport's I/O thread. Errors come back as osbx::Status typed by the server's reason.
//
// Like client-go: requests pass a client-side token bucket (QPS/burst, never for watches), and
// 429s and retryable 5xx answers of idempotent calls are retried after the server's Retry-After.
// Every attempt is reported to an optional observer for metrics.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "internal/utils/clock.h"
#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/client/config.h"
#include "pkg/kube/client/paths.h"
#include "pkg/kube/client/rate_limiter.h"
#include "pkg/kube/client/resource.h"
#include "pkg/kube/client/retry.h"
#include "pkg/kube/client/transport.h"

namespace osbx::kube {

// One attempt of one request, for rest_client_requests_total{code,method,host} and latencies.
struct RequestMetrics {
  std::string verb;      // HTTP method
  std::string host;      // host:port of the server
  std::string resource;  // plural resource, or the path of a generic request
  int code = 0;          // HTTP status; 0 when no answer arrived
  Clock::Duration latency{};
};
using RequestObserver = std::function<void(const RequestMetrics&)>;

struct RestClientOptions {
  const Clock* clock = nullptr;  // RealClock when null; drives the limiter and retry waits
  RetryPolicy retry;
  RequestObserver observer;
  // A watch with no bytes for timeoutSeconds + slack is dead; without timeoutSeconds, the
  // default idle limit applies (the server's own default timeout is 30-60 min).
  Clock::Duration watch_idle_slack = std::chrono::seconds(30);
  Clock::Duration watch_default_idle = std::chrono::minutes(65);
  bool http2 = false;  // allow HTTP/2 for unary calls
};

enum class PatchType { kMerge, kJson, kApply, kStrategic };

// The Content-Type of a patch type ("application/merge-patch+json", ...).
std::string_view PatchContentType(PatchType type);

struct WriteOptions {
  std::string field_manager;
  bool dry_run = false;
};

struct PatchOptions {
  std::string field_manager;  // required for kApply
  bool force = false;         // kApply only: take over conflicting fields
  std::string subresource;    // e.g. "status"
  bool dry_run = false;
};

struct DeleteOptions {
  std::string propagation_policy;  // "", "Foreground", "Background", "Orphan"
  std::string precondition_uid;
  std::string precondition_resource_version;
  std::optional<int64_t> grace_period_seconds;
  bool dry_run = false;
};

// A successful answer of a generic request.
struct RawResponse {
  int code = 0;
  HttpHeaders headers;
  std::string body;
};

class RestClient {
 public:
  // Validates the config and starts the transport.
  [[nodiscard]] static StatusOr<std::unique_ptr<RestClient>> New(const RestConfig& config,
                                                                 RestClientOptions options = {});
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  const RestConfig& config() const { return config_; }

  [[nodiscard]] StatusOr<Json> Get(const ResourceRef& resource, std::string_view ns,
                                   std::string_view name, std::string_view subresource = {});

  // One page; items get apiVersion/kind when the server left them out (built-in lists). The
  // answer is decoded by `decoder` when given, else whole.
  [[nodiscard]] StatusOr<ListResult> List(const ResourceRef& resource, std::string_view ns,
                                          const ListOptions& options,
                                          ObjectDecoder* decoder = nullptr);

  // Every page, following `continue` (default page size 500, like client-go's pager). An expired
  // continue token falls back to one unpaged list.
  [[nodiscard]] StatusOr<ListResult> ListAll(const ResourceRef& resource, std::string_view ns,
                                             ListOptions options, ObjectDecoder* decoder = nullptr);

  // POST. The object may carry metadata.generateName instead of a name. An empty `ns` means the
  // object's own metadata.namespace.
  [[nodiscard]] StatusOr<Json> Create(const ResourceRef& resource, std::string_view ns,
                                      const Json& object, const WriteOptions& options = {});

  // PUT of the whole object, addressed by its metadata; a stale resourceVersion gives kConflict.
  [[nodiscard]] StatusOr<Json> Update(const ResourceRef& resource, const Json& object,
                                      const WriteOptions& options = {});
  [[nodiscard]] StatusOr<Json> UpdateStatus(const ResourceRef& resource, const Json& object,
                                            const WriteOptions& options = {});

  [[nodiscard]] StatusOr<Json> Patch(const ResourceRef& resource, std::string_view ns,
                                     std::string_view name, PatchType type, std::string_view body,
                                     const PatchOptions& options = {});

  // DELETE. Returns what the server answered: the object (finalizers pending, pods) or a Status.
  [[nodiscard]] StatusOr<Json> Delete(const ResourceRef& resource, std::string_view ns,
                                      std::string_view name, const DeleteOptions& options = {});

  // Opens a watch. Callbacks run on the transport's I/O thread: every event in order, then
  // on_close once (Ok after a clean end of stream; kGone after an ERROR event with 410 Expired,
  // which is also delivered as a kError event; kServerTimeout when the watchdog fires). Never
  // throttled by the client-side limiter. Each event line is decoded by `decoder` when given
  // (on the I/O thread, as the bytes arrive), else whole.
  [[nodiscard]] StatusOr<std::unique_ptr<WatchHandle>> Watch(
      const ResourceRef& resource, std::string_view ns, const ListOptions& options,
      WatchCallbacks callbacks, std::unique_ptr<ObjectDecoder> decoder = nullptr);

  // Any request (discovery, /version). `path` starts with '/'. Non-2xx answers are errors.
  // `headers` are added to the request; an Accept among them replaces the default
  // application/json (e.g. to ask for aggregated discovery).
  [[nodiscard]] StatusOr<RawResponse> Request(std::string_view method, std::string_view path,
                                              const Query& query = {}, std::string_view body = {},
                                              std::string_view content_type = {},
                                              const HttpHeaders& headers = {});

  // A ListerWatcher for informers: one resource, one namespace ("" = all). It honours
  // ListerWatcher::UseDecoder: list answers and watch streams are then decoded by the caller's
  // decoders.
  std::unique_ptr<ListerWatcher> NewListerWatcher(ResourceRef resource, std::string ns);

  // The transport, e.g. to wake its timers in tests.
  Transport& transport() { return *transport_; }

 private:
  struct Call;
  struct Answer;
  RestClient(RestConfig config, RestClientOptions options);
  // Runs a call with throttling and retries; the response of a 2xx answer, else the error.
  StatusOr<HttpResponse> Execute(const Call& call);
  Answer Attempt(const Call& call);
  StatusOr<Json> ExecuteJson(const Call& call);
  void WaitUntil(Clock::TimePoint deadline);
  StatusOr<HttpHeaders> BaseHeaders();

  const RestConfig config_;
  const RestClientOptions options_;
  const Clock& clock_;
  const std::string host_;
  std::unique_ptr<TokenSource> token_source_;
  std::unique_ptr<TokenBucketRateLimiter> limiter_;
  std::unique_ptr<Transport> transport_;
};

}  // namespace osbx::kube
