#include "internal/controller/batch_directory.h"

#include "pkg/kube/meta/object.h"

namespace osbx::controller {

std::string PoolKeyOf(const Json& batch_sandbox) {
  const Json* spec = batch_sandbox.contains("spec") ? &batch_sandbox["spec"] : nullptr;
  if (spec == nullptr || !spec->is_object()) return "";
  auto it = spec->find("poolRef");
  if (it == spec->end() || !it->is_string()) return "";
  const std::string& pool = it->get_ref<const std::string&>();
  if (pool.empty() || pool == "*") return "";
  return kube::NamespacedKey(kube::GetNamespace(batch_sandbox), pool);
}

void BatchDirectory::Attach(kube::SharedInformer& informer, GoneFunc on_gone) {
  on_gone_ = std::move(on_gone);
  informer.AddEventHandler({
      .on_add = [this](const kube::ObjectPtr& obj) { Upsert(*obj); },
      .on_update = [this](const kube::ObjectPtr&, const kube::ObjectPtr& obj) { Upsert(*obj); },
      .on_delete = [this](const kube::ObjectPtr& obj, bool) { Remove(*obj); },
  });
}

std::optional<std::string> BatchDirectory::KeyOf(std::string_view uid) const {
  std::lock_guard lock(mu_);
  auto it = by_uid_.find(uid);
  if (it == by_uid_.end()) return std::nullopt;
  return it->second.key;
}

std::vector<std::string> BatchDirectory::BatchesOfPool(std::string_view pool_key) const {
  std::lock_guard lock(mu_);
  auto it = by_pool_.find(pool_key);
  if (it == by_pool_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void BatchDirectory::Upsert(const Json& batch_sandbox) {
  std::string uid(kube::GetUid(batch_sandbox));
  if (uid.empty()) return;
  Entry entry{kube::NamespacedKey(batch_sandbox), PoolKeyOf(batch_sandbox)};
  std::lock_guard lock(mu_);
  auto [it, inserted] = by_uid_.try_emplace(uid, entry);
  if (!inserted && it->second.pool_key != entry.pool_key) {
    if (auto p = by_pool_.find(it->second.pool_key); p != by_pool_.end()) {
      p->second.erase(it->second.key);
      if (p->second.empty()) by_pool_.erase(p);
    }
    it->second = entry;
  }
  if (!entry.pool_key.empty()) by_pool_[entry.pool_key].insert(entry.key);
}

void BatchDirectory::Remove(const Json& batch_sandbox) {
  std::string uid(kube::GetUid(batch_sandbox));
  Entry entry;
  {
    std::lock_guard lock(mu_);
    auto it = by_uid_.find(uid);
    if (it == by_uid_.end()) return;
    entry = it->second;
    by_uid_.erase(it);
    if (auto p = by_pool_.find(entry.pool_key); p != by_pool_.end()) {
      p->second.erase(entry.key);
      if (p->second.empty()) by_pool_.erase(p);
    }
  }
  if (on_gone_) on_gone_(uid, entry.pool_key);
}

}  // namespace osbx::controller
