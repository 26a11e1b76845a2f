#pragma once
// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics.
//
// A candidate reads the Lease and either creates it, takes it over once it has expired, or
// renews it while it holds it, always writing with the resourceVersion it observed (a 409 means
// another candidate won the race). Expiry is judged by when this process *observed* the
// record change, on its own monotonic clock, never by comparing timestamps written by other
// machines. A leader that cannot renew within RenewDeadline stops leading; since
// RenewDeadline < LeaseDuration it steps down before anyone else may take over.
//
// All waiting goes through the injected Clock, so tests run on simulated time.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "internal/utils/clock.h"
#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/runtime/lease.h"
#include "pkg/kube/workqueue/mutex.h"

namespace osbx::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  // Unique per process (hostname + random suffix in production).
  std::string identity;
  // How long non-leaders wait after observing the last renewal before taking over.
  Clock::Duration lease_duration = std::chrono::seconds(15);
  // How long the leader keeps retrying a renewal before it gives up leading.
  Clock::Duration renew_deadline = std::chrono::seconds(10);
  // Pause between attempts (jittered by up to 1.2x while acquiring).
  Clock::Duration retry_period = std::chrono::seconds(2);
  // Clear the holder on a clean stop so the next candidate need not wait for expiry.
  bool release_on_cancel = true;
};

// client-go's jitter factor for acquisition retries and the bound it puts on the timings.
inline constexpr double kLeaderElectionJitterFactor = 1.2;

// Checks LeaseDuration > RenewDeadline > JitterFactor * RetryPeriod and that names are set.
Status ValidateLeaderElectionConfig(const LeaderElectionConfig& config);

// Called on the elector's thread; they must return promptly.
struct LeaderCallbacks {
  std::function<void()> on_started_leading;
  // Called once after leading ends, whether the lease was lost or the elector was stopped.
  std::function<void()> on_stopped_leading;
  // Called when the observed holder changes (including to this candidate).
  std::function<void(const std::string& identity)> on_new_leader;
};

class LeaderElector {
 public:
  // Validates `config`. `client` and `clock` must outlive the elector.
  static StatusOr<std::unique_ptr<LeaderElector>> Create(LeaderElectionConfig config,
                                                         LeaseClient& client, const Clock& clock,
                                                         LeaderCallbacks callbacks);

  // Campaigns until elected, then renews until the lease is lost or Stop() is called. Returns
  // Ok when stopped (after releasing the lease if configured), an Unavailable error when the
  // lease was lost. Blocks the calling thread.
  [[nodiscard]] Status Run();
  // Makes Run() return soon; safe from any thread, idempotent.
  void Stop();

  bool IsLeader() const { return leading_.load(); }
  // The identity most recently observed holding the lease ("" when none).
  std::string ObservedLeader() const;

  // One attempt to acquire or renew. True when this candidate holds the lease afterwards.
  // Exposed so tests can step the protocol; Run() is the normal entry point.
  bool TryAcquireOrRenew();
  // Gives up the lease if held (holder cleared, duration 1 s). Best effort.
  void Release();

 private:
  LeaderElector(LeaderElectionConfig config, LeaseClient& client, const Clock& clock,
                LeaderCallbacks callbacks);

  bool Acquire();
  Status RenewLoop();
  // Waits until `deadline` on the clock; false when stopped meanwhile.
  bool WaitUntil(Clock::TimePoint deadline);
  Clock::Duration JitteredRetry();
  // Records `record` as observed now; fires on_new_leader when the holder changed.
  void Observe(const LeaseRecord& record, Json raw);
  bool HeldByOtherAndValid(Clock::TimePoint now) const;

  const LeaderElectionConfig config_;
  LeaseClient& client_;
  const Clock& clock_;
  const LeaderCallbacks callbacks_;

  // Only the thread running Run()/TryAcquireOrRenew() touches the observed state.
  std::optional<LeaseRecord> observed_record_;
  Json observed_raw_;
  Clock::TimePoint observed_time_{};
  std::mt19937_64 rng_{std::random_device{}()};

  std::atomic<bool> leading_{false};
  mutable Mutex mu_;
  std::condition_variable cv_;  // signalled by Stop()
  bool stopped_ OSBX_GUARDED_BY(mu_) = false;
  std::string observed_leader_ OSBX_GUARDED_BY(mu_);
};

}  // namespace osbx::kube
