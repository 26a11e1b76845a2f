#pragma once
// FakeKubeletApi: an in-memory API server for tests of the simulated node. It keeps pods and
// nodes with a global resourceVersion, serves list and watch (events in resourceVersion order,
// resumable from any version it still remembers), and applies the node's writes with the
// semantics a kube-apiserver has for them: binding refuses a bound pod, status patches change
// only status and honour a metadata.uid precondition, no-op patches write nothing, the final
// delete honours its UID precondition and finalizers. Test-side helpers create pods, start
// graceful deletions and edit annotations, and every node request is counted.
//
// Watch events are delivered synchronously by the writing thread, so the node's cache has seen
// a write by the time the write returns. Test-only (target osbx_standalone_node_testing).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "internal/standalone/node/kubelet_api.h"
#include "internal/utils/clock.h"

namespace osbx::standalone {

class FakeKubeletApi final : public KubeletApi {
 public:
  enum class Verb { kBind, kGetPod, kPatchPodStatus, kDeletePod, kCreateNode, kPatchNodeStatus };

  // Requests the node made, by verb (failed ones included).
  struct Counts {
    uint64_t bind = 0;
    uint64_t get_pod = 0;
    uint64_t patch_pod_status = 0;
    uint64_t delete_pod = 0;
    uint64_t create_node = 0;
    uint64_t get_node = 0;
    uint64_t patch_node = 0;
    uint64_t patch_node_status = 0;
  };

  // `clock` stamps creation and deletion timestamps.
  explicit FakeKubeletApi(const Clock& clock);
  ~FakeKubeletApi() override;

  // --- Test side (not counted) ---
  // Stores a pod: namespace "default" unless set, a fresh uid, status.phase Pending.
  Json AddPod(Json pod);
  // A user's DELETE: an unbound pod goes at once; a bound one gets deletionTimestamp = now +
  // grace and deletionGracePeriodSeconds = grace, and waits for the node's final delete.
  Status RequestDeletion(const std::string& ns, const std::string& name, int64_t grace_seconds);
  // Sets (or, with nullopt, removes) an annotation.
  Status AnnotatePod(const std::string& ns, const std::string& name, const std::string& key,
                     std::optional<std::string> value);
  Status AnnotateNode(const std::string& name, const std::string& key,
                      std::optional<std::string> value);
  // Removes every finalizer of a pod (deleting it if its deletion was requested).
  Status ClearFinalizers(const std::string& ns, const std::string& name);
  std::optional<Json> Pod(const std::string& ns, const std::string& name) const;
  std::optional<Json> Node(const std::string& name) const;
  std::vector<Json> Pods() const;
  // The next call of `verb` fails with `status`.
  void FailNext(Verb verb, Status status);
  Counts counts() const;

  // Blocks until `predicate` holds, re-checking after every change of the store (and every few
  // milliseconds), for at most `timeout` of real time. The predicate runs without the store's
  // lock (it may read the fake).
  bool WaitFor(const std::function<bool()>& predicate,
               std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // --- KubeletApi ---
  std::unique_ptr<kube::ListerWatcher> PodListerWatcher() override;
  std::unique_ptr<kube::ListerWatcher> NodeListerWatcher() override;
  StatusOr<Json> GetPod(std::string_view ns, std::string_view name) override;
  Status BindPod(std::string_view ns, std::string_view name, std::string_view uid,
                 std::string_view node) override;
  StatusOr<Json> PatchPodStatus(std::string_view ns, std::string_view name,
                                const Json& patch) override;
  Status DeletePod(std::string_view ns, std::string_view name, std::string_view uid) override;
  StatusOr<Json> GetNode(std::string_view name) override;
  StatusOr<Json> CreateNode(const Json& node) override;
  StatusOr<Json> PatchNode(std::string_view name, const Json& patch) override;
  StatusOr<Json> PatchNodeStatus(std::string_view name, const Json& patch) override;

  class Stream;
  class Lister;
  enum class Kind { kPod, kNode };

 private:
  using Objects = std::map<std::string, Json, std::less<>>;
  struct Event {
    Kind kind;
    uint64_t rv;
    kube::WatchEventType type;
    Json object;
  };

  // Stores `obj` under `key` with a new resourceVersion and tells the watchers.
  Json PutLocked(Kind kind, const std::string& key, Json obj, kube::WatchEventType type);
  void RemoveLocked(Kind kind, const std::string& key);
  void PublishLocked(Event event);
  Status TakeFailureLocked(Verb verb);
  Objects& StoreLocked(Kind kind) { return kind == Kind::kPod ? pods_ : nodes_; }
  StatusOr<kube::ListResult> ListFor(Kind kind);
  StatusOr<std::unique_ptr<kube::WatchHandle>> WatchFor(Kind kind, const kube::ListOptions& options,
                                                        kube::WatchCallbacks callbacks);

  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable changed_cv_;
  uint64_t changes_ = 0;
  uint64_t rv_ = 100;
  uint64_t next_uid_ = 1;
  Objects pods_;   // "ns/name" -> pod
  Objects nodes_;  // name -> node
  std::deque<Event> history_;
  std::vector<std::shared_ptr<Stream>> streams_;
  std::multimap<Verb, Status> failures_;
  Counts counts_;
};

}  // namespace osbx::standalone
