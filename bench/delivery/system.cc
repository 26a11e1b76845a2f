#include "bench/delivery/system.h"

#include <filesystem>
#include <random>

#include "cmd/controller/options.h"
#include "internal/controller/setup.h"
#include "internal/standalone/apiserver/standalone_server.h"
#include "internal/standalone/node/rest_sim_node.h"
#include "pkg/kube/client/config.h"
#include "pkg/kube/runtime/manager.h"
#include "pkg/kube/runtime/rest_adapters.h"

namespace osbx::bench {
namespace {

// Counts writes by "VERB resource" under one mutex; a benchmark's few thousand writes per second
// do not make it a bottleneck.
class Counter {
 public:
  void Add(const std::string& key) {
    std::lock_guard lock(mu_);
    ++counts_[key];
  }
  WriteCounts Snapshot() const {
    std::lock_guard lock(mu_);
    return counts_;
  }

 private:
  mutable std::mutex mu_;
  WriteCounts counts_;  // guarded by mu_
};

class CountingApi final : public controller::ApiClient {
 public:
  CountingApi(std::unique_ptr<controller::ApiClient> inner, Counter& counter)
      : inner_(std::move(inner)), counter_(counter) {}
  StatusOr<Json> Create(const kube::ResourceRef& r, const std::string& ns,
                        const Json& object) override {
    counter_.Add("POST " + r.resource);
    return inner_->Create(r, ns, object);
  }
  StatusOr<Json> MergePatch(const kube::ResourceRef& r, const std::string& ns,
                            const std::string& name, const Json& patch, bool status) override {
    // Writes to BatchSandboxes are kept per object, so each batch's own writes can be told apart.
    const bool batch = r.resource == "batchsandboxes";
    counter_.Add("PATCH " + r.resource + (status ? "/status" : "") + (batch ? " " + name : ""));
    return inner_->MergePatch(r, ns, name, patch, status);
  }
  Status Delete(const kube::ResourceRef& r, const std::string& ns, const std::string& name,
                const std::string& uid) override {
    counter_.Add("DELETE " + r.resource);
    return inner_->Delete(r, ns, name, uid);
  }
  StatusOr<std::vector<Json>> ListAll(const kube::ResourceRef& r) override {
    return inner_->ListAll(r);
  }

 private:
  std::unique_ptr<controller::ApiClient> inner_;
  Counter& counter_;
};

class CountingEvents final : public kube::EventSink {
 public:
  CountingEvents(kube::EventSink& inner, Counter& counter) : inner_(inner), counter_(counter) {}
  StatusOr<Json> Create(const std::string& ns, const Json& event) override {
    counter_.Add("POST events");
    return inner_.Create(ns, event);
  }
  StatusOr<Json> Patch(const std::string& ns, const std::string& name, const Json& patch) override {
    counter_.Add("PATCH events");
    return inner_.Patch(ns, name, patch);
  }

 private:
  kube::EventSink& inner_;
  Counter& counter_;
};

// The manager's cluster access with the Event writes counted.
class CountingCluster final : public kube::ClusterClient {
 public:
  CountingCluster(kube::ClusterClient& inner, Counter& counter)
      : inner_(inner), events_(inner.Events(), counter) {}
  std::unique_ptr<kube::ListerWatcher> NewListerWatcher(const kube::ResourceRef& resource,
                                                        const std::string& ns) override {
    return inner_.NewListerWatcher(resource, ns);
  }
  kube::LeaseClient& Leases() override { return inner_.Leases(); }
  kube::EventSink& Events() override { return events_; }

