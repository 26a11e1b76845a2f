#include "pkg/kube/cache/transform.h"

namespace osbx::kube {
namespace {

using P = FieldProjection;

// Of a container state (state or lastState): the reasons a controller reports or acts on.
P ContainerState(bool with_waiting) {
  std::vector<P::Member> members;
  if (with_waiting) members.emplace_back("waiting", P::Only({{"reason", P::Whole()}}));
  members.emplace_back("terminated", P::Only({{"reason", P::Whole()}, {"exitCode", P::Whole()}}));
  return P::Only(std::move(members)).DropIfEmpty();
}

P BuildPodCacheProjection() {
  P metadata = P::Except(
      {{"managedFields", P::Drop()},
       {"annotations", P::Except({{"kubectl.kubernetes.io/last-applied-configuration", P::Drop()}})
                           .DropIfEmpty()}});
  P spec =
      P::Only({{"nodeName", P::Whole()},
               {"containers", P::Each(P::Only({{"name", P::Whole()}, {"image", P::Whole()}}))}});
  P ready_condition = P::EachWhere(
      "type", "Ready",
      P::Only({{"type", P::Whole()}, {"status", P::Whole()}, {"lastTransitionTime", P::Whole()}}));
  P container_status = P::Only({{"name", P::Whole()},
                                {"ready", P::Whole()},
                                {"restartCount", P::Whole()},
                                {"state", ContainerState(true)},
                                {"lastState", ContainerState(false)}});
  P status = P::Only({{"phase", P::Whole()},
                      {"reason", P::Whole()},
                      {"podIP", P::Whole()},
                      {"conditions", std::move(ready_condition)},
                      {"initContainerStatuses", P::Each(container_status)},
                      {"containerStatuses", P::Each(container_status)}});
  return P::Only({{"metadata", std::move(metadata)},
                  {"spec", std::move(spec)},
                  {"status", std::move(status)}});
}

}  // namespace

void StripManagedFields(Json& obj) {
  Json::object_t* members = obj.get_ptr<Json::object_t*>();
  if (members == nullptr) return;
  auto meta = members->find("metadata");
  if (meta == members->end()) return;
  if (Json::object_t* meta_members = meta->second.get_ptr<Json::object_t*>()) {
    meta_members->erase("managedFields");
  }
}

const FieldProjection& PodCacheProjection() {
  static const FieldProjection* const kProjection = new FieldProjection(BuildPodCacheProjection());
  return *kProjection;
}

void TrimPodForCache(Json& pod) { Project(pod, PodCacheProjection()); }

TransformFunc DefaultTransformFor(const ResourceRef& resource) {
  if (resource.group.empty() && resource.version == "v1" && resource.resource == "pods") {
    return TrimPodForCache;
  }
  return StripManagedFields;
}

}  // namespace osbx::kube
