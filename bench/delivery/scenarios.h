#pragma once
// The delivery benchmark's scenarios over an InProcessSystem (see system.h). Each returns what it
// measured; the caller formats the report. Objects live in the "default" namespace under names
// unique per run, so the scenarios can share one system.

#include <chrono>
#include <string>
#include <vector>

#include "bench/delivery/system.h"

namespace osbx::bench {

// Sorted-sample statistics.
double Percentile(std::vector<double> samples, double p);
// "1.23 / 4.56" of /proc/loadavg (1 and 5 minutes).
std::string LoadAverage();

struct DeliveryResult {
  int replicas = 0;
  std::vector<double> ms;              // create -> every endpoint published, per run
  std::vector<uint64_t> batch_writes;  // controller writes to the BatchSandbox, per run
  std::vector<uint64_t> event_writes;  // controller Event writes during the run
  std::vector<uint64_t> other_writes;  // other controller writes (pods, pools) in the run
  std::vector<uint64_t> node_writes;   // the simulated node's writes in the run
  std::string load_before, load_after;
};
// (a) A pooled BatchSandbox of `replicas` on a warm Pool of exactly that many Ready pods (Noop
// recycle, so the same pods come back between runs), `runs` times.
[[nodiscard]] StatusOr<DeliveryResult> RunDelivery(InProcessSystem& system, int replicas, int runs);

struct WarmupResult {
  int pods = 0;
  std::vector<double> ms;          // Pool create -> `pods` Ready pods, per run
  std::vector<double> created_ms;  // Pool create -> the last pod seen created, per run
  std::vector<uint64_t> controller_writes;
  std::string load_before, load_after;
};
// (b) A Pool of `pods` (poolMin = bufferMin = `pods`, maxUnavailable 100%) from nothing.
[[nodiscard]] StatusOr<WarmupResult> RunWarmup(InProcessSystem& system, int pods, int runs);

struct ClaimsResult {
  double rate = 0;
  double seconds = 0;
  int sent = 0;
  int delivered = 0;
  std::vector<double> ms;  // create -> endpoint, delivered claims only
  double writes_per_claim = 0;
  double cpu_ms_per_claim = 0;  // CPU of the whole process (server, node, controllers, bench)
  std::string load_before, load_after;
};
// (c) BatchSandboxes of 1 replica created at `rate` per second for `seconds` (open loop: each
// create is due at its slot whatever the previous ones did), each deleted once delivered, on a
// Pool with Noop recycle.
[[nodiscard]] StatusOr<ClaimsResult> RunClaims(InProcessSystem& system, double rate,
                                               double seconds);

}  // namespace osbx::bench
