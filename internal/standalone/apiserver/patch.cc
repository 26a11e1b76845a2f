// PATCH: JSON merge patch, JSON patch, strategic merge patch (built-ins only) and server-side
// apply, on the main resource or /status.

#include <fmt/format.h>

#include "internal/standalone/apiserver/call.h"
#include "internal/standalone/apiserver/managed_fields.h"
#include "internal/standalone/apiserver/object_codec.h"
#include "pkg/kube/meta/timestamp.h"
#include "pkg/kube/patch/strategic_merge.h"

namespace osbx::standalone {
namespace {

constexpr std::string_view kJsonPatchRejected =
    "the server rejected our request due to an error in our request";

std::string MetaString(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) {
    return {};
  }
  const Json& meta = object["metadata"];
  return meta.contains(key) && meta[key].is_string() ? meta[key].get<std::string>() : std::string();
}

ApiOr<Json> DecodePatch(std::string_view body) {
  std::string error;
  ApiOr<Json> parsed = ParseJsonText(body, &error);
  if (!parsed.ok()) return ApiError::BadRequest("error decoding patch: " + error);
  return parsed;
}

std::string GvkText(const Json& config) {
  std::string api_version = config.value("apiVersion", "");
  std::string group, version;
  size_t slash = api_version.find('/');
  if (slash == std::string::npos) {
    version = api_version;
  } else {
    group = api_version.substr(0, slash);
    version = api_version.substr(slash + 1);
  }
  return fmt::format("{}/{}, Kind={}", group, version, config.value("kind", ""));
}

ApiError ConflictError(const std::vector<ApplyConflict>& conflicts) {
  OrderedJson causes = OrderedJson::array();
  for (const ApplyConflict& c : conflicts) {
    OrderedJson cause = OrderedJson::object();
    cause["reason"] = "FieldManagerConflict";
    cause["message"] = fmt::format("conflict with \"{}\"", c.manager);
    cause["field"] = c.path;
    causes.push_back(cause);
  }
  OrderedJson details = OrderedJson::object();
  details["causes"] = causes;
  return ApiError::Make(409, "Conflict", ApplyConflictMessage(conflicts), std::move(details));
}

}  // namespace

