#pragma once
// RestCluster: the runtime's API needs served by the REST client. It resolves the connection
// settings with controller-runtime's precedence (--kubeconfig, $KUBECONFIG, in-cluster,
// ~/.kube/config), owns the RestClient, and serves informers' list+watch, Leases and Events.
// Every REST attempt is counted in rest_client_requests_total and
// rest_client_request_duration_seconds.
//
// The REST client's headers stay inside rest_adapters.cc, so binaries can include this next to
// the manager without pulling in the whole client.

#include <memory>
#include <string>

#include "internal/utils/status.h"
#include "pkg/kube/runtime/cluster_client.h"
#include "pkg/kube/runtime/metrics.h"

namespace osbx::kube {

struct RestClusterOptions {
  // --kubeconfig ("" = the usual precedence).
  std::string kubeconfig;
  // Client-side rate limit; qps <= 0 disables it.
  double qps = 100;
  int burst = 200;
  // Metrics::Global() when null. Not owned.
  Metrics* metrics = nullptr;
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
