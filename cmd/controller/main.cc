// opensandbox-controller: the controller manager for BatchSandbox and Pool.
//
//   opensandbox-controller [flags]              cluster mode: in-cluster config or a kubeconfig
//   opensandbox-controller standalone [flags]   the whole system in one process: an embedded
//                                               Kubernetes-compatible API server, a simulated
//                                               node and the same controllers over loopback
//   opensandbox-controller version
//
// Flags, wiring and nothing else: every behaviour lives in a library under internal/ or pkg/.

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "cmd/controller/options.h"
#include "internal/controller/api_client.h"
#include "internal/controller/setup.h"
#include "internal/standalone/apiserver/standalone_server.h"
#include "internal/standalone/node/rest_sim_node.h"
#include "internal/utils/log.h"
#include "internal/utils/version.h"
#include "pkg/kube/client/config.h"
#include "pkg/kube/runtime/manager.h"
#include "pkg/kube/runtime/rest_adapters.h"
#include "pkg/kube/runtime/signals.h"

namespace {

using namespace osbx;

// Flags of the `standalone` subcommand.
struct StandaloneFlags {
  std::string data_dir;
  int port = 6443;
  bool controllers = true;
  bool simulated_node = true;
  int node_startup_delay_ms = 5;
};

// Turns the first SIGTERM/SIGINT into a stop of whatever is running. Built before any other
// thread exists, so every thread inherits the blocked signals.
class StopSwitch {
 public:
  StopSwitch()
      : signals_([this](int) {
          std::lock_guard lock(mu_);
          stop_requested_ = true;
          if (on_stop_) on_stop_();
        }) {}

  // Installs what a stop does; runs it at once when a stop already came.
  void OnStop(std::function<void()> fn) {
    std::lock_guard lock(mu_);
    on_stop_ = std::move(fn);
    if (stop_requested_ && on_stop_) on_stop_();
  }
  bool stop_requested() {
    std::lock_guard lock(mu_);
    return stop_requested_;
  }

 private:
  std::mutex mu_;
  std::function<void()> on_stop_;  // guarded by mu_
  bool stop_requested_ = false;    // guarded by mu_
  kube::ShutdownSignals signals_;
};

int Fail(const Status& status) {
  OSBX_LOG_ERROR("controller manager failed", {"error", status.ToString()});
  std::fflush(nullptr);
  // Worker threads may still be finishing; after a lost lease nothing may wait for them.
  std::_Exit(EXIT_FAILURE);
  return EXIT_FAILURE;
}

// Runs the manager with both controllers until a stop (OK) or a failure such as a lost lease.
Status RunManager(const controller::Flags& flags, StopSwitch& stop) {
  OSBX_ASSIGN_OR_RETURN(auto concurrency, controller::ParseConcurrency(flags.concurrency));
  kube::RestClusterOptions cluster_options;
  cluster_options.kubeconfig = flags.kubeconfig;
  cluster_options.qps = flags.kube_client_qps;
  cluster_options.burst = flags.kube_client_burst;
  OSBX_ASSIGN_OR_RETURN(auto cluster, kube::RestCluster::Connect(cluster_options));
  OSBX_LOG_INFO("connecting to the API server", {"server", cluster->server()},
                {"config", cluster->source()});
  OSBX_ASSIGN_OR_RETURN(auto options,
                        controller::ManagerOptionsFrom(flags, cluster->default_namespace()));
  options.informer_options.indexers = controller::RequiredIndexers();
  OSBX_ASSIGN_OR_RETURN(auto manager, kube::Manager::Create(std::move(options), *cluster));
  OSBX_ASSIGN_OR_RETURN(auto api,
                        controller::ConnectRestApiClient(flags.kubeconfig, flags.kube_client_qps,
                                                         flags.kube_client_burst));
  controller::ControllersOptions controllers_options;
  if (concurrency.count("batchsandbox")) {
    controllers_options.batchsandbox_workers = concurrency["batchsandbox"];
  }
  if (concurrency.count("pool")) controllers_options.pool_workers = concurrency["pool"];
  OSBX_ASSIGN_OR_RETURN(controllers_options.allocation_settle_delay,
                        controller::ParseDuration(flags.allocation_settle_delay));
  OSBX_ASSIGN_OR_RETURN(auto controllers,
                        controller::RegisterControllers(*manager, *api, controllers_options));
  stop.OnStop([m = manager.get()] { m->Stop(); });
  OSBX_LOG_INFO("starting manager", {"version", std::string(kVersion)},
                {"batchsandbox_workers", std::to_string(controllers_options.batchsandbox_workers)},
                {"pool_workers", std::to_string(controllers_options.pool_workers)});
  Status result = manager->Run();
  stop.OnStop(nullptr);
  return result;
}

std::string DefaultDataDir() {
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.opensandbox";
}

// Waits for a stop while only the server (and the node) run.
void WaitForStop(StopSwitch& stop) {
  std::mutex mu;
  std::condition_variable cv;
  bool stopped = false;
  stop.OnStop([&] {
    std::lock_guard lock(mu);
    stopped = true;
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return stopped; });
  stop.OnStop(nullptr);
}

// The standalone system: API server, simulated node, controllers, all in this process.
Status RunStandalone(controller::Flags flags, const StandaloneFlags& sflags, StopSwitch& stop) {
  standalone::StandaloneOptions options;
  options.data_dir = sflags.data_dir.empty() ? DefaultDataDir() : sflags.data_dir;
  if (sflags.port < 0 || sflags.port > 65535) return InvalidError("--port must be 0..65535");
  options.port = static_cast<uint16_t>(sflags.port);
  OSBX_ASSIGN_OR_RETURN(auto server, standalone::StandaloneServer::Open(options));
  OSBX_RETURN_IF_ERROR(server->Start());
  OSBX_LOG_INFO("standalone API server serving", {"url", server->url()},
                {"data_dir", options.data_dir});
  fmt::print("OpenSandbox standalone is running. Use it with:\n  {}\n", server->KubectlHint());
  std::fflush(stdout);

  std::unique_ptr<standalone::RestSimNode> node;
  if (sflags.simulated_node) {
    kube::RestConfig config;
    config.server = server->url();
    config.bearer_token = server->token();
    config.ca_pem = server->ca_pem();
    standalone::SimNodeOptions node_options;
    node_options.startup_delay = std::chrono::milliseconds(sflags.node_startup_delay_ms);
    OSBX_ASSIGN_OR_RETURN(node, standalone::RestSimNode::New(config, node_options));
    OSBX_RETURN_IF_ERROR(node->Start());
    OSBX_LOG_INFO("simulated node ready", {"node", node_options.node.name});
  }

  Status result;
  if (sflags.controllers) {
    flags.kubeconfig = server->kubeconfig_path();
    flags.leader_elect = false;  // one process: nothing to elect
    result = RunManager(flags, stop);
  } else {
    WaitForStop(stop);
  }
  if (node) node->Stop();
  server->Stop();
  return result;
}

// Without jemalloc (see cmd/controller/CMakeLists.txt): glibc gives each busy thread its own heap
// arena and keeps what the arenas once held; with dozens of reconcile, informer and HTTP
// threads, a Pool warm-up's churn left the process at twice the memory it uses (100,000 pooled
// sandboxes: 1,846 MiB with the default, 910 MiB with two arenas; bench/reports/delivery.md).
// MALLOC_ARENA_MAX, when set, still decides.
void LimitMallocArenas() {
#ifndef OSBX_WITH_JEMALLOC
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) (void)mallopt(M_ARENA_MAX, 2);
#endif
}

}  // namespace

