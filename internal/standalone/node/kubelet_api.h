#pragma once
// KubeletApi: everything the simulated node asks of the API server, narrow enough to fake in
// tests. Production code serves it with the REST client (rest_kubelet_api.h), so the node's
// writes travel through the API server exactly like any other client's and are counted with
// them. Every call blocks its caller; the node runs several callers in parallel to keep many
// requests in flight.

#include <memory>
#include <string>
#include <string_view>

#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/client/resource.h"

namespace osbx::standalone {

class KubeletApi {
 public:
  virtual ~KubeletApi() = default;

  // List+watch of pods in every namespace.
  virtual std::unique_ptr<kube::ListerWatcher> PodListerWatcher() = 0;
  // List+watch of nodes (the node narrows it with a metadata.name field selector).
  virtual std::unique_ptr<kube::ListerWatcher> NodeListerWatcher() = 0;

  [[nodiscard]] virtual StatusOr<Json> GetPod(std::string_view ns, std::string_view name) = 0;
  // Assigns the pod to `node` (the pods/binding subresource, or an equivalent write), provided
  // the pod still has `uid`. Conflict when it is bound already or was replaced.
  [[nodiscard]] virtual Status BindPod(std::string_view ns, std::string_view name,
                                       std::string_view uid, std::string_view node) = 0;
  // JSON merge patch of the pod's status subresource; returns the pod as stored. The patch
  // carries metadata.uid as a precondition.
  [[nodiscard]] virtual StatusOr<Json> PatchPodStatus(std::string_view ns, std::string_view name,
                                                      const Json& patch) = 0;
  // The kubelet's final delete: gracePeriodSeconds=0 with a UID precondition.
  [[nodiscard]] virtual Status DeletePod(std::string_view ns, std::string_view name,
                                         std::string_view uid) = 0;

  [[nodiscard]] virtual StatusOr<Json> GetNode(std::string_view name) = 0;
  [[nodiscard]] virtual StatusOr<Json> CreateNode(const Json& node) = 0;
  // JSON merge patch of the Node itself (labels), or of its status subresource.
  [[nodiscard]] virtual StatusOr<Json> PatchNode(std::string_view name, const Json& patch) = 0;
  [[nodiscard]] virtual StatusOr<Json> PatchNodeStatus(std::string_view name,
                                                       const Json& patch) = 0;
};

}  // namespace osbx::standalone
