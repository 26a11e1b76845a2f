#include "internal/standalone/apiserver/selection.h"

#include <set>

#include <fmt/format.h>

namespace osbx::standalone {
namespace {

const std::set<std::string, std::less<>>& AllowedFields(const ResourceInfo& resource) {
  static const std::set<std::string, std::less<>> kCommon = {"metadata.name", "metadata.namespace"};
  static const std::set<std::string, std::less<>> kPods = {
      "metadata.name",      "metadata.namespace",      "spec.nodeName",    "spec.restartPolicy",
      "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
      "status.podIP",       "status.nominatedNodeName"};
  static const std::set<std::string, std::less<>> kEvents = {"metadata.name",
                                                             "metadata.namespace",
                                                             "involvedObject.kind",
                                                             "involvedObject.namespace",
                                                             "involvedObject.name",
                                                             "involvedObject.uid",
                                                             "involvedObject.apiVersion",
                                                             "involvedObject.resourceVersion",
                                                             "involvedObject.fieldPath",
                                                             "reason",
                                                             "reportingComponent",
                                                             "source",
                                                             "type"};
  static const std::set<std::string, std::less<>> kNamespaces = {"metadata.name", "status.phase"};
  static const std::set<std::string, std::less<>> kNodes = {"metadata.name", "spec.unschedulable"};
  if (resource.crd) return kCommon;
  if (resource.resource == "pods") return kPods;
  if (resource.resource == "events") return kEvents;
  if (resource.resource == "namespaces") return kNamespaces;
  if (resource.resource == "nodes") return kNodes;
  return kCommon;
}

}  // namespace

bool Selection::Matches(const Json& object) const {
  if (!labels.Empty()) {
    const Json& meta = object.value("metadata", Json::object());
    if (!labels.Matches(meta.value("labels", Json()))) return false;
  }
  if (!fields.Empty()) {
    auto getter = [&object](std::string_view field) -> std::optional<std::string> {
      if (field == "source") {
        return kube::JsonFieldByPath(object, "source.component");
      }
      return kube::JsonFieldByPath(object, field);
    };
    if (!fields.Matches(getter)) return false;
  }
  return true;
}

ApiOr<Selection> ParseSelection(const ResourceInfo& resource, const http::QueryParams& query) {
  Selection selection;
  if (auto text = query.Get("labelSelector"); text && !text->empty()) {
    StatusOr<kube::LabelSelector> parsed = kube::LabelSelector::Parse(*text);
    if (!parsed.ok()) return ApiError::BadRequest(parsed.status().message());
    selection.labels = std::move(*parsed);
  }
  if (auto text = query.Get("fieldSelector"); text && !text->empty()) {
    StatusOr<kube::FieldSelector> parsed = kube::FieldSelector::Parse(*text);
    if (!parsed.ok()) return ApiError::BadRequest(parsed.status().message());
    const auto& allowed = AllowedFields(resource);
    for (const std::string& field : parsed->Fields()) {
      if (!allowed.count(field)) {
        return ApiError::BadRequest(fmt::format("field label not supported: {}", field));
      }
    }
    selection.fields = std::move(*parsed);
  }
  return selection;
}

std::string ListPrefix(const ResourceInfo& resource, const std::string& ns) {
  if (!resource.namespaced || ns.empty()) return resource.KeyPrefix();
  return resource.KeyPrefix() + ns + "/";
}

}  // namespace osbx::standalone
