#pragma once
// Manager: owns what every controller of the process shares (informer caches, the event
// recorder, metrics and health servers, leader election) and runs them in controller-runtime's
// order:
//   start: HTTP servers (metrics, health) -> caches (start informers, wait for sync, bounded) ->
//          non-leader runnables -> leader election -> leader-only runnables (controllers);
//   stop:  leader-only runnables -> other runnables -> caches -> event recorder -> release the
//          lease -> HTTP servers (probes keep answering until the end), all within the graceful
//          shutdown timeout.
// Losing the lease stops the controllers at once (no grace) and makes Run() return an error, so
// the process exits non-zero and a fresh instance campaigns again.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "internal/utils/clock.h"
#include "internal/utils/status.h"
#include "pkg/http/server.h"
#include "pkg/kube/cache/shared_informer.h"
#include "pkg/kube/client/resource.h"
#include "pkg/kube/runtime/cluster_client.h"
#include "pkg/kube/runtime/controller.h"
#include "pkg/kube/runtime/events.h"
#include "pkg/kube/runtime/health.h"
#include "pkg/kube/runtime/leader_election.h"
#include "pkg/kube/runtime/metrics.h"
#include "pkg/kube/runtime/runnable.h"
#include "pkg/kube/workqueue/mutex.h"

namespace osbx::kube {

struct ManagerOptions {
  // "host:port" or ":port" (all interfaces); "0" or "" disables the server.
  std::string metrics_bind_address = ":8080";
  std::string health_probe_bind_address = ":8081";

  bool leader_election = false;
  std::string leader_election_id = "2fa1c467.opensandbox.io";  // the original controller's lease
  std::string leader_election_namespace;  // required when leader_election is on
  // Unique per process; hostname plus a random suffix when empty.
  std::string leader_election_identity;
  Clock::Duration lease_duration = std::chrono::seconds(15);
  Clock::Duration renew_deadline = std::chrono::seconds(10);
  Clock::Duration retry_period = std::chrono::seconds(2);
  bool leader_election_release_on_cancel = true;

  Clock::Duration graceful_shutdown_timeout = std::chrono::seconds(30);
  Clock::Duration cache_sync_timeout = std::chrono::minutes(2);
  // Informer defaults (resync, projection, transform) for every informer the manager creates;
  // without a projection or transform, each gets DefaultProjectionFor its resource.
  InformerOptions informer_options;
  // Event source component.
  std::string component = "opensandbox-controller";

  // Not owned; RealClock and Metrics::Global() when null.
  const Clock* clock = nullptr;
  Metrics* metrics = nullptr;
};

// Parses a bind address: ":8080" -> {"0.0.0.0", 8080}, "127.0.0.1:0", "[::1]:9090". Returns
// nullopt in `disabled` form ("0", "") and an error for anything unparsable.
StatusOr<std::optional<std::pair<std::string, uint16_t>>> ParseBindAddress(
    const std::string& address);

class Manager {
 public:
  // `client` is borrowed and must outlive the manager.
  static StatusOr<std::unique_ptr<Manager>> Create(ManagerOptions options, ClusterClient& client);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // The shared informer for `resource` in `ns` ("" = all namespaces): one per pair, created on
  // first use and started with the caches (at once if they already run).
  SharedInformer& GetInformer(const ResourceRef& resource, const std::string& ns = "");
  // The same, with `customize` applied to the manager's informer options when this call creates
  // the informer (before the default projection is chosen: a customization that sets a
  // projection or transform replaces it). Customizing an informer that already exists is an
  // error.
  [[nodiscard]] StatusOr<SharedInformer*> GetInformer(
      const ResourceRef& resource, const std::string& ns,
      const std::function<void(InformerOptions&)>& customize);
  // A controller run by the manager (leader-only). Options default to the manager's clock and
  // metrics. `reconciler` must outlive the manager.
  Controller& NewController(ControllerOptions options, Reconciler& reconciler);
  // Adds a runnable; it starts in its group (leader-only or not) and stops with the manager.
  void Add(std::unique_ptr<Runnable> runnable);
  // The API access the manager was built with (reconcilers write through it or its client).
  ClusterClient& cluster() { return client_; }
  // The process's event recorder (created on first use).
  EventRecorder& GetEventRecorder();
  // Checks behind /healthz and /readyz ("ping" and, for readyz, "informer-sync" are built in).
  HealthChecks& healthz() { return healthz_; }
  HealthChecks& readyz() { return readyz_; }

