#pragma once
// SimNode: the simulated node of standalone mode, a kubelet that runs no containers. It is an
// ordinary API client: it registers a Node and keeps it Ready with periodic heartbeats, binds
// every unscheduled pod to itself, and after a startup delay reports each of its pods Running and
// Ready with a unique pod IP and a status for every container. It honours graceful deletion
// (containers end after min(grace period, cap), then the kubelet's final DELETE with
// gracePeriodSeconds=0 and a UID precondition) and simulates failures asked for through
// annotations (faults.h).
//
// Shape: a pod informer and a node informer feed one de-duplicating work queue of keys; a fixed
// pool of workers syncs one key at a time each, level-based (read the cached pod, compute the
// status it should have, write the difference), so many requests are in flight at once without
// a thread per pod, and per-pod cost does not grow with the number of pods. Timers (startup
// delay, grace periods, crash-loop back-off, heartbeats) are delayed re-adds on the injected
// Clock. Writes are JSON merge patches of /status carrying a UID precondition; nothing is written
// when the status already matches, and a conflict is retried on a freshly read pod.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "internal/standalone/node/faults.h"
#include "internal/standalone/node/ip_allocator.h"
#include "internal/standalone/node/kubelet_api.h"
#include "internal/standalone/node/node_registration.h"
#include "internal/standalone/node/node_status.h"
#include "internal/utils/clock.h"
#include "pkg/kube/cache/shared_informer.h"
#include "pkg/kube/workqueue/metrics.h"
#include "pkg/kube/workqueue/mutex.h"
#include "pkg/kube/workqueue/queue.h"

namespace osbx::standalone {

struct SimNodeOptions {
  NodeConfig node;
  // Time from a pod's binding to its Running status; a pod annotation can override it.
  Clock::Duration startup_delay = std::chrono::milliseconds(5);
  // Deletion grace periods are cut to at most this (0: containers end at once).
  Clock::Duration grace_period_cap = Clock::Duration::zero();
  // How often the Ready condition's lastHeartbeatTime is renewed.
  Clock::Duration heartbeat_period = std::chrono::seconds(40);
  // Where pod IPs come from (a /14 holds 262,142 pods).
  std::string pod_cidr = "10.244.0.0/14";
  // Keys synced in parallel, hence API requests in flight.
  int workers = 32;
  // RealClock when null.
  const Clock* clock = nullptr;
};

// Counters of what the node did, for the binary to print or export. Writes count successful
// requests; `conflicts` and `errors` count failed ones.
struct SimNodeMetrics {
  uint64_t pods_bound = 0;    // bindings made
  uint64_t pods_started = 0;  // pods moved to Running
  uint64_t pods_deleted = 0;  // final deletes that removed a pod
  uint64_t bind_writes = 0;
  uint64_t status_writes = 0;  // pod status patches
  uint64_t delete_writes = 0;
  uint64_t node_writes = 0;  // Node create and status patches
  uint64_t conflicts = 0;
  uint64_t errors = 0;
  uint64_t pods_tracked = 0;  // pods the node currently knows as its own or to bind
};

class SimNode {
 public:
  // `api` is borrowed and must outlive the node. Invalid options (bad CIDR, no workers) fail.
  [[nodiscard]] static StatusOr<std::unique_ptr<SimNode>> New(KubeletApi& api,
                                                              SimNodeOptions options);
  ~SimNode();
  SimNode(const SimNode&) = delete;
  SimNode& operator=(const SimNode&) = delete;

  // Starts the informers, waits until the pod cache holds the first list (up to `sync_timeout`
  // on the clock), adopts the IPs of pods already bound to this node, then starts the workers.
  [[nodiscard]] Status Start(Clock::Duration sync_timeout = std::chrono::seconds(60));
  // Stops informers and workers; a request in flight completes first. Idempotent.
  void Stop();

  // Node loss set by the program (in addition to the Node annotation).
  void SetNodeLost(bool lost);
  bool node_lost() const;

  SimNodeMetrics Metrics() const;

