#include "internal/standalone/apiserver/gc.h"

#include <chrono>
#include <map>
#include <set>

#include "internal/standalone/apiserver/api_server.h"
#include "internal/standalone/apiserver/selection.h"

namespace osbx::standalone {
namespace {

struct Item {
  ResourcePtr resource;
  Json object;
  std::string ns() const { return object["metadata"].value("namespace", ""); }
  std::string name() const { return object["metadata"].value("name", ""); }
  std::string uid() const { return object["metadata"].value("uid", ""); }
  bool deleting() const { return object["metadata"].contains("deletionTimestamp"); }
  bool HasFinalizer(const std::string& f) const {
    for (const Json& x : object["metadata"].value("finalizers", Json::array())) {
      if (x == f) return true;
    }
    return false;
  }
};

WriteOptions GcWrite() {
  WriteOptions options;
  options.manager = "generic-garbage-collector";
  return options;
}

}  // namespace

GarbageCollector::GarbageCollector(ApiServer& server) : server_(server) {
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
}

void GarbageCollector::Nudge() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_ = true;
  cv_.notify_all();
}

void GarbageCollector::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::seconds(30), [this] { return stop_ || pending_; });
    if (stop_) break;
    pending_ = false;
    lock.unlock();
    // Keep going while passes make progress (a deletion can orphan further dependents).
    for (int i = 0; i < 16 && RunOnce(); ++i) {
    }
    lock.lock();
  }
}

bool GarbageCollector::RunOnce() {
  std::map<std::string, ResourcePtr> by_prefix;
  for (const ResourcePtr& r : server_.registry().All()) by_prefix[r->KeyPrefix()] = r;
  StatusOr<ListResponse> all = server_.store().List(ListAll("/"));
  if (!all.ok()) return false;
  std::vector<Item> items;
  std::map<std::string, size_t> by_uid;
  bool changed = false;
  for (const ObjectPtr& obj : all->items) {
    size_t second = obj->key.find('/', 1);
    size_t third = second == std::string::npos ? second : obj->key.find('/', second + 1);
    if (third == std::string::npos) continue;
    auto it = by_prefix.find(obj->key.substr(0, third + 1));
    if (it == by_prefix.end()) {
      // A custom resource whose CRD is gone: deleted with its definition, as kube does.
      changed |= server_.store().Delete(obj->key).ok();
      continue;
    }
    Json object = Json::parse(obj->value, nullptr, false);
    if (object.is_discarded() || !object.contains("metadata")) continue;
    items.push_back({it->second, std::move(object)});
    by_uid[items.back().uid()] = items.size() - 1;
  }
  std::map<std::string, int> dependents;  // owner uid -> live dependents
  std::set<std::string> terminating_ns;
  for (const Item& item : items) {
    if (item.resource->resource == "namespaces" && item.deleting())
      terminating_ns.insert(item.name());
  }
  for (const Item& item : items) {
    if (item.resource->namespaced && terminating_ns.count(item.ns())) {
      if (!item.deleting()) {
        changed |= server_.DeleteObject(*item.resource, item.ns(), item.name(), {}).ok();
      }
      dependents["ns:" + item.ns()]++;
      continue;
    }
    const Json& refs = item.object["metadata"].value("ownerReferences", Json::array());
    if (!refs.is_array() || refs.empty()) continue;
    bool any_owner_alive = false;
    std::vector<std::string> orphan_from;
    bool foreground_owner = false;
    for (const Json& ref : refs) {
      std::string uid = ref.value("uid", "");
      auto owner = by_uid.find(uid);
      if (owner == by_uid.end()) continue;
      const Item& o = items[owner->second];
      dependents[uid]++;
      if (o.deleting() && o.HasFinalizer("orphan")) {
        orphan_from.push_back(uid);
        continue;
      }
      if (o.deleting() && o.HasFinalizer("foregroundDeletion")) {
        foreground_owner = true;
        continue;
      }
      any_owner_alive = true;
    }
    if (!orphan_from.empty()) {
      auto strip = [orphan_from](const Json& current) -> ApiOr<Json> {
        Json next = current;
        Json kept = Json::array();
        for (const Json& ref : current["metadata"].value("ownerReferences", Json::array())) {
          if (std::find(orphan_from.begin(), orphan_from.end(), ref.value("uid", "")) ==
              orphan_from.end()) {
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
      changed |=
          server_.MutateObject(*item.resource, item.ns(), item.name(), "", strip, GcWrite()).ok();
      for (const std::string& uid : orphan_from) dependents[uid]--;
      continue;
    }
    if (!any_owner_alive && !item.deleting()) {
      ApiServer::DeleteRequest request;
      request.propagation = foreground_owner ? "Foreground" : "Background";
      changed |= server_.DeleteObject(*item.resource, item.ns(), item.name(), request).ok();
    }
  }
  for (const Item& item : items) {
    if (!item.deleting()) continue;
    std::string remove;
    if (item.HasFinalizer("foregroundDeletion") && dependents[item.uid()] == 0) {
      remove = "foregroundDeletion";
    } else if (item.HasFinalizer("orphan") && dependents[item.uid()] == 0) {
      remove = "orphan";
    }
    if (!remove.empty()) {
      auto drop = [remove](const Json& current) -> ApiOr<Json> {
        Json next = current;
        Json kept = Json::array();
        for (const Json& f : current["metadata"].value("finalizers", Json::array())) {
          if (f != remove) kept.push_back(f);
        }
        if (kept.empty()) {
          next["metadata"].erase("finalizers");
        } else {
          next["metadata"]["finalizers"] = kept;
        }
        return next;
      };
      changed |=
          server_.MutateObject(*item.resource, item.ns(), item.name(), "", drop, GcWrite()).ok();
    }
    if (item.resource->resource == "namespaces" && dependents["ns:" + item.name()] == 0) {
      changed |= server_.store().Delete(item.resource->Key("", item.name())).ok();
    }
  }
  return changed;
}

}  // namespace osbx::standalone
