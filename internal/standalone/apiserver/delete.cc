// DELETE of one object: preconditions, finalizers (foregroundDeletion / orphan for those
// propagation policies), graceful deletion of bound pods, namespaces marked Terminating.
//
// The decision is a read-modify-write of the newest version: when another write races it, the
// store re-runs the decision on the version that won, so a DELETE without preconditions never
// fails with Conflict. Only stale DeleteOptions preconditions answer 409.

#include "internal/standalone/apiserver/api_server.h"
#include "internal/standalone/apiserver/meta_util.h"
#include "internal/standalone/apiserver/object_codec.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::standalone {

using internal::Finalizers;
using internal::HasGeneration;
using internal::Meta;
using internal::MetaString;

namespace {

// What one DELETE does to the object it found.
struct DeleteStep {
  enum class Kind {
    kKeep,    // already terminating: answered as it is
    kRemove,  // removed from the store at once
    kMark,    // marked with deletionTimestamp; finalizers or a grace period hold it
  };
  Kind kind = Kind::kKeep;
  Json object;  // kKeep and kRemove: the current object; kMark: the marked one
};

std::optional<ApiError> CheckPreconditions(const ResourceInfo& resource, const std::string& name,
                                           const Json& current, int64_t rv,
                                           const ApiServer::DeleteRequest& request) {
  std::string uid = MetaString(current, "uid");
  if (!request.precondition_uid.empty() && request.precondition_uid != uid) {
    return ApiError::UidPreconditionConflict(resource.group, resource.kind, name,
                                             request.precondition_uid, uid);
  }
  if (!request.precondition_rv.empty() && request.precondition_rv != std::to_string(rv)) {
    return ApiError::Conflict(resource.group, resource.resource, name);
  }
  return std::nullopt;
}

// A bound pod's grace period: the request's, else the pod's own; 0 for other objects.
int64_t GraceSeconds(const ResourceInfo& resource, const Json& current,
                     const ApiServer::DeleteRequest& request) {
  if (resource.resource != "pods") return 0;
  const Json& spec = current.value("spec", Json::object());
  if (spec.value("nodeName", "").empty()) return 0;
  int64_t grace =
      request.grace_seconds.value_or(spec.value("terminationGracePeriodSeconds", int64_t{30}));
  return grace < 0 ? 0 : grace;
}

DeleteStep PlanDelete(const ResourceInfo& resource, Json current,
                      const ApiServer::DeleteRequest& request,
                      std::chrono::system_clock::time_point now) {
  const bool is_pod = resource.resource == "pods";
  const bool is_namespace = resource.resource == "namespaces";
  const int64_t grace = GraceSeconds(resource, current, request);
  const bool terminating = current["metadata"].contains("deletionTimestamp");
  if (terminating) {
    // Only a pod's grace period can be cut short (to 0) by a second DELETE.
    bool shorten = is_pod && request.grace_seconds && *request.grace_seconds == 0 &&
                   current["metadata"].value("deletionGracePeriodSeconds", int64_t{0}) != 0;
    if (!shorten) return {DeleteStep::Kind::kKeep, std::move(current)};
  }
  std::vector<std::string> finalizers = Finalizers(current);
  auto add_finalizer = [&](const std::string& f) {
    if (std::find(finalizers.begin(), finalizers.end(), f) == finalizers.end()) {
      finalizers.push_back(f);
    }
  };
  if (!terminating) {
    if (request.propagation == "Foreground") add_finalizer("foregroundDeletion");
    if (request.propagation == "Orphan") add_finalizer("orphan");
  }
  if (finalizers.empty() && grace == 0 && !is_namespace) {
    return {DeleteStep::Kind::kRemove, std::move(current)};
  }
  Json& meta = Meta(current);
  meta["deletionTimestamp"] = kube::FormatTime(now + std::chrono::seconds(grace));
  meta["deletionGracePeriodSeconds"] = grace;
  if (!finalizers.empty()) meta["finalizers"] = finalizers;
  if (HasGeneration(resource)) meta["generation"] = meta.value("generation", int64_t{0}) + 1;
  if (is_namespace) {
    current["status"]["phase"] = "Terminating";
    meta.erase("deletionGracePeriodSeconds");
  }
  return {DeleteStep::Kind::kMark, std::move(current)};
}

}  // namespace

ApiOr<ApiServer::DeleteResult> ApiServer::DeleteObject(const ResourceInfo& resource,
                                                       const std::string& ns,
                                                       const std::string& name,
                                                       const DeleteRequest& request) {
  std::optional<ApiError> error;
  DeleteStep step;
  // Runs again on the newer version whenever another write to the object races it.
  auto decide = [&](const ObjectPtr& found) -> StatusOr<WriteDecision> {
    Json current = Json::parse(found->value, nullptr, false);
    if (current.is_discarded()) {
      error = ApiError::Internal("stored object is not JSON");
      return InternalError("rejected");
    }
    DefaultOnRead(resource, current);
    error = CheckPreconditions(resource, name, current, found->rv, request);
    if (error) return InternalError("rejected");
    step = PlanDelete(resource, std::move(current), request, clock_.WallNow());
    if (request.dry_run || step.kind == DeleteStep::Kind::kKeep) return WriteDecision::None();
    if (step.kind == DeleteStep::Kind::kRemove) return WriteDecision::Remove();
    return WriteDecision::Put(Serialize(resource, step.object));
  };
  StatusOr<ObjectPtr> stored = WriteKey(resource.Key(ns, name), decide);
  if (error) return *error;
  if (!stored.ok()) {
    return ApiError::FromStatus(stored.status(), resource.group, resource.resource, name);
  }
  const bool removed = step.kind == DeleteStep::Kind::kRemove;
  if (step.kind == DeleteStep::Kind::kKeep || request.dry_run) {
    return DeleteResult{std::move(step.object), removed};
  }
  Json answer = Json::parse((*stored)->value);
  if (removed) {
    if (resource.resource == "pods" && !answer["metadata"].contains("deletionTimestamp")) {
      answer["metadata"]["deletionTimestamp"] = NowText();
      answer["metadata"]["deletionGracePeriodSeconds"] = 0;
    }
    AfterWrite(resource, answer, true);
  }
  NudgeGarbageCollector();
  return DeleteResult{std::move(answer), removed};
}

}  // namespace osbx::standalone
