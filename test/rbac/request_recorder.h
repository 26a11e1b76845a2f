#pragma once
// Recording wrappers for the RBAC test: every call the controllers make through the API seams
// they are built on (ApiClient for reconciler writes and the ledger's list, ClusterClient for
// informers, Leases and Events) is recorded as the authorization attributes a Kubernetes API
// server would check: API group, resource[/subresource], verb, namespace. The wrapped clients
// still do the real work against a real (standalone) API server.
//
// Creating an object whose ownerReference sets blockOwnerDeletion also needs `update` on the
// owner's `finalizers` subresource (the OwnerReferencesPermissionEnforcement admission plugin),
// so such creates record that requirement too.

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "internal/controller/api_client.h"
#include "pkg/kube/runtime/cluster_client.h"

namespace osbx::rbac {

struct ApiRequest {
  std::string group;     // "" = core
  std::string resource;  // "pods", "pools/status", "batchsandboxes/finalizers"
  std::string verb;      // get list watch create update patch delete
  std::string ns;        // "" = all namespaces (list/watch) or cluster scope
  auto operator<=>(const ApiRequest&) const = default;
};

// The requests of one run; thread-safe.
class RequestLog {
 public:
  void Add(ApiRequest request);
  std::set<ApiRequest> Requests() const;
  bool Contains(const std::string& group, const std::string& resource,
                const std::string& verb) const;

 private:
  mutable std::mutex mu_;
  std::set<ApiRequest> requests_;  // guarded by mu_
};

// Records the reconcilers' calls. `resources` (the controllers' own resource list) resolves an
// owner reference's kind to the resource whose finalizers it needs.
std::unique_ptr<controller::ApiClient> NewRecordingApiClient(
    controller::ApiClient& inner, RequestLog& log, std::vector<kube::ResourceRef> resources);

// Records the manager's calls: informers' list and watch, Lease and Event writes.
std::unique_ptr<kube::ClusterClient> NewRecordingCluster(kube::ClusterClient& inner,
                                                         RequestLog& log);

}  // namespace osbx::rbac
