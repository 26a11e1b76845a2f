// opensandbox-controller: the controller manager for BatchSandbox and Pool.
//
// Flags, wiring and nothing else: every behaviour lives in a library under internal/ or pkg/.

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "cmd/controller/options.h"
#include "internal/utils/log.h"
#include "internal/utils/version.h"
#include "pkg/kube/runtime/manager.h"
#include "pkg/kube/runtime/rest_adapters.h"
#include "pkg/kube/runtime/signals.h"

namespace {

// Runs the manager until SIGTERM/SIGINT (exit 0) or a failure such as a lost lease (exit 1).
int RunManager(const osbx::controller::Flags& flags) {
  using namespace osbx;
  auto fail = [](const Status& status) {
    OSBX_LOG_ERROR("controller manager failed", {"error", status.ToString()});
    std::fflush(nullptr);
    // Worker threads may still be finishing; after a lost lease nothing may wait for them.
    std::_Exit(EXIT_FAILURE);
    return EXIT_FAILURE;
  };
  auto log_options = controller::LogOptions(flags);
  if (!log_options.ok()) return fail(log_options.status());
  log::Init(*log_options);
  auto concurrency = controller::ParseConcurrency(flags.concurrency);
  if (!concurrency.ok()) return fail(concurrency.status());

  // Before any other thread exists, so that every thread inherits the blocked signals.
  std::mutex mu;
  kube::Manager* running = nullptr;  // guarded by mu
  bool stop_requested = false;       // guarded by mu
  kube::ShutdownSignals signals([&](int) {
    std::lock_guard lock(mu);
    stop_requested = true;
    if (running != nullptr) running->Stop();
  });

  kube::RestClusterOptions cluster_options;
  cluster_options.kubeconfig = flags.kubeconfig;
  cluster_options.qps = flags.kube_client_qps;
  cluster_options.burst = flags.kube_client_burst;
  auto cluster = kube::RestCluster::Connect(cluster_options);
  if (!cluster.ok()) return fail(cluster.status());
  OSBX_LOG_INFO("connecting to the API server", {"server", (*cluster)->server()},
                {"config", (*cluster)->source()});
  auto options = controller::ManagerOptionsFrom(flags, (*cluster)->default_namespace());
  if (!options.ok()) return fail(options.status());
  auto manager = kube::Manager::Create(std::move(options).value(), **cluster);
  if (!manager.ok()) return fail(manager.status());
  for (const auto& [name, workers] : *concurrency) {
    OSBX_LOG_INFO("controller concurrency", {"controller", name},
                  {"workers", std::to_string(workers)});
  }
  {
    std::lock_guard lock(mu);
    running = manager->get();
    if (stop_requested) running->Stop();
  }
  OSBX_LOG_INFO("starting manager", {"version", std::string(kVersion)});
  Status result = (*manager)->Run();
  {
    std::lock_guard lock(mu);
    running = nullptr;
  }
  if (!result.ok()) return fail(result);
  return EXIT_SUCCESS;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"OpenSandbox controller manager: delivers BatchSandbox and Pool sandboxes.",
               std::string(osbx::kControllerName)};
  app.set_version_flag("--version", std::string(osbx::kVersion));
  app.require_subcommand(0, 1);

  auto* version = app.add_subcommand("version", "Print the version and exit.");
  version->callback([] { fmt::print("{} {}\n", osbx::kControllerName, osbx::kVersion); });

  osbx::controller::Flags flags;
  osbx::controller::AddFlags(app, flags);

  CLI11_PARSE(app, argc, argv);
  if (!app.get_subcommands().empty()) return EXIT_SUCCESS;
  return RunManager(flags);
}
