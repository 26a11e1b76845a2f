// Defaulting as kube-apiserver applies it on create, update and read: top-down, only inside
// objects that exist, nulls of non-nullable fields replaced by the default or dropped, nothing
// touched below x-kubernetes-preserve-unknown-fields unless the schema names the property.

#include "pkg/kube/schema/node.h"
#include "pkg/kube/schema/schema.h"

namespace osbx::kube::schema {
namespace {

void Default(const Node& n, Json& v);

void DefaultField(const Node& child, Json& object, const std::string& key) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (!child.default_value) return;
    it = object.emplace(key, *child.default_value).first;
  } else if (it->is_null() && !child.nullable) {
    if (!child.default_value) {
      object.erase(it);
      return;
    }
    *it = *child.default_value;
  }
  Default(child, *it);
}

void Default(const Node& n, Json& v) {
  if (v.is_object()) {
    for (const auto& [name, child] : n.properties) DefaultField(*child, v, name);
    if (n.additional_properties) {
      std::vector<std::string> keys;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!n.properties.count(it.key())) keys.push_back(it.key());
      }
      for (const auto& k : keys) DefaultField(*n.additional_properties, v, k);
    }
  } else if (v.is_array() && n.items) {
    for (auto& item : v) {
      if (item.is_null() && !n.items->nullable && n.items->default_value) {
        item = *n.items->default_value;
      }
      Default(*n.items, item);
    }
  }
}

}  // namespace

void Schema::ApplyDefaults(Json& object) const { Default(*root_, object); }

}  // namespace osbx::kube::schema
