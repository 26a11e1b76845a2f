#pragma once
// Failure injection for the simulated node. Tests (and people at a kubectl prompt) steer what the
// node reports for a pod through annotations on the pod, and node loss through an annotation on
// the Node object. Every fault is level-based: the node re-reads the annotations on each change
// and writes the status they call for; removing an annotation reverts what can be reverted.
//
// Pod annotations:
//   sim.opensandbox.io/ready: "false"
//       NotReady: every container ready=false, ContainersReady and Ready False. Any other value,
//       or no annotation, is Ready again.
//   sim.opensandbox.io/oom-kills: "<N>"
//       The first container has been OOM-killed N times in total. Raising N restarts it: its
//       restartCount grows by the difference, lastState.terminated says OOMKilled (exit 137) and
//       state.running.startedAt moves to now. Lowering N changes nothing.
//   sim.opensandbox.io/crash-loop: "true"
//       Every container crashes (lastState.terminated reason Error, exit 1) and waits in
//       CrashLoopBackOff, ready=false; restartCount grows once per back-off period (10 s
//       doubling to 5 min, counted on the clock). Removing it starts the containers again.
//   sim.opensandbox.io/image-pull: "ErrImagePull" | "ImagePullBackOff"
//       Every container of a pod that has not started yet waits with that reason; the pod stays
//       Pending. Removing it lets the pod start. Without the annotation, a container whose image
//       contains "pull-error" waits with ImagePullBackOff the same way.
//   sim.opensandbox.io/lost: "Failed" | "Deleted"
//       Pod loss. "Failed": phase Failed, reason NodeLost, containers terminated (exit 137);
//       terminal, like any Failed pod. "Deleted": the node deletes the pod (grace period 0).
//   sim.opensandbox.io/startup-delay: "<duration>"
//       Overrides the node's startup delay for this pod ("0", "250ms", "2s", "1m", "1.5s").
//
// Node annotation (on the simulated node's own Node object):
//   sim.opensandbox.io/node-lost: "true"
//       Node loss: the node stops its heartbeats, reports Ready=Unknown and marks every pod it
//       runs Ready=False (reason NodeLost); it binds and starts nothing new. Removing it recovers.

#include <optional>
#include <string>
#include <string_view>

#include "internal/utils/clock.h"
#include "internal/utils/json.h"

namespace osbx::standalone {

// Every annotation the node reads starts with this.
inline constexpr std::string_view kSimAnnotationPrefix = "sim.opensandbox.io/";

inline constexpr std::string_view kReadyAnnotation = "sim.opensandbox.io/ready";
inline constexpr std::string_view kOomKillsAnnotation = "sim.opensandbox.io/oom-kills";
inline constexpr std::string_view kCrashLoopAnnotation = "sim.opensandbox.io/crash-loop";
inline constexpr std::string_view kImagePullAnnotation = "sim.opensandbox.io/image-pull";
inline constexpr std::string_view kLostAnnotation = "sim.opensandbox.io/lost";
inline constexpr std::string_view kStartupDelayAnnotation = "sim.opensandbox.io/startup-delay";
inline constexpr std::string_view kNodeLostAnnotation = "sim.opensandbox.io/node-lost";

// An image whose name contains this fails to pull without any annotation.
inline constexpr std::string_view kPullErrorImageMarker = "pull-error";

enum class PodLoss { kNone, kFailed, kDeleted };

// The faults a pod's annotations ask for. Unknown or malformed values mean "no fault".
struct PodFaults {
  bool not_ready = false;
  int oom_kills = 0;
  bool crash_loop = false;
  std::string image_pull_reason;  // "", "ErrImagePull" or "ImagePullBackOff"
  PodLoss loss = PodLoss::kNone;
  std::optional<Clock::Duration> startup_delay;
};

// Reads the fault annotations of a pod.
PodFaults ParseFaults(const Json& pod);

// True when the Node object asks for node loss.
bool NodeLostRequested(const Json& node);

// Parses a Go-style duration: a decimal number with unit ns, us, ms, s, m or h, possibly several
// ("1m30s"), or a bare "0". Negative or malformed text gives nullopt.
std::optional<Clock::Duration> ParseDuration(std::string_view text);

// True when a container image is to fail its pull under the image-name rule.
bool ImageFailsToPull(std::string_view image);

}  // namespace osbx::standalone
