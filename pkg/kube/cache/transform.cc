#include "pkg/kube/cache/transform.h"

#include <initializer_list>
#include <string_view>

namespace osbx::kube {
namespace {

constexpr std::string_view kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

// Keeps only the listed keys of `obj` (when it is an object).
void KeepOnly(Json& obj, std::initializer_list<std::string_view> keys) {
  if (!obj.is_object()) return;
  for (auto it = obj.begin(); it != obj.end();) {
    bool keep = false;
    for (std::string_view key : keys) keep = keep || it.key() == key;
    it = keep ? std::next(it) : obj.erase(it);
  }
}

// Applies KeepOnly to every element of obj[field] (when it is an array).
void KeepOnlyInEach(Json& obj, std::string_view field,
                    std::initializer_list<std::string_view> keys) {
  auto it = obj.find(field);
  if (it == obj.end() || !it->is_array()) return;
  for (Json& element : *it) KeepOnly(element, keys);
}

void TrimContainerState(Json& status) {
  auto state = status.find("state");
  if (state == status.end() || !state->is_object()) return;
  KeepOnly(*state, {"waiting", "running", "terminated"});
  if (auto w = state->find("waiting"); w != state->end()) KeepOnly(*w, {"reason"});
  if (auto r = state->find("running"); r != state->end()) *r = Json::object();
  if (auto t = state->find("terminated"); t != state->end()) KeepOnly(*t, {"reason", "exitCode"});
}

}  // namespace

void StripManagedFields(Json& obj) {
  if (!obj.is_object()) return;
  auto meta = obj.find("metadata");
  if (meta != obj.end() && meta->is_object()) meta->erase("managedFields");
}

void TrimPodForCache(Json& pod) {
  if (!pod.is_object()) return;
  StripManagedFields(pod);
  if (auto meta = pod.find("metadata"); meta != pod.end() && meta->is_object()) {
    if (auto ann = meta->find("annotations"); ann != meta->end() && ann->is_object()) {
      ann->erase(std::string(kLastApplied));
      if (ann->empty()) meta->erase(ann);
    }
  }
  if (auto spec = pod.find("spec"); spec != pod.end() && spec->is_object()) {
    KeepOnly(*spec, {"nodeName", "containers"});
    KeepOnlyInEach(*spec, "containers", {"name", "image"});
  }
  if (auto status = pod.find("status"); status != pod.end() && status->is_object()) {
    KeepOnly(*status, {"phase", "podIP", "hostIP", "startTime", "conditions", "containerStatuses"});
    KeepOnlyInEach(*status, "conditions", {"type", "status", "reason", "lastTransitionTime"});
    KeepOnlyInEach(*status, "containerStatuses", {"name", "ready", "restartCount", "state"});
    if (auto cs = status->find("containerStatuses"); cs != status->end() && cs->is_array()) {
      for (Json& c : *cs) {
        if (c.is_object()) TrimContainerState(c);
      }
    }
  }
}

}  // namespace osbx::kube
