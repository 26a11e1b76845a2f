#include "pkg/kube/runtime/rest_adapters.h"

#include "pkg/kube/client/config.h"
#include "pkg/kube/client/rest_client.h"

namespace osbx::kube {
namespace {

const ResourceRef kLeases{.group = "coordination.k8s.io",
                          .version = "v1",
                          .resource = "leases",
                          .kind = "Lease",
                          .namespaced = true};
const ResourceRef kEvents{
    .group = "", .version = "v1", .resource = "events", .kind = "Event", .namespaced = true};

class RestLeaseClient final : public LeaseClient {
 public:
  explicit RestLeaseClient(RestClient& client) : client_(client) {}
  StatusOr<Json> Get(const std::string& ns, const std::string& name) override {
    return client_.Get(kLeases, ns, name);
  }
  StatusOr<Json> Create(const std::string& ns, const Json& lease) override {
    return client_.Create(kLeases, ns, lease);
  }
  StatusOr<Json> Update(const std::string&, const Json& lease) override {
    return client_.Update(kLeases, lease);  // PUT carries the observed resourceVersion
  }

 private:
  RestClient& client_;
};

class RestEventSink final : public EventSink {
 public:
  explicit RestEventSink(RestClient& client) : client_(client) {}
  StatusOr<Json> Create(const std::string& ns, const Json& event) override {
    return client_.Create(kEvents, ns, event);
  }
  StatusOr<Json> Patch(const std::string& ns, const std::string& name,
                       const Json& merge_patch) override {
    return client_.Patch(kEvents, ns, name, PatchType::kMerge, merge_patch.dump());
  }

 private:
  RestClient& client_;
};

}  // namespace

struct RestCluster::Impl {
  Impl(std::unique_ptr<RestClient> c, std::unique_ptr<RestClient> l)
      : client(std::move(c)), lease_client(std::move(l)), leases(*lease_client), events(*client) {}
  std::unique_ptr<RestClient> client;
  std::unique_ptr<RestClient> lease_client;  // bounded, never retried
  RestLeaseClient leases;
  RestEventSink events;
};

StatusOr<std::unique_ptr<RestCluster>> RestCluster::Connect(const RestClusterOptions& options) {
  OSBX_ASSIGN_OR_RETURN(RestConfig config, ResolveConfig(options.kubeconfig));
  config.qps = options.qps;
  config.burst = options.burst;
  Metrics& metrics = options.metrics != nullptr ? *options.metrics : Metrics::Global();
  RestClientOptions client_options;
  client_options.observer = [&metrics](const RequestMetrics& r) {
    metrics.ObserveRestRequest(r.verb, r.host, r.code, r.latency);
  };
  RestClientOptions lease_options = client_options;
  lease_options.retry.max_retries = 0;
  RestConfig lease_config = config;
  lease_config.timeout = options.lease_request_timeout;
  OSBX_ASSIGN_OR_RETURN(auto client, RestClient::New(config, std::move(client_options)));
  OSBX_ASSIGN_OR_RETURN(auto lease_client, RestClient::New(lease_config, std::move(lease_options)));
  return std::unique_ptr<RestCluster>(
      new RestCluster(std::make_unique<Impl>(std::move(client), std::move(lease_client))));
}

RestCluster::RestCluster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RestCluster::~RestCluster() = default;

std::unique_ptr<ListerWatcher> RestCluster::NewListerWatcher(const ResourceRef& resource,
                                                             const std::string& ns) {
  return impl_->client->NewListerWatcher(resource, ns);
}

RestClient& RestCluster::client() { return *impl_->client; }
LeaseClient& RestCluster::Leases() { return impl_->leases; }
EventSink& RestCluster::Events() { return impl_->events; }
std::string RestCluster::server() const { return impl_->client->config().server; }
std::string RestCluster::source() const { return impl_->client->config().source; }
std::string RestCluster::default_namespace() const {
  return impl_->client->config().default_namespace;
}

}  // namespace osbx::kube
