#pragma once
// The controller binary's flags (kubebuilder's names where they exist, plus the original
// controller's --kube-client-qps/--kube-client-burst and --concurrency) and their translation
// into manager options.

#include <CLI/CLI.hpp>

#include <chrono>
#include <map>
#include <string>

#include "internal/utils/log.h"
#include "internal/utils/status.h"
#include "pkg/kube/runtime/manager.h"

namespace osbx::controller {

struct Flags {
  std::string kubeconfig;
  bool leader_elect = false;
  std::string leader_election_id = "2fa1c467.opensandbox.io";
  std::string leader_election_namespace;
  std::string metrics_bind_address = ":8080";
  std::string health_probe_bind_address = ":8081";
  double kube_client_qps = 100;
  int kube_client_burst = 200;
  int verbosity = 0;
  std::string log_format = "text";
  std::string concurrency = "batchsandbox=32;pool=16";
  std::string graceful_shutdown_timeout = "30s";
  // Wait before the first allocation for a previous controller process's last writes to land.
  std::string allocation_settle_delay = "2s";
};

// Registers every flag on `app`, bound to `flags`.
void AddFlags(CLI::App& app, Flags& flags);

// Parses "batchsandbox=32;pool=16" (also ','-separated) into controller -> workers.
StatusOr<std::map<std::string, int>> ParseConcurrency(const std::string& text);
// Parses a Go-style duration: "30s", "1m30s", "500ms", "2h"; a bare number means seconds.
StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& text);
// The logging options the flags ask for.
StatusOr<log::Options> LogOptions(const Flags& flags);
// Manager options from the flags; `default_namespace` (the pod's or the kubeconfig context's)
// is the lease namespace when --leader-election-namespace is not given.
StatusOr<kube::ManagerOptions> ManagerOptionsFrom(const Flags& flags,
                                                  const std::string& default_namespace);

}  // namespace osbx::controller
