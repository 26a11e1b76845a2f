// The list-type and CEL passes. Both walk schema and object together with Kubernetes field
// paths (".child", "[index]", "[key]"); the CEL pass also walks the old object alongside, so
// transition rules see the old value at the same place (matched by key for maps and map-lists,
// by value for sets; atomic lists have no old items).

#include <algorithm>

#include "pkg/kube/schema/cel.h"
#include "pkg/kube/schema/go_format.h"
#include "pkg/kube/schema/validate.h"

namespace osbx::kube::schema {
namespace {

std::string Child(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}
std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// Go's %#v of a list-map key tuple: map[string]interface {}{"name":"a", "port":80}.
std::string GoKeyMap(const Json& item, const std::vector<std::string>& keys) {
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  std::string out = "map[string]interface {}{";
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) out += ", ";
    out += GoQuote(sorted[i]) + ":" + GoValue(item.value(sorted[i], Json()));
  }
  return out + "}";
}

Json KeyTuple(const Json& item, const std::vector<std::string>& keys) {
  Json t = Json::array();
  for (const auto& k : keys) t.push_back(item.is_object() ? item.value(k, Json()) : Json());
  return t;
}

void ListTypes(const Node& n, const Json& v, const std::string& path,
               std::vector<FieldError>& errors) {
  if (v.is_array()) {
    if (n.list_type == "set") {
      for (size_t j = 1; j < v.size(); ++j) {
        if (std::find(v.begin(), v.begin() + static_cast<long>(j), v[j]) !=
            v.begin() + static_cast<long>(j)) {
          errors.push_back(
              {"FieldValueDuplicate", Index(path, j), "Duplicate value: " + GoValue(v[j])});
        }
      }
    } else if (n.list_type == "map") {
      std::vector<Json> seen;
      for (size_t j = 0; j < v.size(); ++j) {
        Json tuple = KeyTuple(v[j], n.list_map_keys);
        if (std::find(seen.begin(), seen.end(), tuple) != seen.end()) {
          errors.push_back({"FieldValueDuplicate", Index(path, j),
                            "Duplicate value: " + GoKeyMap(v[j], n.list_map_keys)});
        }
        seen.push_back(std::move(tuple));
      }
    }
    if (n.items) {
      for (size_t i = 0; i < v.size(); ++i) ListTypes(*n.items, v[i], Index(path, i), errors);
    }
  } else if (v.is_object()) {
    for (const auto& [name, child] : n.properties) {
      auto it = v.find(name);
      if (it != v.end()) ListTypes(*child, *it, Child(path, name), errors);
    }
    if (n.additional_properties) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!n.properties.count(it.key())) {
          ListTypes(*n.additional_properties, it.value(), path + "[" + it.key() + "]", errors);
        }
      }
    }
  }
}

class RuleValidator {
 public:
  explicit RuleValidator(std::vector<FieldError>& errors) : errors_(errors) {}

  void Validate(const Node& n, const Json& v, const Json* old, const std::string& path) {
    if (!n.has_rules_below || v.is_null()) return;
    if (old != nullptr && old->is_null()) old = nullptr;
    for (const auto& rule : n.rules) RunRule(n, rule, v, old, path);
    if (v.is_object()) {
      Object(n, v, old, path);
    } else if (v.is_array() && n.items) {
      Array(n, v, old, path);
    }
  }

 private:
  void RunRule(const Node& n, const Rule& rule, const Json& v, const Json* old,
               const std::string& path) {
    if (rule.program->uses_old_self() && old == nullptr) return;
    cel::EvalResult r = rule.program->Evaluate(v, old);
    std::string type_name = n.type.empty() ? "" : n.type;
    std::string described = rule.message.empty() ? rule.rule : rule.message;
    if (!r.ok) {
      errors_.push_back({"FieldValueInvalid", path.empty() ? "<nil>" : path,
                         "Invalid value: " + GoQuote(type_name) + ": " + r.error +
                             " evaluating rule: " + described});
      return;
    }
    if (r.value.As<bool>()) return;
    std::string at = rule.field_path.empty() ? path : Child(path, rule.field_path);
    if (at.empty()) at = "<nil>";  // kube-apiserver prints a nil field path so
    std::string detail = rule.message.empty() ? "failed rule: " + rule.rule : rule.message;
    bool omit = v.is_object() || v.is_array();
    if (rule.reason == "FieldValueForbidden") {
      errors_.push_back({rule.reason, at, "Forbidden: " + detail});
    } else if (rule.reason == "FieldValueRequired") {
      errors_.push_back({rule.reason, at, "Required value: " + detail});
    } else if (rule.reason == "FieldValueDuplicate") {
      errors_.push_back(
          {rule.reason, at, omit ? "Duplicate value" : "Duplicate value: " + GoValue(v)});
    } else {
      errors_.push_back(
          {"FieldValueInvalid", at, "Invalid value: " + (omit ? "" : GoValue(v) + ": ") + detail});
    }
  }

  void Object(const Node& n, const Json& v, const Json* old, const std::string& path) {
    auto old_child = [&](const std::string& key) -> const Json* {
      if (old == nullptr || !old->is_object()) return nullptr;
      auto it = old->find(key);
      return it == old->end() ? nullptr : &*it;
    };
    for (const auto& [name, child] : n.properties) {
      auto it = v.find(name);
      if (it != v.end()) Validate(*child, *it, old_child(name), Child(path, name));
    }
    if (!n.additional_properties) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (n.properties.count(it.key())) continue;
      Validate(*n.additional_properties, it.value(), old_child(it.key()),
               path + "[" + it.key() + "]");
    }
  }

  // The old item matching `item`: same key tuple for map lists, equal value for sets.
  const Json* OldItem(const Node& n, const Json& item, const Json* old) const {
    if (old == nullptr || !old->is_array()) return nullptr;
    for (const auto& candidate : *old) {
      if (n.list_type == "set" && candidate == item) return &candidate;
      if (n.list_type == "map" &&
          KeyTuple(candidate, n.list_map_keys) == KeyTuple(item, n.list_map_keys)) {
        return &candidate;
      }
    }
    return nullptr;
  }

  void Array(const Node& n, const Json& v, const Json* old, const std::string& path) {
    for (size_t i = 0; i < v.size(); ++i) {
      Validate(*n.items, v[i], OldItem(n, v[i], old), Index(path, i));
    }
  }

  std::vector<FieldError>& errors_;
};

}  // namespace

void ValidateListTypes(const Node& root, const Json& object, std::vector<FieldError>& errors) {
  ListTypes(root, object, "", errors);
}

void ValidateRules(const Node& root, const Json& object, const Json* old_object,
                   std::vector<FieldError>& errors) {
  RuleValidator(errors).Validate(root, object, old_object, "");
}

}  // namespace osbx::kube::schema
