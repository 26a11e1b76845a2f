#include "hack/crdgen/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <regex>

namespace osbx::crdgen {
namespace {

// Resolves a plain (unquoted) scalar per the YAML 1.2 core schema.
OrderedJson ResolvePlain(const std::string& s) {
  static const std::regex kNull("^(~|null|Null|NULL|)$");
  static const std::regex kTrue("^(true|True|TRUE)$");
  static const std::regex kFalse("^(false|False|FALSE)$");
  static const std::regex kInt("^[-+]?[0-9]+$");
  static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  if (std::regex_match(s, kNull)) return nullptr;
  if (std::regex_match(s, kTrue)) return true;
  if (std::regex_match(s, kFalse)) return false;
  try {
    if (std::regex_match(s, kInt)) return std::stoll(s);
    if (std::regex_match(s, kFloat)) return std::stod(s);
  } catch (const std::exception&) {
    // Out of range: keep the text.
  }
  return s;
}

StatusOr<OrderedJson> Convert(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return OrderedJson(nullptr);
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!") return OrderedJson(node.Scalar());
      return ResolvePlain(node.Scalar());
    case YAML::NodeType::Sequence: {
      OrderedJson out = OrderedJson::array();
      for (const auto& item : node) {
        OSBX_ASSIGN_OR_RETURN(OrderedJson v, Convert(item));
        out.push_back(std::move(v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      OrderedJson out = OrderedJson::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) return InvalidError("YAML map keys must be scalars");
        OSBX_ASSIGN_OR_RETURN(OrderedJson v, Convert(kv.second));
        out[kv.first.Scalar()] = std::move(v);
      }
      return out;
    }
  }
  return InternalError("unknown YAML node type");
}

bool LooksSpecial(std::string_view s) {
  static const std::regex kReserved(
      "^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|"
      "null|Null|NULL|~)$");
  if (std::regex_match(std::string(s), kReserved)) return true;
  const char c = s.front();
  return (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-';
}

std::string Scalar(const OrderedJson& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return IsPlainSafe(s) ? s : v.dump();
  }
  return v.dump();
}

bool IsEmptyContainer(const OrderedJson& v) { return (v.is_object() || v.is_array()) && v.empty(); }

void EmitNode(const OrderedJson& v, int indent, std::string& out);

void EmitMap(const OrderedJson& map, int indent, bool first_inline, std::string& out) {
  bool first = true;
  for (const auto& [key, value] : map.items()) {
    if (!(first && first_inline)) out.append(static_cast<size_t>(indent), ' ');
    first = false;
    out += Scalar(OrderedJson(key)) + ":";
    if (value.is_object() && !value.empty()) {
      out += "\n";
      EmitMap(value, indent + 2, false, out);
    } else if (value.is_array() && !value.empty()) {
      out += "\n";
      EmitNode(value, indent, out);
    } else {
      out +=
          " " +
          (IsEmptyContainer(value) ? std::string(value.is_object() ? "{}" : "[]") : Scalar(value)) +
          "\n";
    }
  }
}

void EmitNode(const OrderedJson& v, int indent, std::string& out) {
  if (v.is_object() && !v.empty()) return EmitMap(v, indent, false, out);
  if (!v.is_array() || v.empty()) {
    out.append(static_cast<size_t>(indent), ' ');
    out += (IsEmptyContainer(v) ? std::string(v.is_object() ? "{}" : "[]") : Scalar(v)) + "\n";
    return;
  }
  for (const auto& item : v) {
    out.append(static_cast<size_t>(indent), ' ');
    if (item.is_object() && !item.empty()) {
      out += "- ";
      EmitMap(item, indent + 2, true, out);
    } else if (item.is_array() && !item.empty()) {
      out += "-\n";
      EmitNode(item, indent + 2, out);
    } else {
      out += "- " +
             (IsEmptyContainer(item) ? std::string(item.is_object() ? "{}" : "[]") : Scalar(item)) +
             "\n";
    }
  }
}

}  // namespace

StatusOr<OrderedJson> YamlToJson(std::string_view yaml_text) {
  try {
    return Convert(YAML::Load(std::string(yaml_text)));
  } catch (const YAML::Exception& e) {
    return InvalidError(std::string("invalid YAML: ") + e.what());
  }
}

bool IsPlainSafe(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ' || s.back() == ':') return false;
  if (std::string_view("?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos) {
    return false;
  }
  if (LooksSpecial(s)) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return s.find(": ") == std::string_view::npos && s.find(" #") == std::string_view::npos;
}

std::string EmitYaml(const OrderedJson& doc) {
  std::string out;
  EmitNode(doc, 0, out);
  return out;
}

}  // namespace osbx::crdgen
