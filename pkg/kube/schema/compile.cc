// Compilation of an openAPIV3Schema into Nodes. Keywords that would change validation and that
// this module does not implement are refused, never ignored.

#include <set>

#include "pkg/kube/schema/cel.h"
#include "pkg/kube/schema/node.h"

namespace osbx::kube::schema {

Rule::Rule() = default;
Rule::Rule(Rule&&) noexcept = default;
Rule& Rule::operator=(Rule&&) noexcept = default;
Rule::~Rule() = default;

namespace {

Status Refuse(const std::string& path, const std::string& what) {
  return InvalidError(path + ": " + what);
}

const std::set<std::string>& IgnoredKeywords() {
  static const std::set<std::string> k = {
      "description", "title",   "example", "externalDocs", "x-kubernetes-map-type", "readOnly",
      "writeOnly",   "$schema", "id"};
  return k;
}

StatusOr<std::optional<int64_t>> Count(const Json& s, const char* key, const std::string& path) {
  if (!s.contains(key)) return std::optional<int64_t>();
  const Json& v = s[key];
  if (!v.is_number_integer() || v.get<int64_t>() < 0) {
    return Refuse(path + "." + key, "must be a non-negative integer");
  }
  return std::optional<int64_t>(v.get<int64_t>());
}

StatusOr<std::optional<double>> Number(const Json& s, const char* key, const std::string& path) {
  if (!s.contains(key)) return std::optional<double>();
  if (!s[key].is_number()) return Refuse(path + "." + key, "must be a number");
  return std::optional<double>(s[key].get<double>());
}

Status CompileRules(const Json& list, Node& node, const std::string& path) {
  if (!list.is_array()) return Refuse(path + ".x-kubernetes-validations", "must be a list");
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& r = list[i];
    std::string at = path + ".x-kubernetes-validations[" + std::to_string(i) + "]";
    if (!r.is_object() || !r.contains("rule") || !r["rule"].is_string()) {
      return Refuse(at + ".rule", "Required value");
    }
    Rule rule;
    rule.rule = r["rule"].get<std::string>();
    if (r.contains("messageExpression")) {
      return Refuse(at + ".messageExpression", "messageExpression is not supported");
    }
    if (r.contains("optionalOldSelf")) {
      return Refuse(at + ".optionalOldSelf", "optionalOldSelf is not supported");
    }
    rule.message = r.value("message", "");
    rule.reason = r.value("reason", "");
    static const std::set<std::string> kReasons = {"", "FieldValueInvalid", "FieldValueForbidden",
                                                   "FieldValueRequired", "FieldValueDuplicate"};
    if (!kReasons.count(rule.reason)) {
      return Refuse(at + ".reason", "Unsupported value: \"" + rule.reason + "\"");
    }
    std::string fp = r.value("fieldPath", "");
    rule.field_path = !fp.empty() && fp.front() == '.' ? fp.substr(1) : fp;
    auto program = cel::Program::Compile(rule.rule, &node);
    if (!program.ok()) {
      return Refuse(at + ".rule", "Invalid value: " + Json(rule.rule).dump() +
                                      ": compilation failed: " + program.status().message());
    }
    rule.program = std::move(program).value();
    node.rules.push_back(std::move(rule));
  }
  return Status::Ok();
}

Status CompileChildren(const Json& s, Node& node, const std::string& path) {
  if (s.contains("properties")) {
    if (!s["properties"].is_object()) return Refuse(path + ".properties", "must be an object");
    for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it) {
      OSBX_ASSIGN_OR_RETURN(node.properties[it.key()],
                            CompileNode(it.value(), path + ".properties[" + it.key() + "]"));
    }
  }
  if (s.contains("items")) {
    OSBX_ASSIGN_OR_RETURN(node.items, CompileNode(s["items"], path + ".items"));
  }
  if (s.contains("additionalProperties")) {
    const Json& ap = s["additionalProperties"];
    if (ap.is_boolean()) {
      node.additional_properties_false = !ap.get<bool>();
    } else {
      OSBX_ASSIGN_OR_RETURN(node.additional_properties,
                            CompileNode(ap, path + ".additionalProperties"));
    }
  }
  return Status::Ok();
}

