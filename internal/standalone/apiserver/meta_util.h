#pragma once
// Small metadata helpers shared by the API server's object operations (internal).

#include <string>
#include <vector>

#include "internal/standalone/apiserver/registry.h"
#include "internal/utils/json.h"

namespace osbx::standalone::internal {

// Kinds whose metadata.generation the server maintains.
inline bool HasGeneration(const ResourceInfo& resource) {
  return resource.crd || resource.resource == "pods" ||
         resource.resource == "customresourcedefinitions";
}

inline Json& Meta(Json& object) {
  if (!object.contains("metadata") || !object["metadata"].is_object()) {
    object["metadata"] = Json::object();
  }
  return object["metadata"];
}

inline std::string MetaString(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains("metadata")) return {};
  const Json& meta = object["metadata"];
  return meta.is_object() && meta.contains(key) && meta[key].is_string()
             ? meta[key].get<std::string>()
             : std::string();
}

inline std::vector<std::string> Finalizers(const Json& object) {
  std::vector<std::string> out;
  if (!object.is_object() || !object.contains("metadata")) return out;
  const Json& f = object["metadata"].value("finalizers", Json::array());
  if (!f.is_array()) return out;
  for (const Json& item : f) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace osbx::standalone::internal
