#include "internal/standalone/node/pod_trim.h"

#include <initializer_list>
#include <string_view>

#include "internal/standalone/node/faults.h"

namespace osbx::standalone {
namespace {

// Keeps only `keys` of an object.
void KeepKeys(Json& obj, std::initializer_list<const char*> keys) {
  if (!obj.is_object()) return;
  Json kept = Json::object();
  for (const char* key : keys) {
    auto it = obj.find(key);
    if (it != obj.end()) kept[key] = std::move(*it);
  }
  obj = std::move(kept);
}

// Applies `fn` to each element of the array at obj[field], if there is one.
template <typename Fn>
void ForEachIn(Json& obj, const char* field, Fn fn) {
  auto it = obj.find(field);
  if (it == obj.end() || !it->is_array()) return;
  for (Json& item : *it) fn(item);
}

void TrimContainerStatus(Json& status) {
  if (!status.is_object()) return;
  for (const char* derived : {"image", "imageID", "containerID", "started"}) status.erase(derived);
}

void TrimMetadata(Json& meta) {
  Json annotations = Json::object();
  auto it = meta.find("annotations");
  if (it != meta.end() && it->is_object()) {
    for (auto& [key, value] : it->items()) {
      if (std::string_view(key).starts_with(kSimAnnotationPrefix)) annotations[key] = value;
    }
  }
  KeepKeys(meta, {"name", "namespace", "uid", "resourceVersion", "deletionTimestamp",
                  "deletionGracePeriodSeconds"});
  if (!annotations.empty()) meta["annotations"] = std::move(annotations);
}

}  // namespace

void TrimStatusForNode(Json& status) {
  if (!status.is_object()) return;
  KeepKeys(status, {"phase", "reason", "message", "conditions", "hostIP", "podIP", "startTime",
                    "containerStatuses", "initContainerStatuses"});
  ForEachIn(status, "containerStatuses", TrimContainerStatus);
  ForEachIn(status, "initContainerStatuses", TrimContainerStatus);
}

void TrimPodForNode(Json& pod) {
  if (!pod.is_object()) return;
  KeepKeys(pod, {"metadata", "spec", "status"});
  auto meta = pod.find("metadata");
  if (meta != pod.end()) TrimMetadata(*meta);
  auto spec = pod.find("spec");
  if (spec != pod.end() && spec->is_object()) {
    KeepKeys(*spec, {"nodeName", "containers", "initContainers"});
    ForEachIn(*spec, "containers", [](Json& c) { KeepKeys(c, {"name", "image"}); });
    ForEachIn(*spec, "initContainers", [](Json& c) { KeepKeys(c, {"name", "image"}); });
  }
  auto status = pod.find("status");
  if (status != pod.end()) TrimStatusForNode(*status);
}

namespace {
constexpr char kPackedKey[] = "simNodePacked";
}  // namespace

void PackPodForCache(Json& pod) {
  TrimPodForNode(pod);
  if (!pod.is_object()) return;
  Json meta = pod.value("metadata", Json::object());
  KeepKeys(meta, {"name", "namespace", "resourceVersion"});
  Json packed = {{"metadata", std::move(meta)}, {kPackedKey, pod.dump()}};
  auto spec = pod.find("spec");
  if (spec != pod.end() && spec->contains("nodeName")) {
    packed["spec"] = {{"nodeName", (*spec)["nodeName"]}};
  }
  pod = std::move(packed);
}

Json UnpackCachedPod(const Json& cached) {
  auto it = cached.find(kPackedKey);
  if (it == cached.end() || !it->is_string()) return cached;
  Json pod = Json::parse(it->get_ref<const std::string&>(), nullptr, /*allow_exceptions=*/false);
  return pod.is_discarded() ? cached : pod;
}

}  // namespace osbx::standalone
