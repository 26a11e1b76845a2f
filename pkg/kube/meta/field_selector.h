#pragma once
// Field selectors: the `?fieldSelector=` of list and watch (`a=b`, `a==b`, `a!=b`, comma-joined,
// with `\,` `\=` `\\` escapes in values), parsed as kube-apiserver parses them and matched through
// a getter, so each resource decides which fields it can select on (a server refuses the others
// with "field label not supported: <field>").

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::kube {

// One term: `field = value` (equals) or `field != value`.
struct FieldRequirement {
  std::string field;
  std::string value;  // unescaped
  bool equals = true;
  bool operator==(const FieldRequirement&) const = default;
};

// Reads a field of an object by its selector name ("metadata.name", "status.phase"). nullopt when
// the object has no such field; kube compares a missing field as "".
using FieldGetter = std::function<std::optional<std::string>(std::string_view field)>;

class FieldSelector {
 public:
  static FieldSelector Everything() { return FieldSelector(); }
  // Errors are kBadRequest with kube's messages ("invalid selector: 'x'; can't understand 'x'").
  [[nodiscard]] static StatusOr<FieldSelector> Parse(std::string_view selector);

  bool Matches(const FieldGetter& get) const;
  // Matches against a JSON object, reading each field by its dotted path.
  bool Matches(const Json& object) const;
  bool Empty() const { return requirements_.empty(); }
  // The distinct field names the selector uses, in order, for a server to check they are allowed.
  std::vector<std::string> Fields() const;
  // The value `field` must equal for any object to match, if there is one.
  std::optional<std::string> RequiresExactMatch(std::string_view field) const;
  // Canonical form, values escaped ("metadata.name=a\,b").
  std::string String() const;
  const std::vector<FieldRequirement>& requirements() const { return requirements_; }

 private:
  std::vector<FieldRequirement> requirements_;  // sorted by their source text, as kube does
};

// Escapes `\`, `,` and `=` in a value for use in a field selector string.
std::string EscapeFieldSelectorValue(std::string_view value);
// The value at a dotted path ("spec.nodeName") of a JSON object, as a string: strings as they are,
// numbers and booleans in their JSON form; nullopt for missing fields, objects and arrays.
std::optional<std::string> JsonFieldByPath(const Json& object, std::string_view dotted_path);

}  // namespace osbx::kube
