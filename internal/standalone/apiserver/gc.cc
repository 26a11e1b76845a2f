#include "internal/standalone/apiserver/gc.h"

#include <algorithm>
#include <atomic>

#include "internal/standalone/apiserver/api_server.h"
#include "internal/standalone/apiserver/selection.h"

namespace osbx::standalone {
namespace {

constexpr const char* kNamespacePrefix = "/core/namespaces/";
constexpr const char* kCrdPrefix = "/apiextensions.k8s.io/customresourcedefinitions/";
// The index must see every event; a GC that falls this far behind rebuilds from a list.
constexpr size_t kMaxPending = 1u << 22;
// Passes with at least this many keys examine them on kParallelWorkers threads.
constexpr size_t kParallelFrom = 32;
constexpr size_t kParallelWorkers = 16;

bool StartsWith(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// "/<group>/<plural>/" of the custom resources a CRD key ("<prefix><plural>.<group>") defines.
std::string CustomResourcePrefix(const std::string& crd_key) {
  std::string name = crd_key.substr(std::string_view(kCrdPrefix).size());
  size_t dot = name.find('.');
  if (dot == std::string::npos) return {};
  return "/" + name.substr(dot + 1) + "/" + name.substr(0, dot) + "/";
}

WriteOptions GcWrite() {
  WriteOptions options;
  options.manager = "generic-garbage-collector";
  return options;
}

// A mutation removing the ownerReferences to `uids`.
ApiServer::Mutator StripOwners(std::vector<std::string> uids) {
  return [uids = std::move(uids)](const Json& current) -> ApiOr<Json> {
    Json next = current;
    Json kept = Json::array();
    for (const Json& ref : current["metadata"].value("ownerReferences", Json::array())) {
      if (std::find(uids.begin(), uids.end(), ref.value("uid", "")) == uids.end()) {
        kept.push_back(ref);
      }
    }
    if (kept.empty()) {
      next["metadata"].erase("ownerReferences");
    } else {
      next["metadata"]["ownerReferences"] = kept;
    }
    return next;
  };
}

ApiServer::Mutator DropFinalizer(std::string finalizer) {
  return [finalizer = std::move(finalizer)](const Json& current) -> ApiOr<Json> {
    Json next = current;
    Json kept = Json::array();
    for (const Json& f : current["metadata"].value("finalizers", Json::array())) {
      if (f != finalizer) kept.push_back(f);
    }
    if (kept.empty()) {
      next["metadata"].erase("finalizers");
    } else {
      next["metadata"]["finalizers"] = kept;
    }
    return next;
  };
}

}  // namespace

GarbageCollector::GarbageCollector(ApiServer& server, std::chrono::milliseconds resync)
    : server_(server), resync_(resync) {
  thread_ = std::thread([this] { Loop(); });
}

GarbageCollector::~GarbageCollector() { Stop(); }

void GarbageCollector::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(work_mu_);
  if (watcher_) watcher_->Stop();  // no ready callback may reach this object after this
  watcher_.reset();
}

void GarbageCollector::Nudge() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_ = true;
  cv_.notify_all();
}

size_t GarbageCollector::IndexedCount() {
  std::lock_guard<std::mutex> lock(work_mu_);
  return index_.size();
}

void GarbageCollector::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    bool nudged = cv_.wait_for(lock, resync_, [this] { return stop_ || pending_; });
    if (stop_) break;
    pending_ = false;
    lock.unlock();
    {
      std::lock_guard<std::mutex> work(work_mu_);
      SyncLocked();
      if (!nudged) {
        for (std::string& key : index_.Interesting()) dirty_.insert(std::move(key));
      }
      ProcessDirtyLocked();
    }
    lock.lock();
  }
}

bool GarbageCollector::RunOnce() {
  std::lock_guard<std::mutex> work(work_mu_);
  SyncLocked();
  for (std::string& key : index_.Interesting()) dirty_.insert(std::move(key));
  return ProcessDirtyLocked();
}

void GarbageCollector::RebuildLocked() {
  if (watcher_) watcher_->Stop();
  watcher_.reset();
  index_.Clear();
  StatusOr<ListResponse> all = server_.store().List(ListAll("/"));
  if (!all.ok()) return;
  std::vector<std::string> dirty;
  for (const ObjectPtr& item : all->items) {
    std::optional<IndexedObject> object =
        IndexedObject::FromJson(item->key, StartsWith(item->key, kNamespacePrefix), item->value);
    if (object) index_.Upsert(std::move(*object), &dirty);
    dirty.push_back(item->key);  // a full look after a rebuild (e.g. orphaned custom resources)
  }
  dirty_.insert(dirty.begin(), dirty.end());
  WatchRequest request;
  request.prefix = "/";
  request.from_rv = all->rv;
  request.max_pending = kMaxPending;
  request.on_ready = [this] { Nudge(); };
  StatusOr<std::unique_ptr<Watcher>> watcher = server_.store().Watch(std::move(request));
  if (watcher.ok()) watcher_ = std::move(*watcher);
}

