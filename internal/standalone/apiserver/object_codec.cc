#include "internal/standalone/apiserver/object_codec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include <fmt/format.h>

#include "internal/standalone/apiserver/protobuf.h"
#include "internal/standalone/apiserver/wire_json.h"

namespace osbx::standalone {
namespace {

std::string GoJsonError(const nlohmann::json::parse_error& e, std::string_view text) {
  size_t byte = e.byte > 0 ? e.byte - 1 : 0;
  if (byte >= text.size()) return "unexpected end of JSON input";
  char c = text[byte];
  return fmt::format("invalid character '{}' looking for beginning of value", c);
}

Json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = YamlToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted scalar
      if (s == "null" || s == "~" || s.empty()) return nullptr;
      if (s == "true" || s == "True") return true;
      if (s == "false" || s == "False") return false;
      char* end = nullptr;
      long long i = std::strtoll(s.c_str(), &end, 10);
      if (end != s.c_str() && *end == '\0') return i;
      double d = std::strtod(s.c_str(), &end);
      if (end != s.c_str() && *end == '\0' && s.find_first_of("0123456789") != std::string::npos) {
        return d;
      }
      return s;
    }
    default:
      return nullptr;
  }
}

}  // namespace

ApiOr<Json> ParseJsonText(std::string_view text, std::string* go_error) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    std::string message = GoJsonError(e, text);
    if (go_error != nullptr) *go_error = message;
    return ApiError::BadRequest(message);
  }
}

ApiOr<Json> ParseYamlText(std::string_view text) {
  try {
    YAML::Node node = YAML::Load(std::string(text));
    return YamlToJson(node);
  } catch (const YAML::Exception& e) {
    return ApiError::BadRequest(
        fmt::format("error converting YAML to JSON: yaml: line {}: {}", e.mark.line + 1, e.msg));
  }
}

ApiOr<Json> DecodeObjectBody(const ResourceInfo& resource, BodyType type, std::string_view body) {
  switch (type) {
    case BodyType::kJson: {
      std::string error;
      ApiOr<Json> parsed = ParseJsonText(body, &error);
      if (!parsed.ok()) {
        std::string snippet(body.substr(0, 30));
        if (body.size() > 30) snippet += " ...";
        return ApiError::BadRequest(fmt::format(
            "the object provided is unrecognized (must be of type {}): couldn't get version/kind; "
            "json parse error: {} ({})",
            resource.kind, error, snippet));
      }
      if (!parsed->is_object()) {
        return ApiError::BadRequest(fmt::format(
            "the object provided is unrecognized (must be of type {}): couldn't get version/kind; "
            "json parse error: json: cannot unmarshal {} into Go value of type "
            "struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string "
            "\"json:\\\"kind,omitempty\\\"\" }}",
            resource.kind, parsed->is_array() ? "array" : "string"));
      }
      return parsed;
    }
    case BodyType::kYaml: {
      ApiOr<Json> parsed = ParseYamlText(body);
      if (parsed.ok() && !parsed->is_object()) {
        return ApiError::BadRequest("the object provided is unrecognized: not an object");
      }
      return parsed;
    }
    case BodyType::kProtobuf: {
      StatusOr<Json> decoded = DecodeProtobufObject(body);
      if (!decoded.ok()) {
        if (decoded.status().code() == StatusCode::kUnsupportedMediaType) {
          return ApiError::UnsupportedMediaType("application/json, application/yaml");
        }
        return ApiError::BadRequest(decoded.status().message());
      }
      return *decoded;
    }
    default:
      return ApiError::UnsupportedMediaType(
          "application/json, application/yaml, application/vnd.kubernetes.protobuf");
  }
}

namespace {

// SAX handler recording repeated keys per object with their dotted path.
class DuplicateFinder : public nlohmann::json_sax<Json> {
 public:
  std::vector<std::string> duplicates;

  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override {
    frames_.push_back({true, {}, PathOfValue()});
    return true;
  }
  bool key(string_t& k) override {
    Frame& f = frames_.back();
    if (std::find(f.keys.begin(), f.keys.end(), k) != f.keys.end()) {
      duplicates.push_back(Join(f.path, k));
    } else {
      f.keys.push_back(k);
    }
    current_key_ = k;
    return true;
  }
  bool end_object() override { return Pop(); }
  bool start_array(std::size_t) override {
    frames_.push_back({false, {}, PathOfValue()});
    index_.push_back(0);
    return true;
  }
  bool end_array() override {
    index_.pop_back();
    return Pop();
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    duplicates.clear();
    return false;
  }

