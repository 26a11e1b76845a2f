#pragma once
// PodView: the plain facts about one pod that pool sizing, allocation, index binding and status
// derivation decide on. Built from the pod's JSON by FromPod, so every decision in this module is
// a pure function over structs and can be tested without an API server.

#include <optional>
#include <string>
#include <vector>

#include "internal/utils/json.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::scheduler {

using kube::Time;

// Container waiting reasons that mean the pod will not become healthy on its own.
inline constexpr const char* kFailingWaitingReasons[] = {
    "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError"};

struct PodView {
  std::string name;
  std::string uid;
  std::string phase;  // Pending, Running, Succeeded, Failed, Unknown ("" when not reported)
  // Running, Ready=True and not terminating: the only pods that serve or count as buffer.
  bool ready = false;
  bool terminating = false;  // deletionTimestamp is set
  std::optional<Time> created;
  // When Ready last became True (the Ready condition's lastTransitionTime), if ready.
  std::optional<Time> ready_since;
  std::string pod_ip;
  std::string node_name;
  std::string revision;      // pool revision label ("" when absent)
  bool evict = false;        // the eviction label is present
  std::optional<int> index;  // pod-index label of a non-pooled pod
  int restarts = 0;          // sum of container restart counts
  // The first failing waiting reason of any container (see kFailingWaitingReasons), or "".
  std::string failing_reason;
  std::string failing_container;
  // Reason of the most recent container termination that caused a restart (e.g. OOMKilled).
  std::string last_termination_reason;
  std::string last_termination_container;
  bool node_lost = false;  // phase Unknown or status.reason NodeLost

  // Dead pods never come back: Failed, Succeeded, or on a lost node.
  bool Dead() const { return phase == "Failed" || phase == "Succeeded" || node_lost; }
  // Unhealthy: dead, or stuck on a failing waiting reason.
  bool Failing() const { return Dead() || !failing_reason.empty(); }
  bool operator==(const PodView&) const = default;
};

// Reads a core/v1 Pod. Never fails: missing or mistyped fields read as empty.
PodView FromPod(const Json& pod);

// Views of many pods, in input order.
std::vector<PodView> FromPods(const std::vector<Json>& pods);

}  // namespace osbx::scheduler
