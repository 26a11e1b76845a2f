#pragma once
// The pod status a kubelet that runs no containers reports: a pure function from the pod object
// (spec, annotations, current status), the faults asked for and what the node knows (IP, time,
// node loss) to the desired status. The caller diffs it against the current status and writes
// only the difference, so the function starts from the current status, keeps every field it does
// not own, and keeps timestamps (startTime, startedAt, lastTransitionTime) unless the state they
// date actually changed. Applying it to its own result with the same inputs gives the same
// status again: that is what makes a no-op sync write nothing.

#include <optional>
#include <string>
#include <string_view>

#include "internal/standalone/node/faults.h"
#include "internal/utils/clock.h"
#include "internal/utils/json.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::standalone {

// What the node knows about a pod beyond the pod object.
struct PodStatusInputs {
  kube::Time now;
  std::string pod_ip;
  std::string host_ip = "127.0.0.1";
  // The node is lost: Ready=False with reason NodeLost, containers left as they were.
  bool node_lost = false;
  // The deletion grace period is over: containers end (exit 0) and the pod Succeeds.
  bool terminating = false;
  // OOM kills of the first container that the status does not show yet.
  int new_oom_kills = 0;
  // Crash loop: the back-off is over and the containers crash once more.
  bool crash_restart_due = false;
};

// The status the node reports for `pod`.
Json DesiredPodStatus(const Json& pod, const PodFaults& faults, const PodStatusInputs& in);

// The wait before the next restart after `restarts` restarts: 10 s doubling, at most 5 min.
Clock::Duration CrashLoopBackOff(int restarts);

// When the next crash of a pod waiting in CrashLoopBackOff is due (the first such container's
// lastState.terminated.finishedAt plus the back-off of its restartCount); nullopt when no
// container waits in CrashLoopBackOff.
std::optional<kube::Time> NextCrashAt(const Json& pod);

// True for Succeeded and Failed, the phases a pod never leaves.
bool IsTerminalPhase(std::string_view phase);

// True once the pod's containers have been started (phase Running or later).
bool PodStarted(const Json& pod);

// The containerID the node reports: "sim://<pod uid>/<container name>".
std::string SimContainerId(std::string_view pod_uid, std::string_view container);

}  // namespace osbx::standalone
