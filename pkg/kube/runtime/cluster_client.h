#pragma once
// ClusterClient: what the manager needs from the API server (informers' list+watch, Leases for
// leader election, Events for the recorder). RestCluster (rest_adapters.h) implements it over
// the REST client; tests implement it over in-memory fakes.

#include <memory>
#include <string>

#include "pkg/kube/client/resource.h"
#include "pkg/kube/runtime/events.h"
#include "pkg/kube/runtime/lease.h"

namespace osbx::kube {

class ClusterClient {
 public:
  virtual ~ClusterClient() = default;
  // List+watch of `resource` in namespace `ns` ("" = all namespaces).
  virtual std::unique_ptr<ListerWatcher> NewListerWatcher(const ResourceRef& resource,
                                                          const std::string& ns) = 0;
  virtual LeaseClient& Leases() = 0;
  virtual EventSink& Events() = 0;
};

}  // namespace osbx::kube
