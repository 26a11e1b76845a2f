#include "internal/standalone/node/rest_kubelet_api.h"

#include "pkg/kube/client/paths.h"

namespace osbx::standalone {
namespace {

constexpr char kFieldManager[] = "opensandbox-sim-node";

kube::PatchOptions StatusPatch() {
  kube::PatchOptions options;
  options.field_manager = kFieldManager;
  options.subresource = "status";
  return options;
}

}  // namespace

const kube::ResourceRef& PodsResource() {
  static const kube::ResourceRef kPods{"", "v1", "pods", "Pod", true};
  return kPods;
}

const kube::ResourceRef& NodesResource() {
  static const kube::ResourceRef kNodes{"", "v1", "nodes", "Node", false};
  return kNodes;
}

std::unique_ptr<kube::ListerWatcher> RestKubeletApi::PodListerWatcher() {
  return client_.NewListerWatcher(PodsResource(), "");
}

std::unique_ptr<kube::ListerWatcher> RestKubeletApi::NodeListerWatcher() {
  return client_.NewListerWatcher(NodesResource(), "");
}

StatusOr<Json> RestKubeletApi::GetPod(std::string_view ns, std::string_view name) {
  return client_.Get(PodsResource(), ns, name);
}

Status RestKubeletApi::BindPod(std::string_view ns, std::string_view name, std::string_view uid,
                               std::string_view node) {
  if (bind_by_patch_.load()) return BindByPatch(ns, name, uid, node);
  Status status = BindBySubresource(ns, name, uid, node);
  bool unsupported = status.code() == StatusCode::kMethodNotAllowed;
  if (status.IsNotFound()) {
    // Either the pod is gone or the server has no pods/binding: only the pod can tell.
    unsupported = GetPod(ns, name).ok();
  }
  if (!unsupported) return status;
  bind_by_patch_.store(true);
  return BindByPatch(ns, name, uid, node);
}

Status RestKubeletApi::BindBySubresource(std::string_view ns, std::string_view name,
                                         std::string_view uid, std::string_view node) {
  Json binding = {{"apiVersion", "v1"},
                  {"kind", "Binding"},
                  {"metadata", {{"name", name}, {"namespace", ns}, {"uid", uid}}},
                  {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
  std::string path = kube::ResourcePath(PodsResource(), ns, name, "binding");
  auto response = client_.Request("POST", path, {{"fieldManager", kFieldManager}}, binding.dump(),
                                  "application/json");
  return response.status();
}

Status RestKubeletApi::BindByPatch(std::string_view ns, std::string_view name, std::string_view uid,
                                   std::string_view node) {
  Json patch = {{"metadata", {{"uid", uid}}}, {"spec", {{"nodeName", node}}}};
  kube::PatchOptions options;
  options.field_manager = kFieldManager;
  return client_.Patch(PodsResource(), ns, name, kube::PatchType::kMerge, patch.dump(), options)
      .status();
}

StatusOr<Json> RestKubeletApi::PatchPodStatus(std::string_view ns, std::string_view name,
                                              const Json& patch) {
  return client_.Patch(PodsResource(), ns, name, kube::PatchType::kMerge, patch.dump(),
                       StatusPatch());
}

Status RestKubeletApi::DeletePod(std::string_view ns, std::string_view name, std::string_view uid) {
  kube::DeleteOptions options;
  options.grace_period_seconds = 0;
  options.precondition_uid = std::string(uid);
  return client_.Delete(PodsResource(), ns, name, options).status();
}

StatusOr<Json> RestKubeletApi::GetNode(std::string_view name) {
  return client_.Get(NodesResource(), "", name);
}

StatusOr<Json> RestKubeletApi::CreateNode(const Json& node) {
  kube::WriteOptions options;
  options.field_manager = kFieldManager;
  return client_.Create(NodesResource(), "", node, options);
}

StatusOr<Json> RestKubeletApi::PatchNode(std::string_view name, const Json& patch) {
  kube::PatchOptions options;
  options.field_manager = kFieldManager;
  return client_.Patch(NodesResource(), "", name, kube::PatchType::kMerge, patch.dump(), options);
}

StatusOr<Json> RestKubeletApi::PatchNodeStatus(std::string_view name, const Json& patch) {
  return client_.Patch(NodesResource(), "", name, kube::PatchType::kMerge, patch.dump(),
                       StatusPatch());
}

}  // namespace osbx::standalone
