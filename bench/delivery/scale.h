#pragma once
// Scenario (d), opt-in: many pooled sandboxes held by one controller process. The standalone
// server and simulated node run as `opensandbox-controller standalone --no-controllers`, the
// controllers as a second `opensandbox-controller` process against its kubeconfig, so the RSS
// read from /proc is the controllers' alone. After every sandbox is delivered the controller is
// killed with SIGKILL and restarted, and the time from the restart to the first new allocation
// being delivered is measured.

#include <CLI/CLI.hpp>

#include <string>

#include "internal/utils/status.h"

namespace osbx::bench {

struct ScaleOptions {
  int sandboxes = 100000;  // pooled sandboxes to hold
  // Batch shapes: "1000" (sandboxes / 1000 batches of 1,000), "1" (batches of 1), or both.
  std::string batch_sizes = "1000,1";
  std::string controller_binary;  // default: opensandbox-controller beside this binary
  int create_parallelism = 16;    // the benchmark's own concurrent creates
  // Command words put before the restarted controller's (e.g. "perf record -g -o FILE --"),
  // for profiling the restart; empty: none.
  std::string restart_prefix;
  std::string controller_prefix;  // the same for the first controller (e.g. a heap profiler)
  bool keep_dir = false;          // keep the run's data dir and logs (its path is printed)
};

void AddScaleFlags(CLI::App& app, ScaleOptions& options);

// Runs the scale scenario for each batch size; returns its markdown section.
[[nodiscard]] StatusOr<std::string> RunScale(const ScaleOptions& options);

}  // namespace osbx::bench
