// DELETE of one object: preconditions, finalizers (foregroundDeletion / orphan for those
// propagation policies), graceful deletion of bound pods, namespaces marked Terminating.

#include "internal/standalone/apiserver/api_server.h"
#include "internal/standalone/apiserver/meta_util.h"
#include "internal/standalone/apiserver/object_codec.h"
#include "internal/standalone/apiserver/selection.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::standalone {

using internal::Finalizers;
using internal::HasGeneration;
using internal::Meta;
using internal::MetaString;

namespace {
constexpr int kMaxAttempts = 16;
}  // namespace

ApiOr<ApiServer::DeleteResult> ApiServer::DeleteObject(const ResourceInfo& resource,
                                                       const std::string& ns,
                                                       const std::string& name,
                                                       const DeleteRequest& request) {
  std::string key = resource.Key(ns, name);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    StatusOr<ObjectPtr> found = store_.Get(key);
    if (!found.ok()) return ApiError::NotFound(resource.group, resource.resource, name);
    Json current = Json::parse((*found)->value);
    DefaultOnRead(resource, current);
    std::string uid = MetaString(current, "uid");
    if (!request.precondition_uid.empty() && request.precondition_uid != uid) {
      return ApiError::UidPreconditionConflict(resource.group, resource.kind, name,
                                               request.precondition_uid, uid);
    }
    if (!request.precondition_rv.empty() &&
        request.precondition_rv != std::to_string((*found)->rv)) {
      return ApiError::Conflict(resource.group, resource.resource, name);
    }
    bool is_pod = resource.resource == "pods";
    int64_t grace = 0;
    if (is_pod) {
      grace =
          request.grace_seconds.value_or(current.value("spec", Json::object())
                                             .value("terminationGracePeriodSeconds", int64_t{30}));
      if (current.value("spec", Json::object()).value("nodeName", "").empty()) grace = 0;
      if (grace < 0) grace = 0;
    }
    bool terminating = current["metadata"].contains("deletionTimestamp");
    if (terminating) {
      bool shorten = is_pod && request.grace_seconds && *request.grace_seconds == 0 &&
                     current["metadata"].value("deletionGracePeriodSeconds", int64_t{0}) != 0;
      if (!shorten) return DeleteResult{current, false};
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
    bool is_namespace = resource.resource == "namespaces";
    if (finalizers.empty() && grace == 0 && !is_namespace) {
      if (request.dry_run) return DeleteResult{current, true};
      StatusOr<ObjectPtr> deleted = store_.Delete(key, DeleteAt((*found)->rv));
      if (!deleted.ok() && deleted.status().IsConflict()) continue;
      if (!deleted.ok()) {
        return ApiError::FromStatus(deleted.status(), resource.group, resource.resource, name);
      }
      Json last = Json::parse((*deleted)->value);
      if (is_pod && !last["metadata"].contains("deletionTimestamp")) {
        last["metadata"]["deletionTimestamp"] = NowText();
        last["metadata"]["deletionGracePeriodSeconds"] = 0;
      }
      AfterWrite(resource, last, true);
      NudgeGarbageCollector();
      return DeleteResult{last, true};
    }
    Json marked = current;
    Json& meta = Meta(marked);
    meta["deletionTimestamp"] = kube::FormatTime(clock_.WallNow() + std::chrono::seconds(grace));
    meta["deletionGracePeriodSeconds"] = grace;
    if (!finalizers.empty()) meta["finalizers"] = finalizers;
    if (HasGeneration(resource)) meta["generation"] = meta.value("generation", int64_t{0}) + 1;
    if (is_namespace) marked["status"]["phase"] = "Terminating";
    if (is_namespace) meta.erase("deletionGracePeriodSeconds");
    if (request.dry_run) return DeleteResult{marked, false};
    StatusOr<ObjectPtr> updated = store_.Update(key, Serialize(resource, marked), (*found)->rv);
    if (!updated.ok() && updated.status().IsConflict()) continue;
    if (!updated.ok()) {
      return ApiError::FromStatus(updated.status(), resource.group, resource.resource, name);
    }
    NudgeGarbageCollector();
    return DeleteResult{Json::parse((*updated)->value), false};
  }
  return ApiError::Conflict(resource.group, resource.resource, name);
}

}  // namespace osbx::standalone
