#include "pkg/kube/client/codec.h"

#include "pkg/kube/client/rest_client.h"

namespace osbx::kube {
namespace {

std::string MetadataString(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  auto it = meta->find(key);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

StatusOr<Json> ParseJsonBody(std::string_view body) {
  Json doc = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return InternalError("the server answered with a body that is not JSON (" +
                         std::to_string(body.size()) + " bytes)");
  }
  return doc;
}

StatusOr<ListResult> ParseListBody(std::string_view body, const ResourceRef& resource) {
  OSBX_ASSIGN_OR_RETURN(Json doc, ParseJsonBody(body));
  if (!doc.is_object()) return InternalError("list answer is not a JSON object");
  ListResult result;
  auto meta = doc.find("metadata");
  if (meta != doc.end() && meta->is_object()) {
    auto rv = meta->find("resourceVersion");
    if (rv != meta->end() && rv->is_string()) result.resource_version = rv->get<std::string>();
    auto cont = meta->find("continue");
    if (cont != meta->end() && cont->is_string()) result.continue_token = cont->get<std::string>();
    auto remaining = meta->find("remainingItemCount");
    if (remaining != meta->end() && remaining->is_number_integer()) {
      result.remaining_item_count = remaining->get<int64_t>();
    }
  }
  auto items = doc.find("items");
  if (items == doc.end() || items->is_null()) return result;
  if (!items->is_array()) return InternalError("list answer: items is not an array");
  result.items.reserve(items->size());
  std::string api_version = resource.ApiVersion();
  for (Json& item : *items) {
    if (!item.is_object()) return InternalError("list answer: an item is not an object");
    if (!item.contains("apiVersion")) item["apiVersion"] = api_version;
    if (!item.contains("kind") && !resource.kind.empty()) item["kind"] = resource.kind;
    result.items.push_back(std::move(item));
  }
  return result;
}

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string ObjectName(const Json& object) { return MetadataString(object, "name"); }

std::string ObjectNamespace(const Json& object) { return MetadataString(object, "namespace"); }

Status CheckObjectAddress(const ResourceRef& resource, std::string_view ns, std::string_view name) {
  if (name.empty()) return BadRequestError(resource.resource + ": object name is required");
  if (resource.namespaced && ns.empty()) {
    return BadRequestError(resource.resource + " \"" + std::string(name) +
                           "\": namespace is required");
  }
  return Status::Ok();
}

Query WriteQuery(const std::string& field_manager, bool dry_run) {
  Query q;
  if (!field_manager.empty()) q.emplace_back("fieldManager", field_manager);
  if (dry_run) q.emplace_back("dryRun", "All");
  return q;
}

std::optional<Json> DeleteOptionsBody(const DeleteOptions& options) {
  Json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  bool any = false;
  if (!options.propagation_policy.empty()) {
    body["propagationPolicy"] = options.propagation_policy;
    any = true;
  }
  if (!options.precondition_uid.empty()) {
    body["preconditions"]["uid"] = options.precondition_uid;
    any = true;
  }
  if (!options.precondition_resource_version.empty()) {
    body["preconditions"]["resourceVersion"] = options.precondition_resource_version;
    any = true;
  }
  if (options.grace_period_seconds) {
    body["gracePeriodSeconds"] = *options.grace_period_seconds;
    any = true;
  }
  if (options.dry_run) {
    body["dryRun"] = Json::array({"All"});
    any = true;
  }
  if (!any) return std::nullopt;
  return body;
}

}  // namespace osbx::kube