void ApiServer::ServePatch(Call& call) {
  const ResourceInfo& resource = *call.resource;
  BodyType type = ClassifyContentType(call.request.headers.Get("Content-Type"));
  bool supported = type == BodyType::kMergePatch || type == BodyType::kJsonPatch ||
                   type == BodyType::kApplyPatch ||
                   (type == BodyType::kStrategicMergePatch && !resource.crd);
  if (!supported) {
    return RespondError(
        call, ApiError::UnsupportedMediaType(
                  resource.crd ? "application/json-patch+json, application/merge-patch+json, "
                                 "application/apply-patch+yaml"
                               : "application/json-patch+json, application/merge-patch+json, "
                                 "application/strategic-merge-patch+json, "
                                 "application/apply-patch+yaml"));
  }
  WriteOptions options = WriteOptionsOf(call);
  const std::string& name = call.info.name;
  Mutator mutate;
  bool allow_create = false;
  Json patch;
  if (type == BodyType::kApplyPatch) {
    std::string manager(call.request.query.GetOr("fieldManager", ""));
    if (manager.empty()) {
      OrderedJson details = OrderedJson::object();
      details["group"] = "meta.k8s.io";
      details["kind"] = "PatchOptions";
      OrderedJson cause = OrderedJson::object();
      cause["reason"] = "FieldValueRequired";
      cause["message"] = "Required value: is required for apply patch";
      cause["field"] = "fieldManager";
      details["causes"] = OrderedJson::array({cause});
      return RespondError(call, ApiError::Make(422, "Invalid",
                                               "PatchOptions.meta.k8s.io \"\" is invalid: "
                                               "fieldManager: Required value: is required for "
                                               "apply patch",
                                               std::move(details)));
    }
    ApiOr<Json> config = ParseJsonText(call.request.body);
    if (!config.ok()) config = ParseYamlText(call.request.body);
    if (!config.ok()) return RespondError(call, config.error());
    if (!config->is_object()) return RespondError(call, ApiError::BadRequest("invalid apply body"));
    if (config->value("kind", "") != resource.kind ||
        config->value("apiVersion", "") != resource.ApiVersion()) {
      return RespondError(call, ApiError::BadRequest("invalid object type: " + GvkText(*config)));
    }
    if (resource.crd && resource.schema) {
      Json copy = *config;
      std::vector<std::string> unknown = resource.schema->Prune(copy);
      if (!unknown.empty()) {
        return RespondError(
            call, ApiError::Internal(fmt::format(
                      "failed to create typed patch object ({}/{}; {}): .{}: field not declared in "
                      "schema",
                      MetaString(*config, "namespace"), MetaString(*config, "name"),
                      GvkText(*config), unknown[0])));
      }
    }
    bool force = call.request.query.GetOr("force", "") == "true";
    options.apply = true;
    options.manager = manager;
    allow_create = call.info.subresource.empty();
    std::string api_version = resource.ApiVersion();
    std::string subresource = call.info.subresource;
    Json applied_config = std::move(*config);
    std::string now = NowText();
    mutate = [applied_config, force, manager, api_version, subresource,
              now](const Json& current) -> ApiOr<Json> {
      Json result;
      std::vector<ApplyConflict> conflicts = Apply({manager, "Apply", api_version, subresource},
                                                   current, applied_config, force, now, result);
      if (!conflicts.empty()) return ConflictError(conflicts);
      if (!current.is_object()) {
        // Creation by apply: the identity comes from the applied configuration.
        result["apiVersion"] = applied_config["apiVersion"];
        result["kind"] = applied_config["kind"];
        const Json& meta = applied_config.value("metadata", Json::object());
        for (const char* key : {"name", "namespace", "generateName"}) {
          if (meta.contains(key)) result["metadata"][key] = meta[key];
        }
      }
      return result;
    };
  } else {
    ApiOr<Json> decoded = DecodePatch(call.request.body);
    if (!decoded.ok()) return RespondError(call, decoded.error());
    patch = std::move(*decoded);
    if (type == BodyType::kJsonPatch && !patch.is_array()) {
      return RespondError(call, ApiError::BadRequest(fmt::format(
                                    "error decoding patch: json: cannot unmarshal {} into Go value "
                                    "of type []handlers.jsonPatchOp",
                                    patch.is_object() ? "object" : "string")));
    }
    std::string want_rv;
    if (patch.is_object()) want_rv = MetaString(patch, "resourceVersion");
    mutate = [&, type, want_rv](const Json& current) -> ApiOr<Json> {
      if (!want_rv.empty() && want_rv != MetaString(current, "resourceVersion")) {
        return ApiError::Conflict(resource.group, resource.resource, name);
      }
      if (type == BodyType::kJsonPatch) {
        try {
          return current.patch(patch);
        } catch (const nlohmann::json::exception&) {
          return ApiError::Make(422, "Invalid", kJsonPatchRejected, OrderedJson::object());
        }
      }
      if (type == BodyType::kStrategicMergePatch) {
        const kube::patch::PatchSchema& schema =
            resource.resource == "pods" ? kube::patch::PodSchema() : kube::patch::EmptySchema();
        StatusOr<Json> merged = kube::patch::ApplyStrategicMergePatch(current, patch, schema);
        if (!merged.ok()) return ApiError::FromStatus(merged.status());
        return *merged;
      }
      Json result = current;
      result.merge_patch(patch);
      return result;
    };
  }
  ApiOr<MutateResult> result = MutateObject(resource, call.info.namespace_, name,
                                            call.info.subresource, mutate, options, allow_create);
  if (!result.ok()) return RespondError(call, result.error());
  Respond(call, result->created ? 201 : 200, result->object);
}

}  // namespace osbx::standalone
