#pragma once
// The compiled form of a structural schema: one Node per schema object, with every keyword the
// module understands decoded once so pruning, defaulting and validation never re-read JSON.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::kube::schema {

namespace cel {
class Program;
}

// One x-kubernetes-validations entry.
struct Rule {
  std::string rule;
  std::string message;     // empty: "failed rule: <rule>"
  std::string reason;      // empty or FieldValueInvalid/Forbidden/Required/Duplicate
  std::string field_path;  // normalized relative path (".a.b" → "a.b"), empty: the node
  std::unique_ptr<cel::Program> program;

  Rule();
  Rule(Rule&&) noexcept;
  Rule& operator=(Rule&&) noexcept;
  ~Rule();
};

struct Node {
  std::string type;  // object, array, string, integer, number, boolean, or empty
  std::map<std::string, std::unique_ptr<Node>> properties;  // sorted: kube reports in this order
  std::vector<std::string> required;
  std::unique_ptr<Node> items;
  std::unique_ptr<Node> additional_properties;  // `additionalProperties: {schema}`
  bool additional_properties_false = false;     // `additionalProperties: false`
  std::optional<Json> default_value;
  std::vector<Json> enum_values;
  std::optional<double> minimum, maximum, multiple_of;
  bool exclusive_minimum = false, exclusive_maximum = false;
  std::optional<int64_t> min_length, max_length, min_items, max_items, min_properties,
      max_properties;
  std::optional<std::string> pattern;
  std::optional<std::regex> pattern_re;
  std::string format;
  bool nullable = false;
  bool preserve_unknown_fields = false;
  bool int_or_string = false;
  bool embedded_resource = false;
  std::string list_type;  // "", atomic, set, map
  std::vector<std::string> list_map_keys;
  std::vector<Rule> rules;

  // True when this node or any node below it carries x-kubernetes-validations rules.
  bool has_rules_below = false;
  // Whether unknown fields directly inside this object are kept.
  bool KeepsUnknownFields() const { return preserve_unknown_fields || additional_properties; }
};

// Compiles one schema object found at `path` (".spec.replicas" style, for messages).
StatusOr<std::unique_ptr<Node>> CompileNode(const Json& schema, const std::string& path);

}  // namespace osbx::kube::schema
