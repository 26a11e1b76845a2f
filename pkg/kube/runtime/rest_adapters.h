#pragma once
// RestCluster: the runtime's API needs served by the REST client. It resolves the connection
// settings with controller-runtime's precedence (--kubeconfig, $KUBECONFIG, in-cluster,
// ~/.kube/config), owns the RestClient, and serves informers' list+watch, Leases and Events.
// Every REST attempt is counted in rest_client_requests_total and
// rest_client_request_duration_seconds.
//
// The REST client's headers stay inside rest_adapters.cc, so binaries can include this next to
// the manager without pulling in the whole client.

#include <chrono>
#include <memory>
#include <string>

#include "internal/utils/status.h"
#include "pkg/kube/runtime/cluster_client.h"
#include "pkg/kube/runtime/metrics.h"

namespace osbx::kube {

class RestClient;  // pkg/kube/client/rest_client.h

struct RestClusterOptions {
  // --kubeconfig ("" = the usual precedence).
  std::string kubeconfig;
  // Client-side rate limit; qps <= 0 disables it.
  double qps = 100;
  int burst = 200;
  // Metrics::Global() when null. Not owned.
  Metrics* metrics = nullptr;
  // Bound on each Lease request, which is never retried inside the client: a leader must notice
  // a failed renewal before its renew deadline, not after the client's retries and backoff.
  // Keep it well below the renew deadline (10 s by default).
  std::chrono::milliseconds lease_request_timeout{std::chrono::seconds(4)};
};

class RestCluster final : public ClusterClient {
 public:
  [[nodiscard]] static StatusOr<std::unique_ptr<RestCluster>> Connect(
      const RestClusterOptions& options);
  ~RestCluster() override;

  std::unique_ptr<ListerWatcher> NewListerWatcher(const ResourceRef& resource,
                                                  const std::string& ns) override;
  LeaseClient& Leases() override;
  EventSink& Events() override;

  // The REST client, for reconcilers' reads and writes (include rest_client.h to use it).
  RestClient& client();

  // The API server URL and where the settings came from, for logs.
  std::string server() const;
  std::string source() const;
  // The namespace of the pod or kubeconfig context ("" when neither says).
  std::string default_namespace() const;

 private:
  struct Impl;
  explicit RestCluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace osbx::kube
