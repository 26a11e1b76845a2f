// The pods/binding subresource: POST pods/NAME/binding with a v1 Binding assigns an unbound pod
// to a node, as a scheduler (or the simulated node) does. Like kube-apiserver it sets
// spec.nodeName and the PodScheduled condition in one write, merges the Binding's annotations
// into the pod, honours the Binding's UID and resourceVersion preconditions, and refuses (409) a
// pod that is already bound or being deleted. Success is a Status with code 201.

#include <fmt/format.h>

#include "internal/standalone/apiserver/call.h"
#include "internal/standalone/apiserver/meta_util.h"
#include "internal/standalone/apiserver/object_codec.h"

namespace osbx::standalone {
namespace {

using internal::Meta;
using internal::MetaString;

constexpr const char* kBindingResource = "pods/binding";

// A 409 on pods/binding with kube-apiserver's wording.
ApiError BindingConflict(const std::string& name, const std::string& reason) {
  OrderedJson details = OrderedJson::object();
  details["name"] = name;
  details["kind"] = kBindingResource;
  return ApiError::Make(
      409, "Conflict",
      fmt::format("Operation cannot be fulfilled on {} \"{}\": {}", kBindingResource, name, reason),
      std::move(details));
}

std::string TargetString(const Json& binding, const char* field) {
  auto target = binding.find("target");
  if (target == binding.end() || !target->is_object()) return {};
  auto it = target->find(field);
  return it != target->end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The checks kube's ValidatePodBinding makes, plus the name and namespace of the URL.
ApiOr<bool> ValidateBinding(const Json& binding, const std::string& ns, const std::string& name) {
  if (!binding.is_object()) return ApiError::BadRequest("the object provided is not an object");
  std::string body_ns = MetaString(binding, "namespace");
  if (!body_ns.empty() && body_ns != ns) {
    return ApiError::BadRequest(
        "the namespace of the provided object does not match the namespace sent on the request");
  }
  std::string body_name = MetaString(binding, "name");
  if (!body_name.empty() && body_name != name) {
    return ApiError::BadRequest("name in URL does not match name in Binding object");
  }
  std::vector<StatusCause> causes;
  std::string kind = TargetString(binding, "kind");
  if (!kind.empty() && kind != "Node") {
    causes.push_back({"FieldValueNotSupported",
                      fmt::format("Unsupported value: \"{}\": supported values: \"Node\"", kind),
                      "target.kind"});
  }
  if (TargetString(binding, "name").empty()) {
    causes.push_back({"FieldValueRequired", "Required value", "target.name"});
  }
  if (!causes.empty()) return ApiError::Invalid("Binding", "", name, causes);
  return true;
}

// Sets (or replaces) the pod's PodScheduled condition to True.
void MarkScheduled(Json& pod, const std::string& now) {
  Json& status = pod["status"];
  if (!status.is_object()) status = Json::object();
  Json& conditions = status["conditions"];
  if (!conditions.is_array()) conditions = Json::array();
  for (Json& condition : conditions) {
    if (!condition.is_object() || condition.value("type", "") != "PodScheduled") continue;
    if (condition.value("status", "") != "True") {
      condition["status"] = "True";
      condition["lastTransitionTime"] = now;
      condition.erase("reason");
      condition.erase("message");
    }
    return;
  }
  conditions.push_back({{"type", "PodScheduled"},
                        {"status", "True"},
                        {"lastProbeTime", nullptr},
                        {"lastTransitionTime", now}});
}

}  // namespace

void ApiServer::ServeBinding(Call& call) {
  const std::string& ns = call.info.namespace_;
  const std::string& name = call.info.name;
  BodyType type = ClassifyContentType(call.request.headers.Get("Content-Type"));
  ApiOr<Json> binding =
      type == BodyType::kJson ? ParseJsonText(call.request.body)
      : type == BodyType::kYaml
          ? ParseYamlText(call.request.body)
          : ApiOr<Json>(ApiError::UnsupportedMediaType("application/json, application/yaml"));
  if (!binding.ok()) return RespondError(call, binding.error());
  ApiOr<bool> valid = ValidateBinding(*binding, ns, name);
  if (!valid.ok()) return RespondError(call, valid.error());

  std::string node = TargetString(*binding, "name");
  std::string want_uid = MetaString(*binding, "uid");
  std::string want_rv = MetaString(*binding, "resourceVersion");
  Json annotations = binding->value("metadata", Json::object()).value("annotations", Json());
  std::string now = NowText();
  Mutator bind = [&](const Json& pod) -> ApiOr<Json> {
    std::string uid = MetaString(pod, "uid");
    if (!want_uid.empty() && want_uid != uid) {
      return BindingConflict(name, fmt::format("Precondition failed: UID in precondition: {}, UID "
                                               "in object meta: {}",
                                               want_uid, uid));
    }
    std::string rv = MetaString(pod, "resourceVersion");
    if (!want_rv.empty() && want_rv != rv) {
      return BindingConflict(name, fmt::format("Precondition failed: ResourceVersion in "
                                               "precondition: {}, ResourceVersion in object meta: "
                                               "{}",
                                               want_rv, rv));
    }
    if (pod["metadata"].contains("deletionTimestamp")) {
      return BindingConflict(
          name, fmt::format("pod {} is being deleted, cannot be assigned to a host", name));
    }
    std::string bound = pod.value("spec", Json::object()).value("nodeName", "");
    if (!bound.empty()) {
      return BindingConflict(name,
                             fmt::format("pod {} is already assigned to node \"{}\"", name, bound));
    }
    Json next = pod;
    next["spec"]["nodeName"] = node;
    if (annotations.is_object()) {
      for (const auto& [key, value] : annotations.items()) Meta(next)["annotations"][key] = value;
    }
    MarkScheduled(next, now);
    return next;
  };
  WriteOptions options = WriteOptionsOf(call);
  ApiOr<MutateResult> result =
      MutateObject(*call.resource, ns, name, "binding", bind, options, /*allow_create=*/false);
  if (!result.ok()) return RespondError(call, result.error());
  OrderedJson status = OrderedJson::object();
  status["kind"] = "Status";
  status["apiVersion"] = "v1";
  status["metadata"] = OrderedJson::object();
  status["status"] = "Success";
  status["code"] = 201;
  RespondJson(call, 201, status);
}

}  // namespace osbx::standalone
