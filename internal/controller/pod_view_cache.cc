#include "internal/controller/pod_view_cache.h"

#include "pkg/kube/meta/object.h"

namespace osbx::controller {
namespace {

// True when `entry` was derived from exactly `obj`.
template <typename E>
bool SameObject(const E& entry, const kube::ObjectPtr& obj) {
  return !entry.object.owner_before(obj) && !obj.owner_before(entry.object) &&
         entry.object.lock().get() == obj.get();
}

}  // namespace

std::vector<scheduler::PodView> PodViewCache::ControlledBy(const kube::Indexer& pods,
                                                           std::string_view owner_uid) {
  StatusOr<std::vector<kube::ObjectPtr>> owned = pods.ByIndex(kube::kOwnerUidIndex, owner_uid);
  if (!owned.ok()) owned = pods.List();  // built without RequiredIndexers(): a scan, still right
  std::shared_ptr<Entries> previous;
  {
    std::lock_guard lock(mu_);
    auto it = by_owner_.find(owner_uid);
    if (it != by_owner_.end()) previous = it->second;
  }
  // Built outside the lock from an immutable previous generation; the next one replaces it.
  auto next = std::make_shared<Entries>();
  std::vector<scheduler::PodView> out;
  out.reserve(owned->size());
  for (const kube::ObjectPtr& pod : *owned) {
    std::string key = kube::NamespacedKey(*pod);
    Entry entry;
    bool reused = false;
    if (previous) {
      auto it = previous->find(key);
      if (it != previous->end() && SameObject(it->second, pod)) {
        entry = it->second;
        reused = true;
      }
    }
    if (!reused) {
      entry.object = pod;
      entry.controlled = kube::IsControlledBy(*pod, owner_uid);
      if (entry.controlled) entry.view = scheduler::FromPod(*pod);
    }
    if (entry.controlled) out.push_back(entry.view);
    next->emplace(std::move(key), std::move(entry));
  }
  std::lock_guard lock(mu_);
  if (next->empty()) {
    auto it = by_owner_.find(owner_uid);  // a pool without pods keeps no entry
    if (it != by_owner_.end()) by_owner_.erase(it);
  } else {
    by_owner_[std::string(owner_uid)] = std::move(next);
  }
  return out;
}

void PodViewCache::Forget(std::string_view owner_uid) {
  std::lock_guard lock(mu_);
  auto it = by_owner_.find(owner_uid);
  if (it != by_owner_.end()) by_owner_.erase(it);
}

}  // namespace osbx::controller
