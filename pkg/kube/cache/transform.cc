#include "pkg/kube/cache/transform.h"

namespace osbx::kube {
namespace {

using P = FieldProjection;

P BuildPodCacheProjection() {
  // Of a pod's metadata, controllers read nearly everything; not these.
  P metadata = P::Except(
      {{"managedFields", P::Drop()},
       {"generateName", P::Drop()},
       {"generation", P::Drop()},
       {"deletionGracePeriodSeconds", P::Drop()},
       {"selfLink", P::Drop()},
       {"annotations", P::Except({{"kubectl.kubernetes.io/last-applied-configuration", P::Drop()}})
                           .DropIfEmpty()}});
  P spec = P::Only({{"nodeName", P::Whole()}}).DropIfEmpty();
  P ready_condition = P::EachWhere(
      "type", "Ready",
      P::Only({{"type", P::Whole()}, {"status", P::Whole()}, {"lastTransitionTime", P::Whole()}}));
  // What scheduler::FromPod reads: restarts, a failing waiting reason, the last termination.
  P container_status = P::Only(
      {{"name", P::Whole()},
       {"restartCount", P::Whole()},
       {"state",
        P::Only({{"waiting", P::Only({{"reason", P::Whole()}}).DropIfEmpty()}}).DropIfEmpty()},
       {"lastState",
        P::Only({{"terminated", P::Only({{"reason", P::Whole()}}).DropIfEmpty()}}).DropIfEmpty()}});
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

std::shared_ptr<const FieldProjection> WithoutManagedFields() {
  static const auto* const kProjection =
      new std::shared_ptr<const FieldProjection>(std::make_shared<const FieldProjection>(
          FieldProjection::SkipPaths({"metadata.managedFields"})));
  return *kProjection;
}

std::shared_ptr<const FieldProjection> DefaultProjectionFor(const ResourceRef& resource) {
  if (resource.group.empty() && resource.version == "v1" && resource.resource == "pods") {
    // The contract is a process-lifetime constant: share it without owning it.
    return std::shared_ptr<const FieldProjection>(std::shared_ptr<const FieldProjection>(),
                                                  &PodCacheProjection());
  }
  return WithoutManagedFields();
}

TransformFunc DefaultTransformFor(const ResourceRef& resource) {
  if (resource.group.empty() && resource.version == "v1" && resource.resource == "pods") {
    return TrimPodForCache;
  }
  return StripManagedFields;
}

}  // namespace osbx::kube