#ifdef OSBX_WITH_JEMALLOC
// jemalloc's settings (MALLOC_CONF, when set, overrides them): one arena rather than four per
// CPU, small thread caches, and freed pages returned to the system at once, so the heap follows
// the cache's size rather than the largest burst it went through. At 100,000 pooled sandboxes as
// batches of 1 the controller held 1,000 MiB with one arena and 1,031 MiB with two
// (bench/reports/delivery.md); without thread caches 955 MiB, but its restart took 9.7 s
// instead of 8.4 s.
extern "C" const char* malloc_conf;
const char* malloc_conf = "narenas:1,dirty_decay_ms:0,muzzy_decay_ms:0,tcache_max:1024";
#endif

int main(int argc, char** argv) {
  LimitMallocArenas();
  CLI::App app{"OpenSandbox controller manager: delivers BatchSandbox and Pool sandboxes.",
               std::string(osbx::kControllerName)};
  app.set_version_flag("--version", std::string(osbx::kVersion));
  app.require_subcommand(0, 1);

  auto* version = app.add_subcommand("version", "Print the version and exit.");
  version->callback([] { fmt::print("{} {}\n", osbx::kControllerName, osbx::kVersion); });

  osbx::controller::Flags flags;
  osbx::controller::AddFlags(app, flags);

  StandaloneFlags sflags;
  auto* standalone = app.add_subcommand(
      "standalone",
      "Run everything in this process: a Kubernetes-compatible API server on 127.0.0.1 (HTTPS, "
      "bearer token, kubeconfig written to the data dir), a simulated node and the controllers.");
  standalone->add_option("--data-dir", sflags.data_dir,
                         "Where objects, certificates, the token and the kubeconfig are kept "
                         "(default $HOME/.opensandbox)");
  standalone->add_option("--port", sflags.port, "HTTPS port on 127.0.0.1 (0 picks a free one)")
      ->capture_default_str();
  standalone->add_flag("!--no-controllers", sflags.controllers,
                       "Serve the API (and the node) only; run controllers as separate processes");
  standalone->add_flag("!--no-simulated-node", sflags.simulated_node,
                       "Do not run the simulated node (pods then stay Pending)");
  standalone
      ->add_option("--node-startup-delay-ms", sflags.node_startup_delay_ms,
                   "Simulated time from a pod's binding to Running and Ready")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  if (version->parsed()) return EXIT_SUCCESS;

  auto log_options = osbx::controller::LogOptions(flags);
  if (!log_options.ok()) return Fail(log_options.status());
  osbx::log::Init(*log_options);

  StopSwitch stop;
  osbx::Status result;
  if (standalone->parsed()) {
    // Ports of the manager's own servers default to off in standalone mode: one machine, one
    // user, and no clash with whatever already listens on :8080/:8081.
    if (app.count("--metrics-bind-address") == 0) flags.metrics_bind_address = "0";
    if (app.count("--health-probe-bind-address") == 0) flags.health_probe_bind_address = "0";
    // The server is this process's own, on loopback: a client-side limit would only cap delivery
    // (100 QPS makes a 1,000-pod warm-up take 10 s). The server still limits like any other.
    if (app.count("--kube-client-qps") == 0) flags.kube_client_qps = 0;
    // The in-process controllers share the server's life: no earlier controller's write can
    // still be on its way, so there is nothing to wait for.
    if (app.count("--allocation-settle-delay") == 0) flags.allocation_settle_delay = "0s";
    result = RunStandalone(flags, sflags, stop);
  } else {
    result = RunManager(flags, stop);
  }
  if (!result.ok()) return Fail(result);
  return EXIT_SUCCESS;
}
