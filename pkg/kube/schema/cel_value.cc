#include "pkg/kube/schema/cel_value.h"

#include <cmath>

#include "pkg/kube/schema/node.h"

namespace osbx::kube::schema::cel {

std::string TypeName(const Value& value) {
  switch (value.v.index()) {
    case 0:
      return "null_type";
    case 1:
      return "bool";
    case 2:
      return "int";
    case 3:
      return "uint";
    case 4:
      return "double";
    case 5:
      return "string";
    case 6:
      return "list";
    default:
      return "map";
  }
}

namespace {

bool AsDouble(const Value& v, double& out) {
  if (v.Is<int64_t>()) {
    out = static_cast<double>(v.As<int64_t>());
  } else if (v.Is<uint64_t>()) {
    out = static_cast<double>(v.As<uint64_t>());
  } else if (v.Is<double>()) {
    out = v.As<double>();
  } else {
    return false;
  }
  return true;
}

bool NumbersEqual(const Value& a, const Value& b) {
  if (a.Is<int64_t>() && b.Is<uint64_t>()) {
    return a.As<int64_t>() >= 0 && static_cast<uint64_t>(a.As<int64_t>()) == b.As<uint64_t>();
  }
  if (a.Is<uint64_t>() && b.Is<int64_t>()) return NumbersEqual(b, a);
  if (a.Is<int64_t>() && b.Is<int64_t>()) return a.As<int64_t>() == b.As<int64_t>();
  if (a.Is<uint64_t>() && b.Is<uint64_t>()) return a.As<uint64_t>() == b.As<uint64_t>();
  double x = 0, y = 0;
  AsDouble(a, x);
  AsDouble(b, y);
  return x == y;
}

}  // namespace

bool Equal(const Value& a, const Value& b) {
  double unused = 0;
  if (AsDouble(a, unused) && AsDouble(b, unused)) return NumbersEqual(a, b);
  if (a.v.index() != b.v.index()) return false;
  if (a.IsList()) {
    const auto& x = a.List();
    const auto& y = b.List();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!Equal(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.IsMap()) {
    const auto& x = a.Map();
    const auto& y = b.Map();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x) {
      const Value* other = MapFind(y, k);
      if (other == nullptr || !Equal(v, *other)) return false;
    }
    return true;
  }
  if (a.Is<Null>()) return true;
  if (a.Is<bool>()) return a.As<bool>() == b.As<bool>();
  return a.As<std::string>() == b.As<std::string>();
}

const Value* MapFind(const ValueMap& map, const Value& key) {
  for (const auto& [k, v] : map) {
    if (Equal(k, key)) return &v;
  }
  return nullptr;
}

namespace {

const Node* PropertySchema(const Node* schema, const std::string& name) {
  if (schema == nullptr) return nullptr;
  auto it = schema->properties.find(name);
  if (it != schema->properties.end()) return it->second.get();
  return schema->additional_properties.get();
}

Value Number(const Json& json, const Node* schema) {
  bool as_double = schema != nullptr && !schema->int_or_string && schema->type == "number";
  if (json.is_number_float() || as_double) return Value{json.get<double>()};
  if (json.is_number_unsigned() && json.get<uint64_t>() > INT64_MAX) {
    return Value{static_cast<double>(json.get<uint64_t>())};
  }
  return Value{json.get<int64_t>()};
}

}  // namespace

Value FromJson(const Json& json, const Node* schema) {
  switch (json.type()) {
    case Json::value_t::null:
      return Value{Null{}};
    case Json::value_t::boolean:
      return Value{json.get<bool>()};
    case Json::value_t::string:
      return Value{json.get<std::string>()};
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return Number(json, schema);
    case Json::value_t::array: {
      ValueList list;
      list.reserve(json.size());
      const Node* items = schema != nullptr ? schema->items.get() : nullptr;
      for (const auto& item : json) list.push_back(FromJson(item, items));
      return Value::Of(std::move(list));
    }
    case Json::value_t::object: {
      ValueMap map;
      map.reserve(json.size());
      for (auto it = json.begin(); it != json.end(); ++it) {
        map.emplace_back(Value{it.key()}, FromJson(it.value(), PropertySchema(schema, it.key())));
      }
      return Value::Of(std::move(map));
    }
    default:
      return Value{Null{}};
  }
}

}  // namespace osbx::kube::schema::cel