Status CompileValueKeywords(const Json& s, Node& node, const std::string& path) {
  OSBX_ASSIGN_OR_RETURN(node.minimum, Number(s, "minimum", path));
  OSBX_ASSIGN_OR_RETURN(node.maximum, Number(s, "maximum", path));
  OSBX_ASSIGN_OR_RETURN(node.multiple_of, Number(s, "multipleOf", path));
  node.exclusive_minimum = s.value("exclusiveMinimum", false);
  node.exclusive_maximum = s.value("exclusiveMaximum", false);
  OSBX_ASSIGN_OR_RETURN(node.min_length, Count(s, "minLength", path));
  OSBX_ASSIGN_OR_RETURN(node.max_length, Count(s, "maxLength", path));
  OSBX_ASSIGN_OR_RETURN(node.min_items, Count(s, "minItems", path));
  OSBX_ASSIGN_OR_RETURN(node.max_items, Count(s, "maxItems", path));
  OSBX_ASSIGN_OR_RETURN(node.min_properties, Count(s, "minProperties", path));
  OSBX_ASSIGN_OR_RETURN(node.max_properties, Count(s, "maxProperties", path));
  if (s.contains("pattern")) {
    node.pattern = s["pattern"].get<std::string>();
    try {
      node.pattern_re.emplace(*node.pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      return Refuse(path + ".pattern", "invalid regular expression: " + *node.pattern);
    }
  }
  if (s.contains("enum")) {
    if (!s["enum"].is_array()) return Refuse(path + ".enum", "must be a list");
    for (const auto& v : s["enum"]) node.enum_values.push_back(v);
  }
  if (s.contains("required")) {
    for (const auto& r : s["required"]) node.required.push_back(r.get<std::string>());
  }
  if (s.contains("default")) node.default_value = s["default"];
  return Status::Ok();
}

Status CompileExtensions(const Json& s, Node& node, const std::string& path) {
  node.format = s.value("format", "");
  node.nullable = s.value("nullable", false);
  node.preserve_unknown_fields = s.value("x-kubernetes-preserve-unknown-fields", false);
  node.int_or_string = s.value("x-kubernetes-int-or-string", false);
  node.embedded_resource = s.value("x-kubernetes-embedded-resource", false);
  node.list_type = s.value("x-kubernetes-list-type", "");
  if (!node.list_type.empty() && node.list_type != "atomic" && node.list_type != "set" &&
      node.list_type != "map") {
    return Refuse(path + ".x-kubernetes-list-type",
                  "Unsupported value: \"" + node.list_type + "\"");
  }
  if (s.contains("x-kubernetes-list-map-keys")) {
    for (const auto& k : s["x-kubernetes-list-map-keys"]) {
      node.list_map_keys.push_back(k.get<std::string>());
    }
  }
  if (node.list_type == "map" && node.list_map_keys.empty()) {
    return Refuse(path + ".x-kubernetes-list-map-keys",
                  "Required value: must not be empty if x-kubernetes-list-type is map");
  }
  return Status::Ok();
}

// `anyOf: [{type: integer}, {type: string}]` beside x-kubernetes-int-or-string restates what
// the extension already enforces (controller-gen emits it for IntOrString fields).
bool IsIntOrStringAnyOf(const Json& s) {
  if (!s.value("x-kubernetes-int-or-string", false)) return false;
  const Json& any = s["anyOf"];
  if (!any.is_array() || any.size() != 2) return false;
  std::set<std::string> types;
  for (const auto& alt : any) {
    if (!alt.is_object() || alt.size() != 1 || !alt.contains("type")) return false;
    types.insert(alt["type"].get<std::string>());
  }
  return types == std::set<std::string>{"integer", "string"};
}

Status CheckKeywords(const Json& s, const std::string& path) {
  static const std::set<std::string> kKnown = {"type",
                                               "properties",
                                               "required",
                                               "items",
                                               "additionalProperties",
                                               "enum",
                                               "minimum",
                                               "maximum",
                                               "exclusiveMinimum",
                                               "exclusiveMaximum",
                                               "multipleOf",
                                               "minLength",
                                               "maxLength",
                                               "minItems",
                                               "maxItems",
                                               "minProperties",
                                               "maxProperties",
                                               "pattern",
                                               "format",
                                               "nullable",
                                               "default",
                                               "x-kubernetes-preserve-unknown-fields",
                                               "x-kubernetes-int-or-string",
                                               "x-kubernetes-embedded-resource",
                                               "x-kubernetes-list-type",
                                               "x-kubernetes-list-map-keys",
                                               "x-kubernetes-validations"};
  for (auto it = s.begin(); it != s.end(); ++it) {
    if (kKnown.count(it.key()) || IgnoredKeywords().count(it.key())) continue;
    if (it.key() == "uniqueItems" && it.value() == false) continue;
    if (it.key() == "anyOf" && IsIntOrStringAnyOf(s)) continue;
    return Refuse(path + "." + it.key(), "keyword is not supported");
  }
  return Status::Ok();
}

void MarkRulesBelow(Node& node) {
  bool below = !node.rules.empty();
  for (auto& [name, child] : node.properties) below |= child->has_rules_below;
  if (node.items) below |= node.items->has_rules_below;
  if (node.additional_properties) below |= node.additional_properties->has_rules_below;
  node.has_rules_below = below;
}

}  // namespace

StatusOr<std::unique_ptr<Node>> CompileNode(const Json& s, const std::string& path) {
  if (!s.is_object()) return Refuse(path, "must be a schema object");
  try {
    OSBX_RETURN_IF_ERROR(CheckKeywords(s, path));
    auto node = std::make_unique<Node>();
    node->type = s.value("type", "");
    static const std::set<std::string> kTypes = {"",        "object", "array",  "string",
                                                 "integer", "number", "boolean"};
    if (!kTypes.count(node->type)) {
      return Refuse(path + ".type", "Unsupported value: \"" + node->type + "\"");
    }
    OSBX_RETURN_IF_ERROR(CompileValueKeywords(s, *node, path));
    OSBX_RETURN_IF_ERROR(CompileExtensions(s, *node, path));
    OSBX_RETURN_IF_ERROR(CompileChildren(s, *node, path));
    if (s.contains("x-kubernetes-validations")) {
      OSBX_RETURN_IF_ERROR(CompileRules(s["x-kubernetes-validations"], *node, path));
    }
    MarkRulesBelow(*node);
    return node;
  } catch (const Json::exception& e) {
    return Refuse(path, std::string("malformed schema: ") + e.what());
  }
}

}  // namespace osbx::kube::schema
