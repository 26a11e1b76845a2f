#pragma once
// Runtime values of the CEL subset: null, bool, int, uint, double, string, list and map, plus
// the conversion from JSON guided by the schema (an `integer` field is an int, a `number` field
// a double, an object a map keyed by property name).

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "internal/utils/json.h"

namespace osbx::kube::schema {
struct Node;
}

namespace osbx::kube::schema::cel {

struct Value;
using ValueList = std::vector<Value>;
using ValueMap = std::vector<std::pair<Value, Value>>;  // insertion order, unique keys

struct Null {
  bool operator==(const Null&) const = default;
};

struct Value {
  std::variant<Null, bool, int64_t, uint64_t, double, std::string, std::shared_ptr<const ValueList>,
               std::shared_ptr<const ValueMap>>
      v;

  template <typename T>
  bool Is() const {
    return std::holds_alternative<T>(v);
  }
  template <typename T>
  const T& As() const {
    return std::get<T>(v);
  }
  const ValueList& List() const { return *std::get<std::shared_ptr<const ValueList>>(v); }
  const ValueMap& Map() const { return *std::get<std::shared_ptr<const ValueMap>>(v); }
  bool IsList() const { return Is<std::shared_ptr<const ValueList>>(); }
  bool IsMap() const { return Is<std::shared_ptr<const ValueMap>>(); }

  static Value Of(ValueList list) {
    return Value{std::make_shared<const ValueList>(std::move(list))};
  }
  static Value Of(ValueMap map) { return Value{std::make_shared<const ValueMap>(std::move(map))}; }
};

// The CEL type name of a value ("int", "string", "list", "map", "null_type", ...).
std::string TypeName(const Value& value);

// CEL equality: numbers compare across int/uint/double, containers element-wise, other kinds
// of different types are unequal.
bool Equal(const Value& a, const Value& b);

// Looks a key up in a map value; nullptr when absent.
const Value* MapFind(const ValueMap& map, const Value& key);

// Converts a JSON value to a CEL value using `schema` (nullable: untyped, as for
// x-kubernetes-preserve-unknown-fields or x-kubernetes-int-or-string).
Value FromJson(const Json& json, const Node* schema);

}  // namespace osbx::kube::schema::cel