 private:
  kube::ClusterClient& inner_;
  CountingEvents events_;
};

std::string TempDir() {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() /
             ("osbx-delivery-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace

struct InProcessSystem::Impl {
  std::string dir;
  std::unique_ptr<standalone::StandaloneServer> server;
  std::unique_ptr<standalone::RestSimNode> node;
  Counter counter;
  std::unique_ptr<kube::RestCluster> cluster;
  std::unique_ptr<CountingCluster> counting_cluster;
  std::unique_ptr<controller::ApiClient> api;
  std::unique_ptr<kube::Manager> manager;
  std::unique_ptr<controller::Controllers> controllers;
  std::thread manager_thread;
  Status manager_result;  // written by manager_thread, read after join

  Status StartControllers(const SystemOptions& options);
};

Status InProcessSystem::Impl::StartControllers(const SystemOptions& options) {
  // The wiring of RunManager in cmd/controller/main.cc, with the standalone defaults.
  controller::Flags flags;
  flags.kubeconfig = server->kubeconfig_path();
  flags.metrics_bind_address = "0";
  flags.health_probe_bind_address = "0";
  flags.kube_client_qps = options.controller_qps;
  flags.kube_client_burst = options.controller_burst;
  kube::RestClusterOptions cluster_options;
  cluster_options.kubeconfig = flags.kubeconfig;
  cluster_options.qps = flags.kube_client_qps;
  cluster_options.burst = flags.kube_client_burst;
  OSBX_ASSIGN_OR_RETURN(cluster, kube::RestCluster::Connect(cluster_options));
  counting_cluster = std::make_unique<CountingCluster>(*cluster, counter);
  OSBX_ASSIGN_OR_RETURN(auto manager_options,
                        controller::ManagerOptionsFrom(flags, cluster->default_namespace()));
  manager_options.informer_options.indexers = controller::RequiredIndexers();
  OSBX_ASSIGN_OR_RETURN(manager,
                        kube::Manager::Create(std::move(manager_options), *counting_cluster));
  OSBX_ASSIGN_OR_RETURN(auto rest_api,
                        controller::ConnectRestApiClient(flags.kubeconfig, flags.kube_client_qps,
                                                         flags.kube_client_burst));
  api = std::make_unique<CountingApi>(std::move(rest_api), counter);
  controller::ControllersOptions controllers_options;
  controllers_options.batchsandbox_workers = options.batchsandbox_workers;
  controllers_options.pool_workers = options.pool_workers;
  if (options.max_parallel_writes > 0) {
    controllers_options.max_parallel_writes = options.max_parallel_writes;
  }
  OSBX_ASSIGN_OR_RETURN(controllers,
                        controller::RegisterControllers(*manager, *api, controllers_options));
  manager_thread = std::thread([this] { manager_result = manager->Run(); });
  if (!manager->WaitUntilLeading(std::chrono::seconds(60))) {
    return UnavailableError("controllers did not start within 60 s");
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<InProcessSystem>> InProcessSystem::Start(SystemOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->dir = TempDir();
  standalone::StandaloneOptions server_options;
  server_options.data_dir = impl->dir;
  server_options.port = 0;
  OSBX_ASSIGN_OR_RETURN(impl->server, standalone::StandaloneServer::Open(server_options));
  OSBX_RETURN_IF_ERROR(impl->server->Start());
  kube::RestConfig config;
  config.server = impl->server->url();
  config.bearer_token = impl->server->token();
  config.ca_pem = impl->server->ca_pem();
  standalone::SimNodeOptions node_options;
  node_options.startup_delay = std::chrono::milliseconds(options.node_startup_delay_ms);
  OSBX_ASSIGN_OR_RETURN(impl->node, standalone::RestSimNode::New(config, node_options));
  OSBX_RETURN_IF_ERROR(impl->node->Start());
  if (options.controllers) OSBX_RETURN_IF_ERROR(impl->StartControllers(options));
  config.user_agent = "delivery-bench/1";
  config.qps = 0;
  OSBX_ASSIGN_OR_RETURN(auto user, kube::RestClient::New(config));
  std::string kubeconfig = impl->server->kubeconfig_path();
  auto system = std::unique_ptr<InProcessSystem>(new InProcessSystem(std::move(impl)));
  system->user_ = std::move(user);
  system->kubeconfig_ = std::move(kubeconfig);
  return system;
}

InProcessSystem::InProcessSystem(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

InProcessSystem::~InProcessSystem() { Stop(); }

WriteCounts InProcessSystem::ControllerWrites() const { return impl_->counter.Snapshot(); }

uint64_t InProcessSystem::NodeWrites() const {
  if (!impl_->node) return 0;
  standalone::SimNodeMetrics m = impl_->node->Metrics();
  return m.bind_writes + m.status_writes + m.delete_writes + m.node_writes;
}

void InProcessSystem::Stop() {
  if (!impl_) return;
  if (impl_->manager) impl_->manager->Stop();
  if (impl_->manager_thread.joinable()) impl_->manager_thread.join();
  user_.reset();
  if (impl_->node) impl_->node->Stop();
  if (impl_->server) impl_->server->Stop();
  std::error_code ignored;
  std::filesystem::remove_all(impl_->dir, ignored);
  impl_.reset();
}

uint64_t WritesSince(const WriteCounts& before, const WriteCounts& after,
                     const std::string& prefix) {
  uint64_t n = 0;
  for (const auto& [key, count] : after) {
    if (key.rfind(prefix, 0) != 0) continue;
    auto it = before.find(key);
    n += count - (it == before.end() ? 0 : it->second);
  }
  return n;
}

uint64_t BatchWritesSince(const WriteCounts& before, const WriteCounts& after,
                          const std::string& name) {
  return WritesSince(before, after, "PATCH batchsandboxes " + name) +
         WritesSince(before, after, "PATCH batchsandboxes/status " + name);
}

}  // namespace osbx::bench
