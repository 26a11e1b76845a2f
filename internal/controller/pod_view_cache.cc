#include "internal/controller/pod_view_cache.h"

#include "pkg/kube/meta/object.h"

namespace osbx::controller {

std::vector<scheduler::PodView> PodViewCache::ControlledBy(const kube::Indexer& pods,
                                                           std::string_view owner_uid,
                                                           const Filter& keep) {
  std::vector<scheduler::PodView> out;
  for (const auto& view : SharedControlledBy(pods, owner_uid, keep)) out.push_back(*view);
  return out;
}

std::vector<std::shared_ptr<const scheduler::PodView>> PodViewCache::SharedControlledBy(
    const kube::Indexer& pods, std::string_view owner_uid, const Filter& keep) {
  StatusOr<std::vector<kube::ObjectPtr>> owned = pods.ByIndex(kube::kOwnerUidIndex, owner_uid);
  if (!owned.ok()) owned = pods.List();  // built without RequiredIndexers(): a scan, still right
  std::vector<std::shared_ptr<const scheduler::PodView>> out;
  std::lock_guard lock(mu_);
  if (owned->empty()) {
    if (auto it = by_owner_.find(owner_uid); it != by_owner_.end()) by_owner_.erase(it);
    return out;
  }
  auto it = by_owner_.find(owner_uid);
  if (it == by_owner_.end()) it = by_owner_.emplace(std::string(owner_uid), Owner{}).first;
  Owner& owner = it->second;
  const uint64_t pass = ++owner.pass;
  for (const kube::ObjectPtr& pod : *owned) {
    Entry& entry = EntryLocked(owner, owner_uid, pod);
    entry.pass = pass;
    if (entry.controlled && (!keep || keep(*entry.view))) out.push_back(entry.view);
  }
  if (owner.entries.size() > 2 * owned->size() + 64) {
    std::erase_if(owner.entries, [pass](const auto& kv) { return kv.second.pass != pass; });
  }
  return out;
}

PodViewCache::Entry& PodViewCache::EntryLocked(Owner& owner, std::string_view owner_uid,
                                               const kube::ObjectPtr& pod) {
  Entry& entry = owner.entries[pod.get()];
  // The same address under a new object (the old one freed, its weak reference expired) is a
  // different pod object: derive its view again.
  if (entry.object.owner_before(pod) || pod.owner_before(entry.object) || entry.object.expired()) {
    entry.object = pod;
    entry.controlled = kube::IsControlledBy(*pod, owner_uid);
    entry.view = entry.controlled
                     ? std::make_shared<const scheduler::PodView>(scheduler::FromPod(*pod))
                     : nullptr;
  }
  return entry;
}

std::shared_ptr<const scheduler::PodView> PodViewCache::ViewOf(std::string_view owner_uid,
                                                               const kube::ObjectPtr& pod) {
  std::lock_guard lock(mu_);
  auto it = by_owner_.find(owner_uid);
  if (it == by_owner_.end()) it = by_owner_.emplace(std::string(owner_uid), Owner{}).first;
  Entry& entry = EntryLocked(it->second, owner_uid, pod);
  return entry.controlled ? entry.view
                          : std::make_shared<const scheduler::PodView>(scheduler::FromPod(*pod));
}

void PodViewCache::Forget(std::string_view owner_uid) {
  std::lock_guard lock(mu_);
  auto it = by_owner_.find(owner_uid);
  if (it != by_owner_.end()) by_owner_.erase(it);
}

}  // namespace osbx::controller
