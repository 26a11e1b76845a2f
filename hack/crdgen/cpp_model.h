#pragma once
// The type model the C++ generator builds from an OpenAPI schema before writing code.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::crdgen {

enum class TypeKind { kString, kInt32, kInt64, kBool, kIntOrString, kJson, kStruct, kArray };

// A field's value type; arrays own their element type.
struct TypeRef {
  TypeKind kind = TypeKind::kJson;
  std::string struct_name;        // for kStruct
  std::shared_ptr<TypeRef> elem;  // for kArray
};

struct FieldDef {
  std::string json_name;
  std::string cpp_name;
  std::string description;
  TypeRef type;
  bool required = false;
  OrderedJson default_value;  // null when the schema has no default
};

struct StructDef {
  std::string name;
  std::string description;
  std::vector<FieldDef> fields;
  bool preserve_unknown = false;
  OrderedJson source;  // the schema it came from, to detect two different schemas with one name
};

struct EnumDef {
  std::string prefix;
  std::vector<std::string> values;
};

// Every struct (dependencies first) and enum of a schema source.
struct TypeModel {
  std::vector<StructDef> structs;
  std::vector<EnumDef> enums;
};

// Adds the types of one resource's openAPIV3Schema to `model`.
[[nodiscard]] Status AddSchemaTypes(const OrderedJson& schema, TypeModel& model);

}  // namespace osbx::crdgen
