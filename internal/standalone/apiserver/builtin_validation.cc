// The built-in kinds' validation, following the order in which kube-apiserver's ValidatePod
// reports problems (containers, then initContainers, then restartPolicy) so that the aggregated
// message of a 422 reads the same.

#include "internal/standalone/apiserver/builtin_validation.h"

#include <set>
#include <string>

#include <fmt/format.h>

#include "pkg/kube/meta/names.h"

namespace osbx::standalone {
namespace {

constexpr const char* kRequired = "FieldValueRequired";

std::string StringField(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string MetaName(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  auto meta = object.find("metadata");
  return meta != object.end() ? StringField(*meta, key) : std::string();
}

const Json& ArrayField(const Json& object, const char* key) {
  static const Json kEmpty = Json::array();
  if (!object.is_object()) return kEmpty;
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : kEmpty;
}

const Json& ObjectField(const Json& object, const char* key) {
  static const Json kEmpty = Json::object();
  if (!object.is_object()) return kEmpty;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

// Name and image of one container at `path` ("spec.containers[0]"); `names` holds the names
// already seen in the pod and gains this one.
void ValidateContainer(const Json& container, const std::string& path, std::set<std::string>& names,
                       std::vector<StatusCause>& causes) {
  const std::string name = StringField(container, "name");
  const std::string name_path = path + ".name";
  if (name.empty()) {
    causes.push_back({kRequired, "Required value", name_path});
  } else {
    for (const std::string& msg : kube::IsDns1123Label(name)) {
      causes.push_back(kube::InvalidValueCause(name_path, name, msg));
    }
  }
  if (StringField(container, "image").empty()) {
    causes.push_back({kRequired, "Required value", path + ".image"});
  }
  if (names.count(name) != 0) {
    causes.push_back({"FieldValueDuplicate",
                      fmt::format("Duplicate value: {}", kube::GoQuote(name)), name_path});
  } else if (!name.empty()) {
    names.insert(name);
  }
}

void ValidateRestartPolicy(const Json& spec, std::vector<StatusCause>& causes) {
  // An absent or empty policy is defaulted to Always, as kube's defaulting does.
  const std::string policy = StringField(spec, "restartPolicy");
  if (policy.empty() || policy == "Always" || policy == "OnFailure" || policy == "Never") return;
  causes.push_back({"FieldValueNotSupported",
                    fmt::format("Unsupported value: {}: supported values: \"Always\", "
                                "\"OnFailure\", \"Never\"",
                                kube::GoQuote(policy)),
                    "spec.restartPolicy"});
}

std::vector<StatusCause> ValidatePodSpec(const Json& pod) {
  std::vector<StatusCause> causes;
  const Json& spec = ObjectField(pod, "spec");
  const Json& containers = ArrayField(spec, "containers");
  if (containers.empty()) causes.push_back({kRequired, "Required value", "spec.containers"});
  std::set<std::string> names;
  for (size_t i = 0; i < containers.size(); ++i) {
    ValidateContainer(containers[i], fmt::format("spec.containers[{}]", i), names, causes);
  }
  // Init containers must not reuse any regular container's name, wherever it appears.
  for (const Json& container : containers) names.insert(StringField(container, "name"));
  names.erase("");
  const Json& init = ArrayField(spec, "initContainers");
  for (size_t i = 0; i < init.size(); ++i) {
    ValidateContainer(init[i], fmt::format("spec.initContainers[{}]", i), names, causes);
  }
  ValidateRestartPolicy(spec, causes);
  return causes;
}

// kube validates a generateName prefix as a name whose trailing '-' is replaced by a letter.
std::string MaskTrailingDash(std::string value) {
  if (value.size() > 1 && value.back() == '-') value.back() = 'a';
  return value;
}

std::vector<StatusCause> ValidateNamespaceName(const Json& object) {
  std::vector<StatusCause> causes;
  const std::string name = MetaName(object, "name");
  const std::string generate_name = MetaName(object, "generateName");
  if (!generate_name.empty()) {
    for (const std::string& msg : kube::IsDns1123Label(MaskTrailingDash(generate_name))) {
      causes.push_back(kube::InvalidValueCause("metadata.generateName", generate_name, msg));
    }
  }
  if (name.empty()) {
    if (generate_name.empty()) {
      causes.push_back(
          {kRequired, "Required value: name or generateName is required", "metadata.name"});
    }
    return causes;
  }
  for (const std::string& msg : kube::IsDns1123Label(name)) {
    causes.push_back(kube::InvalidValueCause("metadata.name", name, msg));
  }
  return causes;
}

}  // namespace

std::vector<StatusCause> ValidateBuiltinName(std::string_view group, std::string_view resource,
                                             const Json& object) {
  if (group.empty() && resource == "namespaces") return ValidateNamespaceName(object);
  return kube::ValidateObjectName(object);
}

std::vector<StatusCause> ValidateBuiltinSpec(std::string_view group, std::string_view resource,
                                             const Json& object) {
  if (group.empty() && resource == "pods") return ValidatePodSpec(object);
  return {};
}

}  // namespace osbx::standalone
