#pragma once
// Builders of PodViews for the scheduler's tests.

#include <chrono>
#include <string>

#include "internal/scheduler/pod_view.h"

namespace osbx::scheduler::testing {

inline kube::Time T(int seconds) {
  return kube::Time(std::chrono::seconds(1'800'000'000 + seconds));
}

inline PodView ReadyPod(std::string name, std::string revision = "rev1", int ready_at = 0) {
  PodView p;
  p.name = std::move(name);
  p.phase = "Running";
  p.ready = true;
  p.revision = std::move(revision);
  p.created = T(ready_at - 10);
  p.ready_since = T(ready_at);
  p.pod_ip = "10.0.0." + std::to_string(ready_at % 250 + 1);
  p.node_name = "node";
  return p;
}

inline PodView StartingPod(std::string name, std::string revision = "rev1") {
  PodView p;
  p.name = std::move(name);
  p.phase = "Pending";
  p.revision = std::move(revision);
  p.created = T(0);
  return p;
}

inline PodView Terminating(PodView p) {
  p.terminating = true;
  p.ready = false;
  return p;
}

}  // namespace osbx::scheduler::testing
