#pragma once
// RestKubeletApi: KubeletApi over the REST client, for the simulated node of standalone mode
// (and against any API server). Binding uses the pods/binding subresource, as the scheduler
// does; a server that does not serve it (404 on the subresource while the pod exists, or 405)
// gets a JSON merge patch of spec.nodeName with a UID precondition instead, from then on.

#include <atomic>
#include <memory>

#include "internal/standalone/node/kubelet_api.h"
#include "pkg/kube/client/rest_client.h"

namespace osbx::standalone {

class RestKubeletApi final : public KubeletApi {
 public:
  // `client` is borrowed and must outlive this object.
  explicit RestKubeletApi(kube::RestClient& client) : client_(client) {}

  std::unique_ptr<kube::ListerWatcher> PodListerWatcher() override;
  std::unique_ptr<kube::ListerWatcher> NodeListerWatcher() override;
  StatusOr<Json> GetPod(std::string_view ns, std::string_view name) override;
  Status BindPod(std::string_view ns, std::string_view name, std::string_view uid,
                 std::string_view node) override;
  StatusOr<Json> PatchPodStatus(std::string_view ns, std::string_view name,
                                const Json& patch) override;
  Status DeletePod(std::string_view ns, std::string_view name, std::string_view uid) override;
  StatusOr<Json> GetNode(std::string_view name) override;
  StatusOr<Json> CreateNode(const Json& node) override;
  StatusOr<Json> PatchNode(std::string_view name, const Json& patch) override;
  StatusOr<Json> PatchNodeStatus(std::string_view name, const Json& patch) override;

  // True once binding fell back to patching spec.nodeName.
  bool binding_by_patch() const { return bind_by_patch_.load(); }

 private:
  Status BindBySubresource(std::string_view ns, std::string_view name, std::string_view uid,
                           std::string_view node);
  Status BindByPatch(std::string_view ns, std::string_view name, std::string_view uid,
                     std::string_view node);

  kube::RestClient& client_;
  std::atomic<bool> bind_by_patch_{false};
};

// The resources the node reads and writes.
const kube::ResourceRef& PodsResource();
const kube::ResourceRef& NodesResource();

}  // namespace osbx::standalone
