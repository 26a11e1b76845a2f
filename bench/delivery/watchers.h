#pragma once
// What the benchmark observes, as a user would: watches over HTTPS that note the moment each
// BatchSandbox has every endpoint published (all `replicas` entries of the endpoints annotation
// non-empty) and the moment a Pool has a given number of Ready pods. Times are taken on the
// watch's I/O thread as each event arrives.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "pkg/kube/client/rest_client.h"

namespace osbx::bench {

using SteadyTime = std::chrono::steady_clock::time_point;

// True when `batch` carries `replicas` endpoints, none of them empty.
bool EndpointsComplete(const Json& batch);

// Watches the BatchSandboxes of one namespace.
class BatchWatcher {
 public:
  [[nodiscard]] static StatusOr<std::unique_ptr<BatchWatcher>> Start(kube::RestClient& client,
                                                                     const std::string& ns);
  ~BatchWatcher();

  // When `name` was first seen delivered; nullopt after `timeout` without it.
  std::optional<SteadyTime> WaitDelivered(const std::string& name,
                                          std::chrono::milliseconds timeout);
  // Waits until `name` reports status.ready == spec.replicas (its status patch arrived).
  bool WaitStatusReady(const std::string& name, std::chrono::milliseconds timeout);
  // Waits until `name` is gone (deleted and finalized).
  bool WaitGone(const std::string& name, std::chrono::milliseconds timeout);
  // Blocks until some BatchSandbox not taken yet is delivered, then returns its name; "" after
  // `timeout` without one.
  std::string TakeDelivered(std::chrono::milliseconds timeout);
  // How many BatchSandboxes have been seen delivered.
  size_t DeliveredCount();
  // Forgets what is known about `name` (before a namesake is created again).
  void Forget(const std::string& name);

 private:
  BatchWatcher() = default;
  void OnEvent(kube::WatchEvent&& event);

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, SteadyTime> delivered_;  // guarded by mu_
  std::set<std::string> status_ready_;           // guarded by mu_
  std::set<std::string> present_;                // guarded by mu_
  std::deque<std::string> untaken_;              // delivered, not taken; guarded by mu_
  std::unique_ptr<kube::WatchHandle> watch_;
};

// Counts the Ready, not deleting pods carrying a label selector.
class ReadyPodCounter {
 public:
  [[nodiscard]] static StatusOr<std::unique_ptr<ReadyPodCounter>> Start(
      kube::RestClient& client, const std::string& ns, const std::string& label_selector);
  ~ReadyPodCounter();

  // When the count first reached `n` (waits up to `timeout`).
  std::optional<SteadyTime> WaitReady(size_t n, std::chrono::milliseconds timeout);
  size_t ready();
  // Pods seen and not seen deleted since.
  size_t present();
  // When the `n`th distinct pod was first seen (created), if it was.
  std::optional<SteadyTime> SeenAt(size_t n);

 private:
  ReadyPodCounter() = default;
  void OnEvent(kube::WatchEvent&& event);

  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> ready_;           // guarded by mu_
  std::set<std::string> seen_;            // guarded by mu_
  std::set<std::string> present_;         // guarded by mu_
  std::map<size_t, SteadyTime> seen_at_;  // guarded by mu_
  std::map<size_t, SteadyTime> reached_;  // count -> first time; guarded by mu_
  std::unique_ptr<kube::WatchHandle> watch_;
};

}  // namespace osbx::bench