void GarbageCollector::SyncLocked() {
  if (!watcher_) return RebuildLocked();
  std::vector<Event> events;
  Status status = watcher_->Poll(&events);
  std::vector<std::string> dirty;
  for (const Event& event : events) {
    const std::string& key = event.object->key;
    bool is_crd = StartsWith(key, kCrdPrefix);
    if (event.type == EventType::kDeleted) {
      index_.Remove(key, &dirty);
      if (is_crd) {
        std::vector<std::string> defined = index_.KeysWithPrefix(CustomResourcePrefix(key));
        dirty.insert(dirty.end(), defined.begin(), defined.end());
      }
      continue;
    }
    if (event.type == EventType::kModified && !index_.MayMatter(key, event.object->value)) {
      continue;
    }
    std::optional<IndexedObject> object =
        IndexedObject::FromJson(key, StartsWith(key, kNamespacePrefix), event.object->value);
    if (object) index_.Upsert(std::move(*object), &dirty);
  }
  dirty_.insert(dirty.begin(), dirty.end());
  if (!status.ok()) RebuildLocked();  // fell behind or the store is closing
}

bool GarbageCollector::ProcessDirtyLocked() {
  if (dirty_.empty()) return false;
  resources_.clear();
  for (const ResourcePtr& r : server_.registry().All()) resources_[r->KeyPrefix()] = r;
  std::vector<std::string> keys(dirty_.begin(), dirty_.end());
  dirty_.clear();
  if (keys.size() < kParallelFrom) {
    bool changed = false;
    for (const std::string& key : keys) changed |= Examine(key);
    return changed;
  }
  // Many keys (an owner of thousands of pods went): each write waits for its commit, so examine
  // in parallel and let the store group the commits. The index is only read meanwhile.
  std::atomic<size_t> next{0};
  std::atomic<bool> changed{false};
  std::vector<std::thread> workers;
  for (size_t i = 0; i < kParallelWorkers; ++i) {
    workers.emplace_back([&] {
      for (size_t k; (k = next.fetch_add(1)) < keys.size();) {
        if (Examine(keys[k])) changed = true;
      }
    });
  }
  for (std::thread& t : workers) t.join();
  return changed.load();
}

ResourcePtr GarbageCollector::ResourceFor(const std::string& key) const {
  size_t second = key.find('/', 1);
  size_t third = second == std::string::npos ? second : key.find('/', second + 1);
  if (third == std::string::npos) return nullptr;
  auto it = resources_.find(key.substr(0, third + 1));
  return it == resources_.end() ? nullptr : it->second;
}

bool GarbageCollector::Examine(const std::string& key) {
  const IndexedObject* object = index_.Get(key);
  if (object == nullptr) return false;
  ResourcePtr resource = ResourceFor(key);
  bool definition_gone =
      resource && resource->crd &&
      index_.Get(kCrdPrefix + resource->resource + "." + resource->group) == nullptr;
  if (!resource || definition_gone) {
    // A custom resource whose CRD is gone: deleted with its definition, as kube does.
    return server_.store().Delete(key).ok();
  }
  if (!object->ns.empty()) {
    const IndexedObject* ns = index_.Get(kNamespacePrefix + object->ns);
    if (ns != nullptr && ns->deleting) {
      if (object->deleting) return false;
      return server_.DeleteObject(*resource, object->ns, object->name, {}).ok();
    }
  }
  bool changed = false;
  if (!object->owners.empty()) changed |= CollectDependent(*object, *resource);
  if (object->deleting) changed |= FinishOwner(*object, *resource);
  if (object->is_namespace && object->deleting) changed |= EmptyNamespace(*object, *resource);
  return changed;
}

bool GarbageCollector::CollectDependent(const IndexedObject& object, const ResourceInfo& resource) {
  bool any_owner_alive = false, foreground_owner = false;
  std::vector<std::string> orphan_from;
  for (const std::string& uid : object.owners) {
    const IndexedObject* owner = index_.ByUid(uid);
    if (owner == nullptr) continue;
    if (owner->deleting && owner->orphan) {
      orphan_from.push_back(uid);
    } else if (owner->deleting && owner->foreground) {
      foreground_owner = true;
    } else {
      any_owner_alive = true;
    }
  }
  if (!orphan_from.empty()) {
    return server_
        .MutateObject(resource, object.ns, object.name, "", StripOwners(orphan_from), GcWrite())
        .ok();
  }
  if (any_owner_alive || object.deleting) return false;
  ApiServer::DeleteRequest request;
  request.propagation = foreground_owner ? "Foreground" : "Background";
  return server_.DeleteObject(resource, object.ns, object.name, request).ok();
}

bool GarbageCollector::FinishOwner(const IndexedObject& object, const ResourceInfo& resource) {
  if (index_.DependentCount(object.uid) != 0) return false;
  std::string finalizer = object.foreground ? "foregroundDeletion" : object.orphan ? "orphan" : "";
  if (finalizer.empty()) return false;
  return server_
      .MutateObject(resource, object.ns, object.name, "", DropFinalizer(finalizer), GcWrite())
      .ok();
}

bool GarbageCollector::EmptyNamespace(const IndexedObject& object, const ResourceInfo& resource) {
  if (index_.NamespaceCount(object.name) == 0) {
    return server_.store().Delete(resource.Key("", object.name)).ok();
  }
  bool changed = false;
  for (const std::string& key : index_.InNamespace(object.name)) {
    const IndexedObject* item = index_.Get(key);
    ResourcePtr item_resource = ResourceFor(key);
    if (item == nullptr || item->deleting || !item_resource) continue;
    changed |= server_.DeleteObject(*item_resource, item->ns, item->name, {}).ok();
  }
  return changed;
}

}  // namespace osbx::standalone