  // Blocks (real time, up to `timeout`) until no key is ready and no worker is busy. For tests
  // that must check that nothing further happens before the clock moves.
  bool WaitForIdle(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  // What the node remembers about one pod, beyond the pod object. Only the worker holding the
  // pod's key reads or writes an entry (the work queue never hands a key to two workers).
  struct PodEntry {
    std::string uid;
    std::string ip;
    bool bound = false;                        // this node bound it (the cache may not show it yet)
    bool final_delete_sent = false;            // the final DELETE succeeded
    bool oom_known = false;                    // oom_applied is initialised
    int oom_applied = 0;                       // OOM kills already reported
    uint64_t written_rv = 0;                   // resourceVersion our last status write produced
    std::optional<Clock::TimePoint> start_at;  // when the containers start
  };
  // What a sync asks of the queue afterwards.
  struct Outcome {
    bool retry = false;                    // failed: back off and retry
    std::optional<Clock::Duration> after;  // a timer: sync again after this long
  };
  // Counts keys held by workers, from the queue's own bookkeeping (Get to Done), so that a key
  // is never seen as neither queued nor held.
  class InFlight final : public kube::WorkQueueMetrics {
   public:
    void OnAdd(size_t) override {}
    void OnGet(Duration, size_t) override { count.fetch_add(1); }
    void OnDone(Duration) override { count.fetch_sub(1); }
    void OnRetry() override {}
    void OnUnfinishedWork(Duration, Duration) override {}
    std::atomic<int> count{0};
  };
  struct Counters {
    std::atomic<uint64_t> pods_bound{0}, pods_started{0}, pods_deleted{0}, bind_writes{0},
        status_writes{0}, delete_writes{0}, conflicts{0}, errors{0};
  };

  SimNode(KubeletApi& api, SimNodeOptions options, std::unique_ptr<IpAllocator> ips);

  void WorkerLoop();
  // The wait before retrying `key` after one more failure.
  Clock::Duration NextRetry(const std::string& key) OSBX_EXCLUDES(retry_mu_);
  void ForgetFailures(const std::string& key) OSBX_EXCLUDES(retry_mu_);
  void Handle(const std::string& key);
  Outcome SyncNode();
  Outcome SyncPod(const std::string& key);
  Outcome SyncPodObject(const std::string& key, const Json& pod, int attempt);
  Outcome SyncDeletion(const std::string& key, const Json& pod, PodEntry& entry, int attempt);
  Outcome Bind(const std::string& key, const Json& pod, PodEntry& entry, int attempt);
  Outcome WriteStatus(const std::string& key, const Json& pod, PodEntry& entry,
                      const PodFaults& faults, bool terminating, int attempt);
  Outcome FinalDelete(const Json& pod, PodEntry& entry);
  // Re-reads a pod after a conflict and syncs it again (a few times at most).
  Outcome Reread(const std::string& key, const Json& pod, int attempt);
  Outcome Failed(const Status& status);

  PodEntry& Entry(const std::string& key, std::string_view uid) OSBX_EXCLUDES(entries_mu_);
  void Forget(const std::string& key) OSBX_EXCLUDES(entries_mu_);
  const std::string& EnsureIp(PodEntry& entry, const Json& pod);
  void AdoptExistingPods();
  void OnPodEvent(const Json& pod, bool deleted);
  void OnNodeEvent(const Json& node);
  void OnLostChanged();

  KubeletApi& api_;
  const SimNodeOptions options_;
  const Clock& clock_;
  const std::unique_ptr<IpAllocator> ips_;
  NodeRegistration registration_;  // used only by the worker holding the node key
  std::unique_ptr<kube::ListerWatcher> pod_lw_;
  std::unique_ptr<kube::ListerWatcher> node_lw_;
  std::unique_ptr<kube::SharedInformer> pod_informer_;
  std::unique_ptr<kube::SharedInformer> node_informer_;
  InFlight in_flight_;
  kube::WorkQueue queue_;
  std::vector<std::thread> workers_;
  Counters counters_;
  std::atomic<bool> lost_by_call_{false};
  std::atomic<bool> lost_by_annotation_{false};
  std::atomic<uint64_t> node_writes_{0};
  bool started_ = false;  // Start/Stop are called from one thread

  // Consecutive failures per key, for the retry back-off (5 ms doubling to 30 s).
  kube::Mutex retry_mu_;
  std::unordered_map<std::string, int> failures_ OSBX_GUARDED_BY(retry_mu_);

  mutable kube::Mutex entries_mu_;
  // Elements are never moved (unordered_map keeps references stable), so a worker may use its
  // pod's entry after releasing the mutex.
  std::unordered_map<std::string, PodEntry> entries_ OSBX_GUARDED_BY(entries_mu_);

  // Signalled whenever a worker finishes a key (WaitForIdle).
  std::mutex idle_mu_;
  std::condition_variable idle_cv_;
};

}  // namespace osbx::standalone
