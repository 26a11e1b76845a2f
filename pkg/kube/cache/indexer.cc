#include "pkg/kube/cache/indexer.h"

#include <algorithm>

#include "pkg/kube/cache/object_meta.h"

namespace osbx::kube {

std::vector<std::string> IndexByNamespace(const Json& obj) {
  std::string_view ns = MetaString(obj, "namespace");
  if (ns.empty()) return {};
  return {std::string(ns)};
}

std::vector<std::string> IndexByOwnerUid(const Json& obj) {
  std::vector<std::string> uids;
  if (!obj.is_object()) return uids;
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return uids;
  auto owners = meta->find("ownerReferences");
  if (owners == meta->end() || !owners->is_array()) return uids;
  for (const Json& owner : *owners) {
    if (!owner.is_object()) continue;
    auto uid = owner.find("uid");
    if (uid != owner.end() && uid->is_string()) uids.push_back(uid->get<std::string>());
  }
  return uids;
}

std::string LabelIndexValue(std::string_view key, std::string_view value) {
  std::string out;
  out.reserve(key.size() + 1 + value.size());
  out.append(key).append("=").append(value);
  return out;
}

std::vector<std::string> IndexByLabel(const Json& obj) {
  std::vector<std::string> values;
  const Json* labels = MetaMap(obj, "labels");
  if (labels == nullptr) return values;
  for (auto it = labels->begin(); it != labels->end(); ++it) {
    if (it.value().is_string()) {
      values.push_back(LabelIndexValue(it.key(), it.value().get_ref<const std::string&>()));
    }
  }
  return values;
}

Indexer::Indexer(Indexers indexers) : indexers_(std::move(indexers)) {
  MutexLock lock(mu_);
  for (const auto& [name, fn] : indexers_) indices_[name];
}

Status Indexer::AddIndex(std::string name, IndexFunc fn) {
  MutexLock lock(mu_);
  if (indexers_.count(name) != 0) return AlreadyExistsError("index " + name + " already exists");
  Index& index = indices_[name];
  for (const auto& [key, obj] : items_) {
    for (std::string& value : fn(*obj)) index[std::move(value)].insert(key);
  }
  indexers_.emplace(std::move(name), std::move(fn));
  return Status::Ok();
}

// Moves `key` from the index values of old_obj to those of new_obj (either may be null).
void Indexer::IndexLocked(const std::string& key, const Json* old_obj, const Json* new_obj) {
  for (const auto& [name, fn] : indexers_) {
    Index& index = indices_.find(name)->second;
    std::vector<std::string> old_values = old_obj ? fn(*old_obj) : std::vector<std::string>{};
    std::vector<std::string> new_values = new_obj ? fn(*new_obj) : std::vector<std::string>{};
    if (old_values == new_values) continue;  // the common case: an update touching no index
    for (const std::string& value : old_values) {
      auto it = index.find(value);
      if (it == index.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.erase(it);
    }
    for (std::string& value : new_values) index[std::move(value)].insert(key);
  }
}

StatusOr<ObjectPtr> Indexer::Upsert(ObjectPtr obj) {
  OSBX_ASSIGN_OR_RETURN(std::string key, ObjectKey(*obj));
  MutexLock lock(mu_);
  auto [it, inserted] = items_.try_emplace(std::move(key));
  ObjectPtr old = inserted ? nullptr : std::move(it->second);
  it->second = std::move(obj);
  IndexLocked(it->first, old.get(), it->second.get());
  return old;
}

ObjectPtr Indexer::Delete(std::string_view key) {
  MutexLock lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return nullptr;
  ObjectPtr old = std::move(it->second);
  IndexLocked(it->first, old.get(), nullptr);
  items_.erase(it);
  return old;
}

Indexer::ReplaceResult Indexer::Replace(std::vector<ObjectPtr> objects) {
  ReplaceResult result;
  MutexLock lock(mu_);
  StringMap<ObjectPtr> next;
  next.reserve(objects.size());
  for (ObjectPtr& obj : objects) {
    StatusOr<std::string> key = ObjectKey(*obj);
    if (key.ok()) next[std::move(key).value()] = std::move(obj);
  }
  for (auto& [key, obj] : items_) {
    if (next.find(key) == next.end()) {
      IndexLocked(key, obj.get(), nullptr);
      result.deleted.push_back(std::move(obj));
    }
  }
  for (auto& [key, obj] : next) {
    auto old = items_.find(key);
    const Json* old_obj = old != items_.end() ? old->second.get() : nullptr;
    IndexLocked(key, old_obj, obj.get());
    if (old_obj == nullptr) {
      result.added.push_back(obj);
    } else {
      result.updated.emplace_back(old->second, obj);
    }
  }
  items_ = std::move(next);
  return result;
}

ObjectPtr Indexer::Get(std::string_view key) const {
  MutexLock lock(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Indexer::List() const {
  MutexLock lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(obj);
  return out;
}

std::vector<std::string> Indexer::ListKeys() const {
  MutexLock lock(mu_);
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(key);
  return out;
}

size_t Indexer::Size() const {
  MutexLock lock(mu_);
  return items_.size();
}

const Indexer::Index* Indexer::FindIndexLocked(std::string_view name) const {
  auto it = indices_.find(name);
  return it == indices_.end() ? nullptr : &it->second;
}

StatusOr<std::vector<ObjectPtr>> Indexer::ByIndex(std::string_view index,
                                                  std::string_view value) const {
  MutexLock lock(mu_);
  const Index* idx = FindIndexLocked(index);
  if (idx == nullptr) return NotFoundError("no index named " + std::string(index));
  std::vector<ObjectPtr> out;
  auto it = idx->find(value);
  if (it == idx->end()) return out;
  out.reserve(it->second.size());
  for (const std::string& key : it->second) out.push_back(items_.find(key)->second);
  return out;
}

StatusOr<std::vector<std::string>> Indexer::IndexKeys(std::string_view index,
                                                      std::string_view value) const {
  MutexLock lock(mu_);
  const Index* idx = FindIndexLocked(index);
  if (idx == nullptr) return NotFoundError("no index named " + std::string(index));
  auto it = idx->find(value);
  if (it == idx->end()) return std::vector<std::string>{};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

}  // namespace osbx::kube
