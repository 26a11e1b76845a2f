#pragma once
// ApiClient: the API calls the Pool and BatchSandbox reconcilers make, and nothing more: create,
// JSON merge patch (object or status subresource), delete with a uid precondition, and the one
// consistent list the allocation ledger is rebuilt from. Reconcilers read everything else from
// informer caches. RestApiClient serves it over the REST client; tests serve it in memory.
//
// Every write is counted in opensandbox_controller_api_writes_total{verb,resource} when the
// client is wrapped by CountingApiClient (see metrics.h).

#include <memory>
#include <string>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/client/resource.h"

namespace osbx::kube {
class RestClient;
}  // namespace osbx::kube

namespace osbx::controller {

// The resources the controllers read and write.
const kube::ResourceRef& PodResource();
const kube::ResourceRef& BatchSandboxResource();
const kube::ResourceRef& PoolResource();

class ApiClient {
 public:
  virtual ~ApiClient() = default;
  // POST of `object` into namespace `ns`; returns the stored object.
  [[nodiscard]] virtual StatusOr<Json> Create(const kube::ResourceRef& resource,
                                              const std::string& ns, const Json& object) = 0;
  // JSON merge patch of the object (or of its status subresource when `status`). A patch that
  // carries metadata.resourceVersion fails with kConflict when the object has moved on.
  [[nodiscard]] virtual StatusOr<Json> MergePatch(const kube::ResourceRef& resource,
                                                  const std::string& ns, const std::string& name,
                                                  const Json& patch, bool status) = 0;
  // DELETE; `uid` (when not empty) is a precondition, so a re-created namesake is never hit.
  [[nodiscard]] virtual Status Delete(const kube::ResourceRef& resource, const std::string& ns,
                                      const std::string& name, const std::string& uid) = 0;
  // A consistent (quorum) list of every object of `resource` in every namespace.
  [[nodiscard]] virtual StatusOr<std::vector<Json>> ListAll(const kube::ResourceRef& resource) = 0;
};

// Serves ApiClient over `client` (borrowed; must outlive the result).
std::unique_ptr<ApiClient> NewRestApiClient(kube::RestClient& client);

// Connects a REST client of its own with controller-runtime's config precedence (--kubeconfig,
// $KUBECONFIG, in-cluster, ~/.kube/config) and serves ApiClient over it.
[[nodiscard]] StatusOr<std::unique_ptr<ApiClient>> ConnectRestApiClient(
    const std::string& kubeconfig, double qps, int burst);

}  // namespace osbx::controller
