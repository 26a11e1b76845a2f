#include "pkg/kube/cache/object_meta.h"

namespace osbx::kube {
namespace {

const Json* Metadata(const Json& obj) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find("metadata");
  return it != obj.end() && it->is_object() ? &*it : nullptr;
}

}  // namespace

std::string_view MetaString(const Json& obj, std::string_view field) {
  const Json* meta = Metadata(obj);
  if (meta == nullptr) return {};
  auto it = meta->find(field);
  if (it == meta->end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

int64_t MetaGeneration(const Json& obj) {
  const Json* meta = Metadata(obj);
  if (meta == nullptr) return 0;
  auto it = meta->find("generation");
  return it != meta->end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

const Json* MetaMap(const Json& obj, std::string_view field) {
  const Json* meta = Metadata(obj);
  if (meta == nullptr) return nullptr;
  auto it = meta->find(field);
  return it != meta->end() && it->is_object() ? &*it : nullptr;
}

StatusOr<std::string> ObjectKey(const Json& obj) {
  std::string_view name = MetaString(obj, "name");
  if (name.empty()) return InvalidError("object has no metadata.name");
  std::string_view ns = MetaString(obj, "namespace");
  if (ns.empty()) return std::string(name);
  std::string key;
  key.reserve(ns.size() + 1 + name.size());
  key.append(ns).append("/").append(name);
  return key;
}

}  // namespace osbx::kube
