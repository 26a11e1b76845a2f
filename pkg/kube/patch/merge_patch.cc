#include "pkg/kube/patch/merge_patch.h"

#include <cstdio>
#include <string>

namespace osbx::kube::patch {
namespace {

std::string SyntaxErrorReason(std::string_view body, size_t byte_position) {
  // nlohmann reports the 1-based position of the offending byte; past the end means truncation.
  if (byte_position == 0 || byte_position > body.size()) return "unexpected end of JSON input";
  size_t at = byte_position - 1;
  bool only_space = true;
  for (size_t i = at; i < body.size(); ++i) {
    if (body[i] != ' ' && body[i] != '\n' && body[i] != '\t' && body[i] != '\r') only_space = false;
  }
  if (only_space) return "unexpected end of JSON input";
  return std::string("invalid character '") + body[at] + "' looking for beginning of value";
}

std::string FormatNumber(const Json& value) {
  if (!value.is_number_float()) return value.dump();
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", value.get<double>());
  // Shortest form that reads back to the same double, as Go's %v does.
  for (int precision = 1; precision <= 17; ++precision) {
    char candidate[64];
    std::snprintf(candidate, sizeof(candidate), "%.*g", precision, value.get<double>());
    if (std::stod(candidate) == value.get<double>()) return candidate;
  }
  return buf;
}

}  // namespace

StatusOr<Json> DecodePatchBody(std::string_view body) {
  try {
    return Json::parse(body);
  } catch (const Json::parse_error& e) {
    return BadRequestError("error decoding patch: " + SyntaxErrorReason(body, e.byte));
  } catch (const Json::exception& e) {
    return BadRequestError(std::string("error decoding patch: ") + e.what());
  }
}

StatusOr<Json> DecodeObjectPatchBody(std::string_view body) {
  OSBX_ASSIGN_OR_RETURN(Json patch, DecodePatchBody(body));
  if (!patch.is_object() && !patch.is_null()) {
    return BadRequestError("error decoding patch: json: cannot unmarshal " +
                           std::string(GoJsonKind(patch)) +
                           " into Go value of type map[string]interface {}");
  }
  if (patch.is_null()) patch = Json::object();
  return patch;
}

Json ApplyMergePatch(const Json& target, const Json& patch) {
  if (!patch.is_object()) return patch;
  Json result = target.is_object() ? target : Json::object();
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      result.erase(key);
      continue;
    }
    auto existing = result.find(key);
    result[key] = ApplyMergePatch(existing != result.end() ? *existing : Json(), value);
  }
  return result;
}

Json CreateMergePatch(const Json& original, const Json& modified) {
  if (!original.is_object() || !modified.is_object()) {
    return original == modified ? Json::object() : modified;
  }
  Json patch = Json::object();
  for (const auto& [key, value] : original.items()) {
    if (!modified.contains(key)) patch[key] = nullptr;
  }
  for (const auto& [key, value] : modified.items()) {
    auto before = original.find(key);
    if (before == original.end()) {
      patch[key] = value;
    } else if (before->is_object() && value.is_object()) {
      Json nested = CreateMergePatch(*before, value);
      if (!nested.empty()) patch[key] = std::move(nested);
    } else if (*before != value) {
      patch[key] = value;
    }
  }
  return patch;
}

std::string_view GoJsonKind(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::null:
      return "null";
    default:
      return "number";
  }
}

std::string GoValueString(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "<nil>";
    case Json::value_t::string:
      return value.get<std::string>();
    case Json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case Json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [key, item] : value.items()) {  // keys are sorted, as Go prints them
        if (!first) out += " ";
        first = false;
        out += key + ":" + GoValueString(item);
      }
      return out + "]";
    }
    case Json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < value.size(); ++i) {
        if (i > 0) out += " ";
        out += GoValueString(value[i]);
      }
      return out + "]";
    }
    default:
      return FormatNumber(value);
  }
}

}  // namespace osbx::kube::patch
