// Pruning of fields a structural schema does not declare. Inside
// x-kubernetes-preserve-unknown-fields unknown fields stay, but declared properties below are
// still pruned; embedded resources and the resource root keep apiVersion, kind and metadata.

#include <algorithm>

#include "pkg/kube/schema/node.h"
#include "pkg/kube/schema/schema.h"

namespace osbx::kube::schema {
namespace {

bool IsTypeMeta(const std::string& key) {
  return key == "apiVersion" || key == "kind" || key == "metadata";
}

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

void Prune(const Node& n, Json& v, const std::string& path, bool resource,
           std::vector<std::string>& pruned) {
  if (v.is_array()) {
    if (!n.items) return;
    for (size_t i = 0; i < v.size(); ++i) {
      Prune(*n.items, v[i], path + "[" + std::to_string(i) + "]", n.items->embedded_resource,
            pruned);
    }
    return;
  }
  if (!v.is_object()) return;
  std::vector<std::string> drop;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& key = it.key();
    if (resource && IsTypeMeta(key)) continue;  // ObjectMeta is the apiserver's, not the schema's
    auto prop = n.properties.find(key);
    if (prop != n.properties.end()) {
      Prune(*prop->second, it.value(), Join(path, key), prop->second->embedded_resource, pruned);
    } else if (n.additional_properties) {
      Prune(*n.additional_properties, it.value(), Join(path, key),
            n.additional_properties->embedded_resource, pruned);
    } else if (!n.preserve_unknown_fields) {
      drop.push_back(key);
    }
  }
  for (const auto& key : drop) {
    v.erase(key);
    pruned.push_back(Join(path, key));
  }
}

}  // namespace

std::vector<std::string> Schema::Prune(Json& object) const {
  std::vector<std::string> pruned;
  schema::Prune(*root_, object, "", options_.resource_root || root_->embedded_resource, pruned);
  std::sort(pruned.begin(), pruned.end());
  return pruned;
}

}  // namespace osbx::kube::schema
