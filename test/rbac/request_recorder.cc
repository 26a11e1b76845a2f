#include "test/rbac/request_recorder.h"

#include "pkg/kube/meta/object.h"

namespace osbx::rbac {
namespace {

// The API group of an object's apiVersion ("" for "v1").
std::string GroupOf(const Json& object) {
  const std::string api_version =
      object.is_object() && object.contains("apiVersion") && object["apiVersion"].is_string()
          ? object["apiVersion"].get<std::string>()
          : "";
  const size_t slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

class RecordingApiClient final : public controller::ApiClient {
 public:
  RecordingApiClient(controller::ApiClient& inner, RequestLog& log,
                     std::vector<kube::ResourceRef> resources)
      : inner_(inner), log_(log), resources_(std::move(resources)) {}

  StatusOr<Json> Create(const kube::ResourceRef& resource, const std::string& ns,
                        const Json& object) override {
    log_.Add({resource.group, resource.resource, "create", ns});
    const Json owners =
        object.value("metadata", Json::object()).value("ownerReferences", Json::array());
    for (const Json& owner : owners) {
      if (!owner.value("blockOwnerDeletion", false)) continue;
      for (const kube::ResourceRef& r : resources_) {
        if (r.kind == owner.value("kind", "") && r.ApiVersion() == owner.value("apiVersion", "")) {
          log_.Add({r.group, r.resource + "/finalizers", "update", ns});
        }
      }
    }
    return inner_.Create(resource, ns, object);
  }

  StatusOr<Json> MergePatch(const kube::ResourceRef& resource, const std::string& ns,
                            const std::string& name, const Json& patch, bool status) override {
    log_.Add({resource.group, resource.resource + (status ? "/status" : ""), "patch", ns});
    return inner_.MergePatch(resource, ns, name, patch, status);
  }

  Status Delete(const kube::ResourceRef& resource, const std::string& ns, const std::string& name,
                const std::string& uid) override {
    log_.Add({resource.group, resource.resource, "delete", ns});
    return inner_.Delete(resource, ns, name, uid);
  }

  StatusOr<std::vector<Json>> ListAll(const kube::ResourceRef& resource) override {
    log_.Add({resource.group, resource.resource, "list", ""});
    return inner_.ListAll(resource);
  }

 private:
  controller::ApiClient& inner_;
  RequestLog& log_;
  const std::vector<kube::ResourceRef> resources_;
};

class RecordingListerWatcher final : public kube::ListerWatcher {
 public:
  RecordingListerWatcher(std::unique_ptr<kube::ListerWatcher> inner, RequestLog& log,
                         kube::ResourceRef resource, std::string ns)
      : inner_(std::move(inner)), log_(log), resource_(std::move(resource)), ns_(std::move(ns)) {}

  StatusOr<kube::ListResult> List(const kube::ListOptions& options) override {
    log_.Add({resource_.group, resource_.resource, "list", ns_});
    return inner_->List(options);
  }
  StatusOr<std::unique_ptr<kube::WatchHandle>> Watch(const kube::ListOptions& options,
                                                     kube::WatchCallbacks callbacks) override {
    log_.Add({resource_.group, resource_.resource, "watch", ns_});
    return inner_->Watch(options, std::move(callbacks));
  }

 private:
  std::unique_ptr<kube::ListerWatcher> inner_;
  RequestLog& log_;
  const kube::ResourceRef resource_;
  const std::string ns_;
};

// Leases: the group comes from the objects the client reads and writes (Lease apiVersion).
class RecordingLeases final : public kube::LeaseClient {
 public:
  RecordingLeases(kube::LeaseClient& inner, RequestLog& log) : inner_(inner), log_(log) {}

  StatusOr<Json> Get(const std::string& ns, const std::string& name) override {
    StatusOr<Json> got = inner_.Get(ns, name);
    Record(got.ok() ? &*got : nullptr, "get", ns);
    return got;
  }
  StatusOr<Json> Create(const std::string& ns, const Json& lease) override {
    Record(&lease, "create", ns);
    return inner_.Create(ns, lease);
  }
  StatusOr<Json> Update(const std::string& ns, const Json& lease) override {
    Record(&lease, "update", ns.empty() ? std::string(kube::GetNamespace(lease)) : ns);
    return inner_.Update(ns, lease);
  }

 private:
  // Requests are recorded once the Lease's group is known (the first get may find nothing).
  void Record(const Json* lease, const std::string& verb, const std::string& ns) {
    std::lock_guard lock(mu_);
    if (lease != nullptr && group_.empty()) group_ = GroupOf(*lease);
    pending_.emplace_back(verb, ns);
    if (group_.empty()) return;
    for (const auto& [v, n] : pending_) log_.Add({group_, "leases", v, n});
    pending_.clear();
  }

  kube::LeaseClient& inner_;
  RequestLog& log_;
  std::mutex mu_;
  std::string group_;                                         // guarded by mu_
  std::vector<std::pair<std::string, std::string>> pending_;  // verb, namespace; guarded by mu_
};

class RecordingEvents final : public kube::EventSink {
 public:
  RecordingEvents(kube::EventSink& inner, RequestLog& log) : inner_(inner), log_(log) {}

  StatusOr<Json> Create(const std::string& ns, const Json& event) override {
    {
      std::lock_guard lock(mu_);
      group_ = GroupOf(event);
    }
    log_.Add({GroupOf(event), "events", "create", ns});
    return inner_.Create(ns, event);
  }
  StatusOr<Json> Patch(const std::string& ns, const std::string& name,
                       const Json& merge_patch) override {
    std::string group;
    {
      std::lock_guard lock(mu_);
      group = group_;  // a patch updates an event this sink created
    }
    log_.Add({group, "events", "patch", ns});
    return inner_.Patch(ns, name, merge_patch);
  }

 private:
  kube::EventSink& inner_;
  RequestLog& log_;
  std::mutex mu_;
  std::string group_;  // guarded by mu_
};

class RecordingCluster final : public kube::ClusterClient {
 public:
  RecordingCluster(kube::ClusterClient& inner, RequestLog& log)
      : inner_(inner), log_(log), leases_(inner.Leases(), log), events_(inner.Events(), log) {}

  std::unique_ptr<kube::ListerWatcher> NewListerWatcher(const kube::ResourceRef& resource,
                                                        const std::string& ns) override {
    return std::make_unique<RecordingListerWatcher>(inner_.NewListerWatcher(resource, ns), log_,
                                                    resource, ns);
  }
  kube::LeaseClient& Leases() override { return leases_; }
  kube::EventSink& Events() override { return events_; }

 private:
  kube::ClusterClient& inner_;
  RequestLog& log_;
  RecordingLeases leases_;
  RecordingEvents events_;
};

}  // namespace

void RequestLog::Add(ApiRequest request) {
  std::lock_guard lock(mu_);
  requests_.insert(std::move(request));
}

std::set<ApiRequest> RequestLog::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

bool RequestLog::Contains(const std::string& group, const std::string& resource,
                          const std::string& verb) const {
  std::lock_guard lock(mu_);
  for (const ApiRequest& r : requests_) {
    if (r.group == group && r.resource == resource && r.verb == verb) return true;
  }
  return false;
}

std::unique_ptr<controller::ApiClient> NewRecordingApiClient(
    controller::ApiClient& inner, RequestLog& log, std::vector<kube::ResourceRef> resources) {
  return std::make_unique<RecordingApiClient>(inner, log, std::move(resources));
}

std::unique_ptr<kube::ClusterClient> NewRecordingCluster(kube::ClusterClient& inner,
                                                         RequestLog& log) {
  return std::make_unique<RecordingCluster>(inner, log);
}

}  // namespace osbx::rbac