  // Starts everything in order and blocks until Stop() or a failure, then shuts down within the
  // graceful timeout. Ok after a requested stop; an error when start-up failed, the lease was
  // lost, or shutdown overran its bound. Call once.
  [[nodiscard]] Status Run();
  // Asks Run() to shut down; safe from any thread (not from a signal handler), idempotent.
  void Stop();

  // Block until servers, caches and non-leader runnables run (WaitUntilServing), or until the
  // leader-only runnables run too (WaitUntilLeading); false on timeout or when Run() ended.
  bool WaitUntilServing(std::chrono::milliseconds timeout) const;
  bool WaitUntilLeading(std::chrono::milliseconds timeout) const;

  // Bound ports once serving (0 when disabled).
  uint16_t metrics_port() const { return metrics_port_.load(); }
  uint16_t health_port() const { return health_port_.load(); }
  // True while leader-only runnables may run (always, without leader election).
  bool IsLeader() const { return leading_.load(); }

 private:
  Manager(ManagerOptions options, ClusterClient& client);

  struct InformerEntry {
    std::unique_ptr<ListerWatcher> lister_watcher;
    std::unique_ptr<SharedInformer> informer;
  };
  enum class Phase { kNew, kStarting, kRunning, kStopping, kDone };

  Status StartServer(const std::string& address, const std::string& what, http::Handler handler,
                     std::unique_ptr<http::Server>& server, std::atomic<uint16_t>& port);
  Status StartServers();
  Status StartCaches();
  Status StartGroup(bool leader_only);
  Status StartLeaderElection();
  Status WaitForStopOrFailure();
  Status Shutdown(Status cause);
  bool StopGroup(bool leader_only, Clock::TimePoint deadline);
  Status InformersSynced() const;
  bool WaitFor(std::chrono::milliseconds timeout, bool leading) const;

  const ManagerOptions options_;
  ClusterClient& client_;
  const Clock& clock_;
  Metrics& metrics_;
  HealthChecks healthz_{"healthz"};
  HealthChecks readyz_{"readyz"};

  mutable Mutex mu_;
  mutable std::condition_variable cv_;  // any change of the state below
  std::map<std::string, InformerEntry> informers_ OSBX_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Runnable>> runnables_ OSBX_GUARDED_BY(mu_);
  std::vector<Runnable*> started_ OSBX_GUARDED_BY(mu_);  // start order
  std::unique_ptr<EventRecorder> recorder_ OSBX_GUARDED_BY(mu_);
  Phase phase_ OSBX_GUARDED_BY(mu_) = Phase::kNew;
  bool caches_started_ OSBX_GUARDED_BY(mu_) = false;
  bool stop_requested_ OSBX_GUARDED_BY(mu_) = false;
  bool became_leader_ OSBX_GUARDED_BY(mu_) = false;
  bool all_started_ OSBX_GUARDED_BY(mu_) = false;
  bool lease_lost_ OSBX_GUARDED_BY(mu_) = false;
  std::optional<Status> failure_ OSBX_GUARDED_BY(mu_);

  std::atomic<bool> leading_{false};
  std::atomic<uint16_t> metrics_port_{0};
  std::atomic<uint16_t> health_port_{0};

  std::unique_ptr<http::Server> metrics_server_;
  std::unique_ptr<http::Server> health_server_;
  std::unique_ptr<LeaderElector> elector_;
  std::thread elector_thread_;
  Status elector_result_;  // written by elector_thread_, read after join
};

}  // namespace osbx::kube
