#include "pkg/kube/meta/object.h"

#include <algorithm>

namespace osbx::kube {
namespace {

const Json* Metadata(const Json& object) {
  if (!object.is_object()) return nullptr;
  auto it = object.find("metadata");
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

// metadata, created (and made an object) if needed.
Json& MutableMetadata(Json& object) {
  if (!object.is_object()) object = Json::object();
  Json& meta = object["metadata"];
  if (!meta.is_object()) meta = Json::object();
  return meta;
}

std::string_view StringAt(const Json* parent, std::string_view key) {
  if (parent == nullptr) return {};
  auto it = parent->find(key);
  if (it == parent->end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

std::string_view MetaString(const Json& object, std::string_view key) {
  return StringAt(Metadata(object), key);
}

std::optional<Time> MetaTime(const Json& object, std::string_view key) {
  std::string_view text = MetaString(object, key);
  if (text.empty()) return std::nullopt;
  StatusOr<Time> t = ParseTime(text);
  return t.ok() ? std::optional<Time>(*t) : std::nullopt;
}

const Json* MetaMap(const Json& object, std::string_view field) {
  const Json* meta = Metadata(object);
  if (meta == nullptr) return nullptr;
  auto it = meta->find(field);
  return it != meta->end() && it->is_object() ? &*it : nullptr;
}

std::optional<std::string_view> MapEntry(const Json& object, std::string_view field,
                                         std::string_view key) {
  const Json* map = MetaMap(object, field);
  if (map == nullptr) return std::nullopt;
  auto it = map->find(key);
  if (it == map->end() || !it->is_string()) return std::nullopt;
  return std::string_view(it->get_ref<const std::string&>());
}

std::map<std::string, std::string> MapEntries(const Json& object, std::string_view field) {
  std::map<std::string, std::string> out;
  if (const Json* map = MetaMap(object, field)) {
    for (const auto& [k, v] : map->items()) {
      if (v.is_string()) out.emplace(k, v.get<std::string>());
    }
  }
  return out;
}

bool SetMapEntry(Json& object, const char* field, std::string_view key, std::string_view value) {
  if (MapEntry(object, field, key) == value) return false;
  Json& map = MutableMetadata(object)[field];
  if (!map.is_object()) map = Json::object();
  map[std::string(key)] = std::string(value);
  return true;
}

bool RemoveMapEntry(Json& object, const char* field, std::string_view key) {
  if (MetaMap(object, field) == nullptr) return false;
  Json& map = object["metadata"][field];
  return map.erase(std::string(key)) > 0;
}

std::string_view ApiGroup(std::string_view api_version) {
  size_t slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
}

bool SameOwner(const OwnerReference& a, const OwnerReference& b) {
  return ApiGroup(a.api_version) == ApiGroup(b.api_version) && a.kind == b.kind && a.name == b.name;
}

void SetOwnerReferences(Json& object, const std::vector<OwnerReference>& refs) {
  Json& meta = MutableMetadata(object);
  if (refs.empty()) {
    meta.erase("ownerReferences");
    return;
  }
  Json list = Json::array();
  for (const OwnerReference& r : refs) list.push_back(r.ToJson());
  meta["ownerReferences"] = std::move(list);
}

}  // namespace

std::string_view GetName(const Json& object) { return MetaString(object, "name"); }
std::string_view GetNamespace(const Json& object) { return MetaString(object, "namespace"); }
std::string_view GetGenerateName(const Json& object) { return MetaString(object, "generateName"); }
std::string_view GetUid(const Json& object) { return MetaString(object, "uid"); }
std::string_view GetResourceVersion(const Json& object) {
  return MetaString(object, "resourceVersion");
}
std::string_view GetApiVersion(const Json& object) {
  return object.is_object() ? StringAt(&object, "apiVersion") : std::string_view();
}
std::string_view GetKind(const Json& object) {
  return object.is_object() ? StringAt(&object, "kind") : std::string_view();
}

int64_t GetGeneration(const Json& object) {
  const Json* meta = Metadata(object);
  if (meta == nullptr) return 0;
  auto it = meta->find("generation");
  return it != meta->end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::optional<Time> GetCreationTimestamp(const Json& object) {
  return MetaTime(object, "creationTimestamp");
}
std::optional<Time> GetDeletionTimestamp(const Json& object) {
  return MetaTime(object, "deletionTimestamp");
}
bool IsBeingDeleted(const Json& object) { return !MetaString(object, "deletionTimestamp").empty(); }

std::string NamespacedKey(const Json& object) {
  return NamespacedKey(GetNamespace(object), GetName(object));
}

std::string NamespacedKey(std::string_view ns, std::string_view name) {
  if (ns.empty()) return std::string(name);
  std::string key;
  key.reserve(ns.size() + 1 + name.size());
  key.append(ns).append("/").append(name);
  return key;
}

std::pair<std::string, std::string> SplitNamespacedKey(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return {"", std::string(key)};
  return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

std::optional<std::string_view> GetLabel(const Json& object, std::string_view key) {
  return MapEntry(object, "labels", key);
}
std::map<std::string, std::string> GetLabels(const Json& object) {
  return MapEntries(object, "labels");
}
const Json& GetLabelsJson(const Json& object) {
  static const Json kNull;
  const Json* labels = MetaMap(object, "labels");
  return labels != nullptr ? *labels : kNull;
}
bool SetLabel(Json& object, std::string_view key, std::string_view value) {
  return SetMapEntry(object, "labels", key, value);
}
bool RemoveLabel(Json& object, std::string_view key) {
  return RemoveMapEntry(object, "labels", key);
}
std::optional<std::string_view> GetAnnotation(const Json& object, std::string_view key) {
  return MapEntry(object, "annotations", key);
}
std::map<std::string, std::string> GetAnnotations(const Json& object) {
  return MapEntries(object, "annotations");
}
bool SetAnnotation(Json& object, std::string_view key, std::string_view value) {
  return SetMapEntry(object, "annotations", key, value);
}
bool RemoveAnnotation(Json& object, std::string_view key) {
  return RemoveMapEntry(object, "annotations", key);
}

std::vector<std::string> GetFinalizers(const Json& object) {
  std::vector<std::string> out;
  const Json* meta = Metadata(object);
  if (meta == nullptr) return out;
  auto it = meta->find("finalizers");
  if (it == meta->end() || !it->is_array()) return out;
  for (const Json& f : *it) {
    if (f.is_string()) out.push_back(f.get<std::string>());
  }
  return out;
}

bool HasFinalizer(const Json& object, std::string_view finalizer) {
  std::vector<std::string> all = GetFinalizers(object);
  return std::find(all.begin(), all.end(), finalizer) != all.end();
}

bool AddFinalizer(Json& object, std::string_view finalizer) {
  if (HasFinalizer(object, finalizer)) return false;
  Json& list = MutableMetadata(object)["finalizers"];
  if (!list.is_array()) list = Json::array();
  list.push_back(std::string(finalizer));
  return true;
}

bool RemoveFinalizer(Json& object, std::string_view finalizer) {
  if (!HasFinalizer(object, finalizer)) return false;
  Json& meta = object["metadata"];
  Json kept = Json::array();
  for (const Json& f : meta["finalizers"]) {
    if (!(f.is_string() && f.get_ref<const std::string&>() == finalizer)) kept.push_back(f);
  }
  if (kept.empty()) {
    meta.erase("finalizers");
  } else {
    meta["finalizers"] = std::move(kept);
  }
  return true;
}

Json OwnerReference::ToJson() const {
  Json j = {{"apiVersion", api_version}, {"kind", kind}, {"name", name}, {"uid", uid}};
  if (controller) j["controller"] = *controller;
  if (block_owner_deletion) j["blockOwnerDeletion"] = *block_owner_deletion;
  return j;
}

OwnerReference OwnerReference::FromJson(const Json& json) {
  OwnerReference r;
  if (!json.is_object()) return r;
  r.api_version = StringAt(&json, "apiVersion");
  r.kind = StringAt(&json, "kind");
  r.name = StringAt(&json, "name");
  r.uid = StringAt(&json, "uid");
  auto c = json.find("controller");
  if (c != json.end() && c->is_boolean()) r.controller = c->get<bool>();
  auto b = json.find("blockOwnerDeletion");
  if (b != json.end() && b->is_boolean()) r.block_owner_deletion = b->get<bool>();
  return r;
}

std::vector<OwnerReference> GetOwnerReferences(const Json& object) {
  std::vector<OwnerReference> out;
  const Json* meta = Metadata(object);
  if (meta == nullptr) return out;
  auto it = meta->find("ownerReferences");
  if (it == meta->end() || !it->is_array()) return out;
  for (const Json& r : *it) out.push_back(OwnerReference::FromJson(r));
  return out;
}

std::optional<OwnerReference> GetControllerOf(const Json& object) {
  for (OwnerReference& r : GetOwnerReferences(object)) {
    if (r.IsController()) return std::move(r);
  }
  return std::nullopt;
}

bool IsControlledBy(const Json& object, std::string_view owner_uid) {
  std::optional<OwnerReference> c = GetControllerOf(object);
  return c && c->uid == owner_uid;
}

OwnerReference MakeControllerRef(const Json& owner, std::string_view api_version,
                                 std::string_view kind) {
  return OwnerReference{std::string(api_version),
                        std::string(kind),
                        std::string(GetName(owner)),
                        std::string(GetUid(owner)),
                        true,
                        true};
}

bool UpsertOwnerReference(Json& object, const OwnerReference& ref) {
  std::vector<OwnerReference> refs = GetOwnerReferences(object);
  auto same = std::find_if(refs.begin(), refs.end(),
                           [&ref](const OwnerReference& r) { return SameOwner(r, ref); });
  if (same != refs.end()) {
    if (*same == ref) return false;
    *same = ref;
  } else {
    refs.push_back(ref);
  }
  SetOwnerReferences(object, refs);
  return true;
}

Status SetControllerReference(Json& object, const OwnerReference& ref) {
  std::optional<OwnerReference> existing = GetControllerOf(object);
  if (existing && !SameOwner(*existing, ref)) {
    return ConflictError("Object " + NamespacedKey(GetNamespace(object), GetName(object)) +
                         " is already owned by another " + existing->kind + " controller " +
                         existing->name);
  }
  OwnerReference controller_ref = ref;
  controller_ref.controller = true;
  if (!controller_ref.block_owner_deletion) controller_ref.block_owner_deletion = true;
  (void)UpsertOwnerReference(object, controller_ref);
  return Status::Ok();
}

bool RemoveOwnerReference(Json& object, std::string_view owner_uid) {
  std::vector<OwnerReference> refs = GetOwnerReferences(object);
  auto end = std::remove_if(refs.begin(), refs.end(),
                            [owner_uid](const OwnerReference& r) { return r.uid == owner_uid; });
  if (end == refs.end()) return false;
  refs.erase(end, refs.end());
  SetOwnerReferences(object, refs);
  return true;
}

}  // namespace osbx::kube
