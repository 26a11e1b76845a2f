#pragma once
// The Node object the simulated node registers and the status it reports: pure functions from
// the node's configuration, its health and the time of its last heartbeat. Like pod_status.h,
// the status starts from the current one and keeps lastTransitionTime unless a condition's
// status changes, so an unchanged node produces an empty diff and no write.

#include <string>

#include "internal/utils/json.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::standalone {

struct NodeConfig {
  std::string name = "standalone-node";
  std::string internal_ip = "127.0.0.1";
  // Capacity (== allocatable): large, so no scheduler-like check ever refuses a pod.
  std::string cpu = "10k";
  std::string memory = "64Ti";
  std::string ephemeral_storage = "64Ti";
  std::string pods = "1M";
  std::string kubelet_version = "v1.32.0";
};

// Label set on the Node to say that it is simulated.
inline constexpr char kSimulatedNodeLabel[] = "sim.opensandbox.io/simulated";

// The Node to create: metadata (name, hostname/os/arch labels) and an empty spec; status is
// written separately through the status subresource.
Json NodeManifest(const NodeConfig& config);

// The labels the node must carry (merged into an existing Node's labels when it is adopted).
Json NodeLabels(const NodeConfig& config);

// The status to report. `lost`: every condition Unknown ("Kubelet stopped posting node
// status."), lastHeartbeatTime frozen. Otherwise Ready=True and no pressure, with
// lastHeartbeatTime = `heartbeat`.
Json DesiredNodeStatus(const NodeConfig& config, const Json& current_status, bool lost,
                       kube::Time heartbeat, kube::Time now);

}  // namespace osbx::standalone
