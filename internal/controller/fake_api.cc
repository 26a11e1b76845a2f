#include "internal/controller/fake_api.h"

#include <chrono>

#include "api/v1alpha1/well_known.h"
#include "pkg/kube/meta/object.h"
#include "pkg/kube/meta/timestamp.h"
#include "pkg/kube/patch/merge_patch.h"

namespace osbx::controller::testing {
namespace {

std::string Key(const std::string& ns, const std::string& name) { return ns + "/" + name; }

}  // namespace

struct FakeApi::Watcher {
  std::string resource;
  std::string ns;
  kube::WatchCallbacks callbacks;
  bool active = true;
};

class FakeApi::Lw final : public kube::ListerWatcher {
 public:
  Lw(FakeApi& api, std::string resource, std::string ns)
      : api_(api), resource_(std::move(resource)), ns_(std::move(ns)) {}

  StatusOr<kube::ListResult> List(const kube::ListOptions&) override {
    std::lock_guard lock(api_.mu_);
    kube::ListResult result;
    for (const auto& [key, obj] : api_.objects_[resource_]) {
      if (ns_.empty() || kube::GetNamespace(obj) == ns_) result.items.push_back(obj);
    }
    result.resource_version = std::to_string(api_.rv_);
    return result;
  }

  StatusOr<std::unique_ptr<kube::WatchHandle>> Watch(const kube::ListOptions& options,
                                                     kube::WatchCallbacks callbacks) override {
    std::lock_guard lock(api_.mu_);
    auto watcher = std::make_shared<Watcher>(Watcher{resource_, ns_, std::move(callbacks)});
    const int64_t from =
        options.resource_version.empty() ? api_.rv_ : std::stoll(options.resource_version);
    for (const auto& [resource, event] : api_.log_) {
      if (resource != resource_) continue;
      if (std::stoll(std::string(kube::GetResourceVersion(event.object))) <= from) continue;
      if (!ns_.empty() && kube::GetNamespace(event.object) != ns_) continue;
      watcher->callbacks.on_event(kube::WatchEvent{event.type, event.object});
    }
    api_.watchers_.push_back(watcher);
    return std::unique_ptr<kube::WatchHandle>(std::make_unique<Handle>(api_, watcher));
  }

 private:
  class Handle final : public kube::WatchHandle {
   public:
    Handle(FakeApi& api, std::shared_ptr<Watcher> watcher)
        : api_(api), watcher_(std::move(watcher)) {}
    ~Handle() override { Stop(); }
    void Stop() override {
      std::lock_guard lock(api_.mu_);
      watcher_->active = false;
    }

   private:
    FakeApi& api_;
    std::shared_ptr<Watcher> watcher_;
  };

