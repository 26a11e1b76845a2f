#pragma once
// NodeRegistration: keeps the simulated node's Node object registered and its status current.
// Each Sync creates the Node (or adopts an existing one of the same name), renews the Ready
// heartbeat when it is due and reports node loss, writing a status merge patch only when the
// status differs from what the server last returned.
//
// Not thread-safe: the node calls Sync from one worker at a time (the node's work-queue key).

#include <cstdint>

#include "internal/standalone/node/kubelet_api.h"
#include "internal/standalone/node/node_status.h"
#include "internal/utils/clock.h"

namespace osbx::standalone {

class NodeRegistration {
 public:
  // `api` and `clock` are borrowed.
  NodeRegistration(KubeletApi& api, const Clock& clock, NodeConfig config,
                   Clock::Duration heartbeat_period);

  // Brings the Node in line with `lost`; returns how long until the next heartbeat is due.
  [[nodiscard]] StatusOr<Clock::Duration> Sync(bool lost);

  const NodeConfig& config() const { return config_; }
  bool registered() const { return registered_; }
  // Node writes (create, label patch, status patches) that succeeded.
  uint64_t writes() const { return writes_; }

 private:
  Status Register();
  Status EnsureLabels(const Json& node);

  KubeletApi& api_;
  const Clock& clock_;
  const NodeConfig config_;
  const Clock::Duration heartbeat_period_;
  bool registered_ = false;
  Json status_;  // the status as the server last returned it
  kube::Time heartbeat_{};
  Clock::TimePoint next_heartbeat_{};
  uint64_t writes_ = 0;
};

}  // namespace osbx::standalone