 private:
  struct Frame {
    bool object;
    std::vector<std::string> keys;
    std::string path;
  };
  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  std::string PathOfValue() {
    if (frames_.empty()) return "";
    const Frame& f = frames_.back();
    if (f.object) return Join(f.path, current_key_);
    return f.path + "[" + std::to_string(index_.back()++) + "]";
  }
  bool Value() {
    if (!frames_.empty() && !frames_.back().object) ++index_.back();
    return true;
  }
  bool Pop() {
    frames_.pop_back();
    return true;
  }
  std::vector<Frame> frames_;
  std::vector<size_t> index_;
  std::string current_key_;
};

}  // namespace

std::vector<std::string> FindDuplicateFields(std::string_view text) {
  DuplicateFinder finder;
  try {
    Json::sax_parse(text.begin(), text.end(), &finder);
  } catch (const nlohmann::json::exception&) {
    return {};
  }
  return finder.duplicates;
}

ApiOr<bool> ApplyFieldValidation(const ResourceInfo& resource, std::string_view mode, Json& object,
                                 std::vector<std::string>* warnings,
                                 const std::vector<std::string>& duplicates) {
  std::vector<std::string> unknown;
  if (object.contains("metadata") && object["metadata"].is_object()) {
    Json& meta = object["metadata"];
    std::vector<std::string> drop;
    for (auto it = meta.begin(); it != meta.end(); ++it) {
      if (!IsObjectMetaField(it.key())) drop.push_back(it.key());
    }
    for (const std::string& key : drop) {
      meta.erase(key);
      unknown.push_back("metadata." + key);
    }
  }
  if (resource.crd && resource.schema) {
    std::vector<std::string> pruned = resource.schema->Prune(object);
    unknown.insert(unknown.end(), pruned.begin(), pruned.end());
  }
  if ((unknown.empty() && duplicates.empty()) || mode == "Ignore") return true;
  std::vector<std::string> problems;
  for (const std::string& d : duplicates)
    problems.push_back(fmt::format("duplicate field \"{}\"", d));
  for (const std::string& u : unknown) problems.push_back(fmt::format("unknown field \"{}\"", u));
  if (mode == "Strict") {
    std::string list;
    for (size_t i = 0; i < problems.size(); ++i) {
      if (i > 0) list += ", ";
      list += problems[i];
    }
    return ApiError::BadRequest(
        fmt::format("{} in version \"{}\" cannot be handled as a {}: strict decoding error: {}",
                    resource.kind, resource.version, resource.kind, list));
  }
  if (warnings != nullptr) warnings->insert(warnings->end(), problems.begin(), problems.end());
  return true;
}

void DefaultOnRead(const ResourceInfo& resource, Json& object) {
  if (resource.crd && resource.schema) resource.schema->ApplyDefaults(object);
}

OrderedJson WireObject(const ResourceInfo& resource, Json object) {
  if (resource.crd) {
    DefaultOnRead(resource, object);
    return ToOrdered(object);
  }
  return OrderBuiltinObject(object);
}

namespace {

void EmitYaml(YAML::Emitter& out, const OrderedJson& value) {
  if (value.is_object()) {
    out << YAML::BeginMap;
    for (auto it = value.begin(); it != value.end(); ++it) {
      out << YAML::Key << it.key() << YAML::Value;
      EmitYaml(out, it.value());
    }
    out << YAML::EndMap;
  } else if (value.is_array()) {
    out << YAML::BeginSeq;
    for (const OrderedJson& item : value) EmitYaml(out, item);
    out << YAML::EndSeq;
  } else if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (s.empty()) {
      out << YAML::DoubleQuoted << s;
    } else {
      out << s;
    }
  } else if (value.is_null()) {
    out << YAML::Null;
  } else {
    out << value.dump();
  }
}

}  // namespace

std::string YamlText(const OrderedJson& value) {
  YAML::Emitter out;
  EmitYaml(out, value);
  return std::string(out.c_str()) + "\n";
}

std::string BodyText(const OrderedJson& value) { return GoJson(value) + "\n"; }

}  // namespace osbx::standalone