  FakeApi& api_;
  std::string resource_;
  std::string ns_;
};

FakeApi::FakeApi() = default;
FakeApi::~FakeApi() = default;

void FakeApi::EmitLocked(const std::string& resource, kube::WatchEventType type,
                         const Json& object) {
  log_.emplace_back(resource, kube::WatchEvent{type, object});
  if (held_.count(resource) != 0) {
    held_events_.emplace_back(resource, kube::WatchEvent{type, object});
  } else {
    DeliverLocked(resource, kube::WatchEvent{type, object});
  }
  cv_.notify_all();
}

void FakeApi::DeliverLocked(const std::string& resource, const kube::WatchEvent& event) {
  for (auto& w : watchers_) {
    if (!w->active || w->resource != resource) continue;
    if (!w->ns.empty() && kube::GetNamespace(event.object) != w->ns) continue;
    w->callbacks.on_event(kube::WatchEvent(event));
  }
}

void FakeApi::HoldWatchEvents(const std::string& resource, bool hold) {
  std::lock_guard lock(mu_);
  if (hold) {
    held_.insert(resource);
    return;
  }
  held_.erase(resource);
  std::vector<std::pair<std::string, kube::WatchEvent>> still_held;
  for (auto& [r, event] : held_events_) {
    if (r == resource) {
      DeliverLocked(r, event);
    } else {
      still_held.emplace_back(std::move(r), std::move(event));
    }
  }
  held_events_ = std::move(still_held);
  cv_.notify_all();
}

void FakeApi::CountLocked(const std::string& verb, const std::string& resource) {
  ++writes_[{verb, resource}];
}

void FakeApi::MakeReadyLocked(Json& pod, bool ready) {
  static int ip = 1;
  Json& status = pod["status"];
  status["phase"] = ready ? "Running" : "Pending";
  if (ready) {
    if (!status.contains("podIP")) {
      status["podIP"] = "10.1." + std::to_string(ip / 250) + "." + std::to_string(ip % 250 + 1);
      ++ip;
    }
    pod["spec"]["nodeName"] = "fake-node";
  }
  status["conditions"] =
      Json::array({{{"type", "Ready"},
                    {"status", ready ? "True" : "False"},
                    {"lastTransitionTime", kube::FormatTime(std::chrono::system_clock::now())}}});
}

void FakeApi::CommitLocked(const std::string& resource, const std::string& key, Json object) {
  object["metadata"]["resourceVersion"] = std::to_string(++rv_);
  const Json& meta = object["metadata"];
  if (meta.contains("deletionTimestamp") && kube::GetFinalizers(object).empty()) {
    objects_[resource][key] = object;
    RemoveLocked(resource, key);
    return;
  }
  auto& slot = objects_[resource][key];
  const bool added = slot.is_null();
  if (resource == "batchsandboxes") {
    if (auto a = kube::GetAnnotation(object, api::v1alpha1::kAllocStatusAnnotation);
        a && (added || kube::GetAnnotation(slot, api::v1alpha1::kAllocStatusAnnotation) != a)) {
      records_.emplace_back(std::string(kube::GetUid(object)), std::string(*a));
    }
  }
  slot = object;
  EmitLocked(resource, added ? kube::WatchEventType::kAdded : kube::WatchEventType::kModified,
             object);
}

void FakeApi::RemoveLocked(const std::string& resource, const std::string& key) {
  auto it = objects_[resource].find(key);
  if (it == objects_[resource].end()) return;
  Json gone = it->second;
  objects_[resource].erase(it);
  gone["metadata"]["resourceVersion"] = std::to_string(++rv_);
  EmitLocked(resource, kube::WatchEventType::kDeleted, gone);
  const std::string uid(kube::GetUid(gone));
  // Background garbage collection of dependents.
  for (auto& [dep_resource, objects] : objects_) {
    std::vector<std::string> doomed;
    for (const auto& [dep_key, obj] : objects) {
      for (const auto& ref : kube::GetOwnerReferences(obj)) {
        if (ref.uid == uid) doomed.push_back(dep_key);
      }
    }
    for (const std::string& dep_key : doomed) {
      auto dep = objects.find(dep_key);
      if (dep == objects.end()) continue;
      if (kube::GetFinalizers(dep->second).empty()) {
        RemoveLocked(dep_resource, dep_key);
      } else if (!dep->second["metadata"].contains("deletionTimestamp")) {
        Json copy = dep->second;
        copy["metadata"]["deletionTimestamp"] = kube::FormatTime(std::chrono::system_clock::now());
        CommitLocked(dep_resource, dep_key, copy);
      }
    }
  }
}

StatusOr<Json> FakeApi::Create(const kube::ResourceRef& resource, const std::string& ns,
                               const Json& object) {
  std::lock_guard lock(mu_);
  CountLocked("create", resource.resource);
  Json obj = object;
  const std::string name(kube::GetName(obj));
  const std::string key = Key(ns, name);
  if (objects_[resource.resource].count(key) != 0) {
    return AlreadyExistsError(resource.resource + " \"" + name + "\" already exists");
  }
  obj["metadata"]["namespace"] = ns;
  obj["metadata"]["uid"] = "uid-" + std::to_string(++uid_);
  obj["metadata"]["generation"] = 1;
  obj["metadata"]["creationTimestamp"] = kube::FormatTime(std::chrono::system_clock::now());
  if (resource.resource == "pods" && auto_ready_) MakeReadyLocked(obj, true);
  CommitLocked(resource.resource, key, obj);
  return objects_[resource.resource][key];
}

StatusOr<Json> FakeApi::MergePatch(const kube::ResourceRef& resource, const std::string& ns,
                                   const std::string& name, const Json& patch, bool status) {
  std::lock_guard lock(mu_);
  CountLocked(status ? "patch_status" : "patch", resource.resource);
  const std::string key = Key(ns, name);
  auto it = objects_[resource.resource].find(key);
  if (it == objects_[resource.resource].end()) return NotFoundError(name + " not found");
  Json body = patch;
  if (body.contains("metadata") && body["metadata"].contains("resourceVersion")) {
    if (body["metadata"]["resourceVersion"] != it->second["metadata"]["resourceVersion"]) {
      return ConflictError(
          "the object has been modified; please apply your changes to the "
          "latest version and try again");
    }
    body["metadata"].erase("resourceVersion");
  }
  Json next;
  if (status) {
    next = it->second;
    next["status"] = kube::patch::ApplyMergePatch(it->second.value("status", Json::object()),
                                                  body.value("status", Json::object()));
  } else {
    body.erase("status");
    next = kube::patch::ApplyMergePatch(it->second, body);
    if (next.value("spec", Json()) != it->second.value("spec", Json())) {
      next["metadata"]["generation"] = kube::GetGeneration(it->second) + 1;
    }
  }
  CommitLocked(resource.resource, key, next);
  auto after = objects_[resource.resource].find(key);
  return after == objects_[resource.resource].end() ? next : after->second;
}

Status FakeApi::Delete(const kube::ResourceRef& resource, const std::string& ns,
                       const std::string& name, const std::string& uid) {
  std::lock_guard lock(mu_);
  CountLocked("delete", resource.resource);
  const std::string key = Key(ns, name);
  auto it = objects_[resource.resource].find(key);
  if (it == objects_[resource.resource].end()) return NotFoundError(name + " not found");
  if (!uid.empty() && kube::GetUid(it->second) != uid) return ConflictError("uid precondition");
  if (kube::GetFinalizers(it->second).empty()) {
    RemoveLocked(resource.resource, key);
  } else if (!it->second["metadata"].contains("deletionTimestamp")) {
    Json copy = it->second;
    copy["metadata"]["deletionTimestamp"] = kube::FormatTime(std::chrono::system_clock::now());
    CommitLocked(resource.resource, key, copy);
  }
  return Status::Ok();
}

StatusOr<std::vector<Json>> FakeApi::ListAll(const kube::ResourceRef& resource) {
  return List(resource);
}

std::unique_ptr<kube::ListerWatcher> FakeApi::NewListerWatcher(const kube::ResourceRef& resource,
                                                               const std::string& ns) {
  return std::make_unique<Lw>(*this, resource.resource, ns);
}

StatusOr<Json> FakeApi::Create(const std::string&, const Json& event) {
  std::lock_guard lock(mu_);
  events_.push_back({event["involvedObject"].value("name", ""), event.value("type", ""),
                     event.value("reason", ""), event.value("message", "")});
  cv_.notify_all();
  return event;
}

StatusOr<Json> FakeApi::Patch(const std::string&, const std::string&, const Json& merge_patch) {
  return merge_patch;
}

void FakeApi::SetAutoReady(bool ready) {
  std::lock_guard lock(mu_);
  auto_ready_ = ready;
}

Json FakeApi::Get(const kube::ResourceRef& resource, const std::string& ns,
                  const std::string& name) {
  std::lock_guard lock(mu_);
  auto& objects = objects_[resource.resource];
  auto it = objects.find(Key(ns, name));
  return it == objects.end() ? Json() : it->second;
}

std::vector<Json> FakeApi::List(const kube::ResourceRef& resource) {
  std::lock_guard lock(mu_);
  std::vector<Json> out;
  for (const auto& [key, obj] : objects_[resource.resource]) out.push_back(obj);
  return out;
}

void FakeApi::Mutate(const kube::ResourceRef& resource, const std::string& ns,
                     const std::string& name, const std::function<void(Json&)>& mutate) {
  std::lock_guard lock(mu_);
  auto it = objects_[resource.resource].find(Key(ns, name));
  if (it == objects_[resource.resource].end()) return;
  Json copy = it->second;
  mutate(copy);
  CommitLocked(resource.resource, Key(ns, name), copy);
}

void FakeApi::SetPodReady(const std::string& ns, const std::string& name, bool ready) {
  std::lock_guard lock(mu_);
  auto it = objects_["pods"].find(Key(ns, name));
  if (it == objects_["pods"].end()) return;
  Json copy = it->second;
  MakeReadyLocked(copy, ready);
  CommitLocked("pods", Key(ns, name), copy);
}

bool FakeApi::WaitFor(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::unique_lock lock(mu_);
  while (true) {
    lock.unlock();
    if (condition()) return true;
    lock.lock();
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Re-checked after every change; the bound only covers changes made outside this fake
    // (informer caches catching up), which do not signal it.
    cv_.wait_for(lock, std::chrono::milliseconds(20));
  }
}

int FakeApi::Writes(const std::string& verb, const std::string& resource) {
  std::lock_guard lock(mu_);
  int total = 0;
  for (const auto& [k, n] : writes_) {
    if ((verb.empty() || k.first == verb) && (resource.empty() || k.second == resource)) total += n;
  }
  return total;
}

std::vector<RecordedEvent> FakeApi::Events(const std::string& reason) {
  std::lock_guard lock(mu_);
  std::vector<RecordedEvent> out;
  for (const auto& e : events_) {
    if (reason.empty() || e.reason == reason) out.push_back(e);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> FakeApi::RecordHistory() {
  std::lock_guard lock(mu_);
  return records_;
}

}  // namespace osbx::controller::testing
