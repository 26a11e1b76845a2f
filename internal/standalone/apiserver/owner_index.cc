#include "internal/standalone/apiserver/owner_index.h"

#include <algorithm>

namespace osbx::standalone {
namespace {

std::string StringAt(const Json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::optional<IndexedObject> IndexedObject::FromJson(std::string key, bool is_namespace,
                                                     std::string_view value) {
  Json object = Json::parse(value, nullptr, false);
  if (object.is_discarded() || !object.is_object()) return std::nullopt;
  auto meta_it = object.find("metadata");
  if (meta_it == object.end() || !meta_it->is_object()) return std::nullopt;
  const Json& meta = *meta_it;
  IndexedObject out;
  out.key = std::move(key);
  out.is_namespace = is_namespace;
  out.ns = StringAt(meta, "namespace");
  out.name = StringAt(meta, "name");
  out.uid = StringAt(meta, "uid");
  out.deleting = meta.contains("deletionTimestamp") && !meta["deletionTimestamp"].is_null();
  if (auto f = meta.find("finalizers"); f != meta.end() && f->is_array()) {
    for (const Json& item : *f) {
      if (item == "foregroundDeletion") out.foreground = true;
      if (item == "orphan") out.orphan = true;
    }
  }
  if (auto refs = meta.find("ownerReferences"); refs != meta.end() && refs->is_array()) {
    for (const Json& ref : *refs) {
      if (ref.is_object()) out.owners.push_back(StringAt(ref, "uid"));
    }
  }
  return out;
}

void OwnerIndex::Affected(const IndexedObject& object, std::vector<std::string>* dirty) const {
  if (auto it = owned_.find(object.uid); !object.uid.empty() && it != owned_.end()) {
    dirty->insert(dirty->end(), it->second.begin(), it->second.end());
  }
  for (const std::string& owner_uid : object.owners) {
    const IndexedObject* owner = ByUid(owner_uid);
    if (owner != nullptr && owner->deleting) dirty->push_back(owner->key);
  }
  if (!object.ns.empty()) {
    auto ns_it = ns_keys_.find(object.ns);
    if (ns_it != ns_keys_.end()) {
      const IndexedObject* ns = Get(ns_it->second);
      if (ns != nullptr && ns->deleting) dirty->push_back(ns->key);
    }
  }
}

void OwnerIndex::Unlink(const IndexedObject& object) {
  if (!object.uid.empty()) {
    auto it = by_uid_.find(object.uid);
    if (it != by_uid_.end() && it->second == object.key) by_uid_.erase(it);
  }
  for (const std::string& owner_uid : object.owners) {
    auto it = owned_.find(owner_uid);
    if (it == owned_.end()) continue;
    it->second.erase(object.key);
    if (it->second.empty()) owned_.erase(it);
  }
  if (!object.ns.empty()) {
    auto it = by_ns_.find(object.ns);
    if (it != by_ns_.end()) {
      it->second.erase(object.key);
      if (it->second.empty()) by_ns_.erase(it);
    }
  }
  if (object.is_namespace) {
    auto it = ns_keys_.find(object.name);
    if (it != ns_keys_.end() && it->second == object.key) ns_keys_.erase(it);
  }
}

void OwnerIndex::Upsert(IndexedObject object, std::vector<std::string>* dirty) {
  auto old = objects_.find(object.key);
  if (old != objects_.end()) {
    // Owners this version no longer lists may be waiting for their dependents to go.
    for (const std::string& uid : old->second.owners) {
      if (std::find(object.owners.begin(), object.owners.end(), uid) != object.owners.end()) {
        continue;
      }
      const IndexedObject* owner = ByUid(uid);
      if (owner != nullptr && owner->deleting) dirty->push_back(owner->key);
    }
    Unlink(old->second);
    objects_.erase(old);
  }
  if (!object.uid.empty()) by_uid_[object.uid] = object.key;
  for (const std::string& uid : object.owners) owned_[uid].insert(object.key);
  if (!object.ns.empty()) by_ns_[object.ns].insert(object.key);
  if (object.is_namespace) ns_keys_[object.name] = object.key;
  if (!object.owners.empty()) dirty->push_back(object.key);
  if (object.deleting && (object.foreground || object.orphan || object.is_namespace)) {
    dirty->push_back(object.key);
    std::vector<std::string> dependents =
        object.is_namespace ? InNamespace(object.name) : Dependents(object.uid);
    dirty->insert(dirty->end(), dependents.begin(), dependents.end());
  }
  if (!object.ns.empty()) {
    auto ns_it = ns_keys_.find(object.ns);
    const IndexedObject* ns = ns_it == ns_keys_.end() ? nullptr : Get(ns_it->second);
    if (ns != nullptr && ns->deleting) dirty->push_back(object.key);
  }
  std::string key = object.key;
  objects_.emplace(std::move(key), std::move(object));
}

void OwnerIndex::Remove(const std::string& key, std::vector<std::string>* dirty) {
  auto it = objects_.find(key);
  if (it == objects_.end()) return;
  Affected(it->second, dirty);
  Unlink(it->second);
  objects_.erase(it);
}

void OwnerIndex::Clear() {
  objects_.clear();
  by_uid_.clear();
  owned_.clear();
  by_ns_.clear();
  ns_keys_.clear();
}

const IndexedObject* OwnerIndex::Get(const std::string& key) const {
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : &it->second;
}

const IndexedObject* OwnerIndex::ByUid(const std::string& uid) const {
  auto it = by_uid_.find(uid);
  return it == by_uid_.end() ? nullptr : Get(it->second);
}

size_t OwnerIndex::DependentCount(const std::string& uid) const {
  auto it = owned_.find(uid);
  return it == owned_.end() ? 0 : it->second.size();
}

std::vector<std::string> OwnerIndex::Dependents(const std::string& uid) const {
  auto it = owned_.find(uid);
  if (it == owned_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

size_t OwnerIndex::NamespaceCount(const std::string& ns) const {
  auto it = by_ns_.find(ns);
  return it == by_ns_.end() ? 0 : it->second.size();
}

std::vector<std::string> OwnerIndex::InNamespace(const std::string& ns) const {
  auto it = by_ns_.find(ns);
  if (it == by_ns_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> OwnerIndex::KeysWithPrefix(const std::string& prefix) const {
  std::vector<std::string> out;
  for (auto it = objects_.lower_bound(prefix);
       it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    out.push_back(it->first);
  }
  return out;
}

std::vector<std::string> OwnerIndex::Interesting() const {
  std::vector<std::string> out;
  for (const auto& [key, object] : objects_) {
    if (!object.owners.empty() || object.deleting) out.push_back(key);
  }
  return out;
}

bool OwnerIndex::MayMatter(const std::string& key, std::string_view value) const {
  const IndexedObject* known = Get(key);
  if (known == nullptr || known->deleting || !known->owners.empty() || known->is_namespace) {
    return true;
  }
  for (std::string_view word : {"ownerReferences", "deletionTimestamp", "finalizers"}) {
    if (value.find(word) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace osbx::standalone
