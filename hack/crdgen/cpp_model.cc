#include "hack/crdgen/cpp_model.h"

#include <algorithm>
#include <set>

#include "hack/crdgen/cpp_gen.h"
#include "hack/crdgen/crd.h"

namespace osbx::crdgen {
namespace {

TypeRef ScalarType(TypeKind kind) {
  TypeRef t;
  t.kind = kind;
  return t;
}

const std::set<std::string>& CppKeywords() {
  static const std::set<std::string> kKeywords = {
      "auto",     "bool",    "break",     "case",   "char",     "class",    "const",     "default",
      "delete",   "do",      "double",    "else",   "enum",     "explicit", "export",    "extern",
      "false",    "float",   "for",       "friend", "goto",     "if",       "inline",    "int",
      "long",     "mutable", "namespace", "new",    "operator", "private",  "protected", "public",
      "register", "return",  "short",     "signed", "sizeof",   "static",   "struct",    "switch",
      "template", "this",    "throw",     "true",   "try",      "typedef",  "typename",  "union",
      "unsigned", "using",   "virtual",   "void",   "volatile", "while"};
  return kKeywords;
}

std::string StringOr(const OrderedJson& obj, const char* key, std::string fallback = {}) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : fallback;
}

Status AddEnum(const OrderedJson& schema, const std::string& where, TypeModel& model) {
  const std::string prefix = StringOr(schema, "x-cpp-enum");
  if (prefix.empty()) return Status::Ok();
  EnumDef def{prefix, {}};
  for (const auto& v : schema.value("enum", OrderedJson::array())) {
    if (!v.is_string()) return InvalidError(where + ": enum values must be strings");
    def.values.push_back(v.get<std::string>());
  }
  for (const auto& existing : model.enums) {
    if (existing.prefix != prefix) continue;
    if (existing.values != def.values) {
      return InvalidError(where + ": enum " + prefix + " declared twice with different values");
    }
    return Status::Ok();
  }
  model.enums.push_back(std::move(def));
  return Status::Ok();
}

StatusOr<TypeRef> ParseType(const OrderedJson& schema, const std::string& where, TypeModel& model);

StatusOr<FieldDef> ParseField(const std::string& json_name, const OrderedJson& schema,
                              bool required, const std::string& where, TypeModel& model) {
  FieldDef f;
  f.json_name = json_name;
  f.cpp_name = StringOr(schema, "x-cpp-name", SnakeCase(json_name));
  if (CppKeywords().count(f.cpp_name)) {
    return InvalidError(where + ": '" + f.cpp_name + "' is a C++ keyword; set x-cpp-name");
  }
  f.description = StringOr(schema, "description");
  f.required = required;
  OSBX_ASSIGN_OR_RETURN(f.type, ParseType(schema, where, model));
  if (schema.contains("default")) {
    const TypeKind k = f.type.kind;
    if (k == TypeKind::kStruct || k == TypeKind::kArray || k == TypeKind::kJson) {
      return InvalidError(where + ": defaults are supported on scalar fields only");
    }
    f.default_value = schema["default"];
  }
  return f;
}

StatusOr<TypeRef> ParseStruct(const OrderedJson& schema, const std::string& where,
                              TypeModel& model) {
  StructDef def;
  def.name = StringOr(schema, "x-cpp-type");
  if (def.name.empty()) return InvalidError(where + ": object with properties needs x-cpp-type");
  def.description = StringOr(schema, "description");
  def.preserve_unknown = schema.value("x-kubernetes-preserve-unknown-fields", false);
  def.source = StripGeneratorKeys(schema);
  def.source.erase("description");
  std::set<std::string> required;
  for (const auto& r : schema.value("required", OrderedJson::array())) required.insert(r);
  for (const auto& [name, prop] : schema["properties"].items()) {
    OSBX_ASSIGN_OR_RETURN(
        FieldDef f, ParseField(name, prop, required.count(name) > 0, where + "." + name, model));
    def.fields.push_back(std::move(f));
  }
  auto same = std::find_if(model.structs.begin(), model.structs.end(),
                           [&](const StructDef& s) { return s.name == def.name; });
  if (same != model.structs.end() && same->source != def.source) {
    return InvalidError(where + ": x-cpp-type " + def.name + " used for two different schemas");
  }
  if (same == model.structs.end()) model.structs.push_back(std::move(def));
  TypeRef t = ScalarType(TypeKind::kStruct);
  t.struct_name = StringOr(schema, "x-cpp-type");
  return t;
}

StatusOr<TypeRef> ParseType(const OrderedJson& schema, const std::string& where, TypeModel& model) {
  if (!schema.is_object()) return InvalidError(where + ": schema must be a mapping");
  if (schema.value("x-kubernetes-int-or-string", false)) return ScalarType(TypeKind::kIntOrString);
  const std::string type = StringOr(schema, "type");
  if (type == "string") {
    OSBX_RETURN_IF_ERROR(AddEnum(schema, where, model));
    return ScalarType(TypeKind::kString);
  }
  if (type == "integer") {
    return ScalarType(StringOr(schema, "format") == "int64" ? TypeKind::kInt64 : TypeKind::kInt32);
  }
  if (type == "boolean") return ScalarType(TypeKind::kBool);
  if (type == "array") {
    if (!schema.contains("items")) return InvalidError(where + ": array without items");
    OSBX_ASSIGN_OR_RETURN(TypeRef elem, ParseType(schema["items"], where + "[]", model));
    TypeRef t = ScalarType(TypeKind::kArray);
    t.elem = std::make_shared<TypeRef>(std::move(elem));
    return t;
  }
  if (type == "object") {
    if (schema.contains("properties")) return ParseStruct(schema, where, model);
    return ScalarType(TypeKind::kJson);
  }
  return InvalidError(where + ": unsupported schema type '" + type + "'");
}

}  // namespace

Status AddSchemaTypes(const OrderedJson& schema, TypeModel& model) {
  OSBX_ASSIGN_OR_RETURN(TypeRef root, ParseType(schema, StringOr(schema, "x-cpp-type"), model));
  if (root.kind != TypeKind::kStruct) return InvalidError("a resource's root must be an object");
  return Status::Ok();
}

std::string SnakeCase(const std::string& camel) {
  std::string out;
  for (char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      if (!out.empty()) out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace osbx::crdgen
