#pragma once
// The system under benchmark, in one process as `opensandbox-controller standalone` runs it: the
// standalone API server on a loopback port of a temp dir, the simulated node and the Pool and
// BatchSandbox controllers, each talking to the server over HTTPS with the project's client.
//
// Writes are counted where they leave each client, by who made them: the controllers' object
// writes (through a counting ApiClient, by verb and resource), the controllers' Event writes
// (through a counting event sink) and the simulated node's writes (its own counters).

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "internal/controller/api_client.h"
#include "internal/utils/status.h"
#include "pkg/kube/client/rest_client.h"

namespace osbx::bench {

// Writes made by the controllers, by "VERB resource[/status]", e.g. "POST pods"; patches of a
// BatchSandbox also name it: "PATCH batchsandboxes/status my-batch".
using WriteCounts = std::map<std::string, uint64_t>;

// Counts of `after` minus `before` whose key starts with `prefix` ("" = all).
uint64_t WritesSince(const WriteCounts& before, const WriteCounts& after,
                     const std::string& prefix);

// The controllers' patches of BatchSandbox `name` in `after` but not in `before`.
uint64_t BatchWritesSince(const WriteCounts& before, const WriteCounts& after,
                          const std::string& name);

struct SystemOptions {
  int node_startup_delay_ms = 5;  // the standalone default
  bool controllers = true;        // false: server and node only
  int batchsandbox_workers = 32;
  int pool_workers = 16;
  int max_parallel_writes = 0;  // 0: the controllers' default
  // The controllers' client-side rate limit (--kube-client-qps/--kube-client-burst); qps <= 0
  // disables it, as standalone mode does.
  double controller_qps = 0;
  int controller_burst = 200;
};

class InProcessSystem {
 public:
  // Opens the server in a fresh temp dir, starts the node and (optionally) the controllers, and
  // waits until the controllers serve.
  [[nodiscard]] static StatusOr<std::unique_ptr<InProcessSystem>> Start(SystemOptions options);
  ~InProcessSystem();

  // A client of the benchmark's own (user agent "delivery-bench", no client-side rate limit).
  kube::RestClient& user() { return *user_; }
  // The controllers' writes so far.
  WriteCounts ControllerWrites() const;
  // The simulated node's writes so far (bindings, pod status, deletes, node).
  uint64_t NodeWrites() const;
  const std::string& kubeconfig() const { return kubeconfig_; }
  void Stop();

 private:
  struct Impl;
  explicit InProcessSystem(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<kube::RestClient> user_;
  std::string kubeconfig_;
};

}  // namespace osbx::bench
