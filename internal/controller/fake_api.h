#pragma once
// FakeApi (tests only): an in-memory API server for the controllers' tests. It serves the
// ApiClient the reconcilers write through and the ClusterClient the manager's informers list and
// watch through, with the API semantics the controllers depend on: resourceVersion preconditions
// on merge patches (409), status subresource patches, finalizers and deletionTimestamp, uid
// preconditions on delete, and background garbage collection of owned objects. Pods can be made
// Ready at creation (a kubelet in one line) and changed by hand. Every write is counted, and
// tests wait for conditions on the store without sleeping.

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "internal/controller/api_client.h"
#include "pkg/kube/runtime/cluster_client.h"
#include "pkg/kube/runtime/fake_lease_api.h"

namespace osbx::controller::testing {

struct RecordedEvent {
  std::string object;  // involved object name
  std::string type;
  std::string reason;
  std::string message;
};

class FakeApi final : public ApiClient, public kube::ClusterClient, public kube::EventSink {
 public:
  FakeApi();
  ~FakeApi() override;

  // ---- ApiClient ----
  StatusOr<Json> Create(const kube::ResourceRef& resource, const std::string& ns,
                        const Json& object) override;
  StatusOr<Json> MergePatch(const kube::ResourceRef& resource, const std::string& ns,
                            const std::string& name, const Json& patch, bool status) override;
  Status Delete(const kube::ResourceRef& resource, const std::string& ns, const std::string& name,
                const std::string& uid) override;
  StatusOr<std::vector<Json>> ListAll(const kube::ResourceRef& resource) override;

  // ---- ClusterClient ----
  std::unique_ptr<kube::ListerWatcher> NewListerWatcher(const kube::ResourceRef& resource,
                                                        const std::string& ns) override;
  kube::LeaseClient& Leases() override { return leases_; }
  kube::EventSink& Events() override { return *this; }

  // ---- EventSink ----
  StatusOr<Json> Create(const std::string& ns, const Json& event) override;
  StatusOr<Json> Patch(const std::string& ns, const std::string& name,
                       const Json& merge_patch) override;

  // ---- test controls ----
  // Pods created from now on become Running and Ready with an IP at once (default true).
  void SetAutoReady(bool ready);
  // The stored object, or null JSON.
  Json Get(const kube::ResourceRef& resource, const std::string& ns, const std::string& name);
  std::vector<Json> List(const kube::ResourceRef& resource);
  // Applies `mutate` to a stored object as another client would (a MODIFIED event follows).
  void Mutate(const kube::ResourceRef& resource, const std::string& ns, const std::string& name,
              const std::function<void(Json&)>& mutate);
  // Makes a pod Ready (with an IP) or not Ready.
  void SetPodReady(const std::string& ns, const std::string& name, bool ready);
  // While held, watch events of `resource` ("pods", ...) are kept back from every watcher (the
  // caches lag the server); releasing delivers them in order.
  void HoldWatchEvents(const std::string& resource, bool hold);
  // Blocks until `condition` holds (it is checked after every change) or 20 s of real time
  // pass as a safety net; returns whether it held.
  bool WaitFor(const std::function<bool()>& condition);
  // Writes of `verb` ("create", "patch", "patch_status", "delete") on `resource` ("" = any).
  int Writes(const std::string& verb, const std::string& resource);
  std::vector<RecordedEvent> Events(const std::string& reason = "");
  // Every alloc-status record value ever written, in order, with the batch uid.
  std::vector<std::pair<std::string, std::string>> RecordHistory();

 private:
  struct Watcher;
  class Lw;
  struct Stored {
    std::string resource;
    Json object;
  };

  void EmitLocked(const std::string& resource, kube::WatchEventType type, const Json& object);
  void DeliverLocked(const std::string& resource, const kube::WatchEvent& event);
  void RemoveLocked(const std::string& resource, const std::string& key);
  void CommitLocked(const std::string& resource, const std::string& key, Json object);
  void CountLocked(const std::string& verb, const std::string& resource);
  void MakeReadyLocked(Json& pod, bool ready);

  std::mutex mu_;
  std::condition_variable cv_;
  int64_t rv_ = 1000;                                                  // guarded by mu_
  int64_t uid_ = 0;                                                    // guarded by mu_
  bool auto_ready_ = true;                                             // guarded by mu_
  std::map<std::string, std::map<std::string, Json>> objects_;         // resource -> key; guarded
  std::vector<std::shared_ptr<Watcher>> watchers_;                     // guarded by mu_
  std::vector<std::pair<std::string, kube::WatchEvent>> log_;          // guarded by mu_
  std::set<std::string> held_;                                         // guarded by mu_
  std::vector<std::pair<std::string, kube::WatchEvent>> held_events_;  // guarded by mu_
  std::map<std::pair<std::string, std::string>, int> writes_;          // guarded by mu_
  std::vector<RecordedEvent> events_;                                  // guarded by mu_
  std::vector<std::pair<std::string, std::string>> records_;           // guarded by mu_
  kube::testing::FakeLeaseApi leases_;
};

}  // namespace osbx::controller::testing
