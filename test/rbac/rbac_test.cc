// config/rbac grants exactly what the controllers use. The controllers run for real (the same
// RegisterControllers as the binary, with leader election) against the in-process standalone API
// server and its simulated node, through recording wrappers of their API clients, while a
// scenario drives every path that talks to the API: pool fill and scale down, non-pooled
// delivery and scale down, pooled delivery and release under Delete and Noop, expiry, repeated
// events, and deletion of batches and pools. The recorded (group, resource, verb, namespace)
// requests are then compared with config/rbac/role.yaml (cluster-wide) and
// config/rbac/leader_election_role.yaml (the controller's own namespace), both ways: every
// request is granted, and every grant is used (and not already granted cluster-wide).
//
// The standalone server does not enforce RBAC; a real cluster does, which is why this matters.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "internal/controller/api_client.h"
#include "internal/controller/setup.h"
#include "internal/standalone/apiserver/standalone_server.h"
#include "internal/standalone/node/rest_sim_node.h"
#include "pkg/kube/client/config.h"
#include "pkg/kube/client/rest_client.h"
#include "pkg/kube/meta/object.h"
#include "pkg/kube/runtime/manager.h"
#include "pkg/kube/runtime/rest_adapters.h"
#include "test/e2e/e2e_util.h"
#include "test/rbac/rbac_rules.h"
#include "test/rbac/request_recorder.h"

namespace osbx::rbac {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kNs = "default";
constexpr const char* kLeaseNs = "opensandbox-system";

bool PollUntil(std::chrono::steady_clock::duration limit, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return true;
}

Json PodTemplate() {
  return {{"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "nginx:latest"}}})}}}};
}

Json Pool(const std::string& name, const std::string& strategy) {
  return {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
          {"kind", "Pool"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"template", PodTemplate()},
            {"capacitySpec", {{"bufferMin", 1}, {"bufferMax", 2}, {"poolMin", 2}, {"poolMax", 6}}},
            {"recycleStrategy", {{"type", strategy}}}}}};
}

Json Batch(const std::string& name, int replicas, const std::string& pool) {
  Json spec = {{"replicas", replicas}, {"template", PodTemplate()}};
  if (!pool.empty()) spec["poolRef"] = pool;
  return {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
          {"kind", "BatchSandbox"},
          {"metadata", {{"name", name}}},
          {"spec", spec}};
}

class RbacTest : public testing::Test {
 protected:
  void SetUp() override {
    standalone::StandaloneOptions options;
    options.data_dir = dir_.path() + "/data";
    options.port = 0;
    auto server = standalone::StandaloneServer::Open(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    ASSERT_TRUE(server_->Start().ok());
    kube::RestConfig node_config;
    node_config.server = server_->url();
    node_config.bearer_token = server_->token();
    node_config.ca_pem = server_->ca_pem();
    auto node = standalone::RestSimNode::New(node_config, {});
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(node).value();
    ASSERT_TRUE(node_->Start().ok());
    auto config = kube::ResolveConfig(server_->kubeconfig_path());
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    auto client = kube::RestClient::New(*config);
    ASSERT_TRUE(client.ok());
    client_ = std::move(client).value();
  }

  void TearDown() override {
    if (manager_) manager_->Stop();
    if (run_.joinable()) run_.join();
    controllers_.reset();
    manager_.reset();
    api_.reset();
    inner_api_.reset();
    cluster_.reset();
    inner_cluster_.reset();
    client_.reset();
    if (node_) node_->Stop();
    if (server_) server_->Stop();
  }

  // The controllers as the binary wires them, with every API call recorded.
  void StartControllers() {
    kube::RestClusterOptions cluster_options;
    cluster_options.kubeconfig = server_->kubeconfig_path();
    auto cluster = kube::RestCluster::Connect(cluster_options);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    inner_cluster_ = std::move(cluster).value();
    cluster_ = NewRecordingCluster(*inner_cluster_, log_);
    auto api = controller::ConnectRestApiClient(server_->kubeconfig_path(), 100, 200);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    inner_api_ = std::move(api).value();
    api_ = NewRecordingApiClient(*inner_api_, log_,
                                 {controller::PodResource(), controller::BatchSandboxResource(),
                                  controller::PoolResource()});
    kube::ManagerOptions options;
    options.metrics_bind_address = "0";
    options.health_probe_bind_address = "0";
    options.leader_election = true;
    options.leader_election_namespace = kLeaseNs;
    options.graceful_shutdown_timeout = seconds(10);
    options.informer_options.indexers = controller::RequiredIndexers();
    auto manager = kube::Manager::Create(std::move(options), *cluster_);
    ASSERT_TRUE(manager.ok()) << manager.status().ToString();
    manager_ = std::move(manager).value();
    auto controllers = controller::RegisterControllers(*manager_, *api_, {});
    ASSERT_TRUE(controllers.ok()) << controllers.status().ToString();
    controllers_ = std::move(controllers).value();
    run_ = std::thread([this] { (void)manager_->Run(); });
    ASSERT_TRUE(manager_->WaitUntilLeading(milliseconds(30000)));
  }

  const kube::ResourceRef& Batches() { return controller::BatchSandboxResource(); }
  const kube::ResourceRef& Pools() { return controller::PoolResource(); }

  void Create(const kube::ResourceRef& resource, const Json& object) {
    auto created = client_->Create(resource, kNs, object);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }
  void Delete(const kube::ResourceRef& resource, const std::string& name) {
    auto deleted = client_->Delete(resource, kNs, name);
    ASSERT_TRUE(deleted.ok() || deleted.status().code() == StatusCode::kNotFound)
        << deleted.status().ToString();
  }
  void Patch(const kube::ResourceRef& resource, const std::string& name, const Json& patch) {
    auto patched = client_->Patch(resource, kNs, name, kube::PatchType::kMerge, patch.dump());
    ASSERT_TRUE(patched.ok()) << patched.status().ToString();
  }
  Json Get(const kube::ResourceRef& resource, const std::string& name) {
    auto got = client_->Get(resource, kNs, name);
    return got.ok() ? *got : Json();
  }
  void WaitReady(const std::string& batch, int ready) {
    ASSERT_TRUE(PollUntil(seconds(30),
                          [&] {
                            Json b = Get(Batches(), batch);
                            return b.is_object() &&
                                   b.value("status", Json::object()).value("ready", -1) == ready;
                          }))
        << batch << " never had " << ready << " ready: " << Get(Batches(), batch).dump();
  }
  void WaitGone(const kube::ResourceRef& resource, const std::string& name) {
    ASSERT_TRUE(PollUntil(seconds(30), [&] { return Get(resource, name).is_null(); }))
        << name << " is still there: " << Get(resource, name).dump();
  }

  // Every path of the controllers that talks to the API.
  void RunScenario() {
    ASSERT_NO_FATAL_FAILURE(Create(Pools(), Pool("pool-delete", "Delete")));
    ASSERT_NO_FATAL_FAILURE(Create(Pools(), Pool("pool-noop", "Noop")));
    // Non-pooled delivery, then scale down.
    ASSERT_NO_FATAL_FAILURE(Create(Batches(), Batch("plain", 2, "")));
    ASSERT_NO_FATAL_FAILURE(WaitReady("plain", 2));
    ASSERT_NO_FATAL_FAILURE(Patch(Batches(), "plain", {{"spec", {{"replicas", 1}}}}));
    ASSERT_NO_FATAL_FAILURE(WaitReady("plain", 1));
    // Pooled delivery from both pools (the Delete pool grows past its buffer, then shrinks),
    // scale down, then deletion returns or deletes the pods.
    ASSERT_NO_FATAL_FAILURE(Create(Batches(), Batch("from-delete", 4, "pool-delete")));
    ASSERT_NO_FATAL_FAILURE(Create(Batches(), Batch("from-noop", 2, "pool-noop")));
    ASSERT_NO_FATAL_FAILURE(WaitReady("from-delete", 4));
    ASSERT_NO_FATAL_FAILURE(WaitReady("from-noop", 2));
    ASSERT_NO_FATAL_FAILURE(Patch(Batches(), "from-noop", {{"spec", {{"replicas", 1}}}}));
    ASSERT_NO_FATAL_FAILURE(WaitReady("from-noop", 1));
    ASSERT_NO_FATAL_FAILURE(Delete(Batches(), "from-delete"));
    ASSERT_NO_FATAL_FAILURE(Delete(Batches(), "from-noop"));
    ASSERT_NO_FATAL_FAILURE(WaitGone(Batches(), "from-delete"));
    ASSERT_NO_FATAL_FAILURE(WaitGone(Batches(), "from-noop"));
    // Expiry: the controller deletes the batch itself.
    Json expiring = Batch("expiring", 1, "");
    expiring["spec"]["expireTime"] = "2020-01-01T00:00:00Z";
    ASSERT_NO_FATAL_FAILURE(Create(Batches(), expiring));
    ASSERT_NO_FATAL_FAILURE(WaitGone(Batches(), "expiring"));
    // A decision repeated on every reconcile: the recorder counts it on the same Event.
    ASSERT_NO_FATAL_FAILURE(Create(Batches(), Batch("auto", 1, "*")));
    ASSERT_TRUE(PollUntil(seconds(30), [&] {
      Patch(Batches(), "auto",
            {{"metadata", {{"annotations", {{"touch", std::to_string(++touches_)}}}}}});
      return log_.Contains("", "events", "patch");
    })) << "a repeated event was never aggregated";
    // Deleting everything, pools last.
    ASSERT_NO_FATAL_FAILURE(Delete(Batches(), "auto"));
    ASSERT_NO_FATAL_FAILURE(Delete(Batches(), "plain"));
    ASSERT_NO_FATAL_FAILURE(Delete(Pools(), "pool-delete"));
    ASSERT_NO_FATAL_FAILURE(Delete(Pools(), "pool-noop"));
    for (const char* name : {"auto", "plain"}) ASSERT_NO_FATAL_FAILURE(WaitGone(Batches(), name));
    for (const char* name : {"pool-delete", "pool-noop"}) {
      ASSERT_NO_FATAL_FAILURE(WaitGone(Pools(), name));
    }
  }

  e2e::TempDir dir_;
  std::unique_ptr<standalone::StandaloneServer> server_;
  std::unique_ptr<standalone::RestSimNode> node_;
  std::unique_ptr<kube::RestClient> client_;
  RequestLog log_;
  std::unique_ptr<kube::RestCluster> inner_cluster_;
  std::unique_ptr<kube::ClusterClient> cluster_;
  std::unique_ptr<controller::ApiClient> inner_api_;
  std::unique_ptr<controller::ApiClient> api_;
  std::unique_ptr<kube::Manager> manager_;
  std::unique_ptr<controller::Controllers> controllers_;
  std::thread run_;
  int touches_ = 0;
};

TEST_F(RbacTest, RolesGrantExactlyTheRequestsTheControllersMake) {
  auto cluster_role = LoadRole("config/rbac/role.yaml");
  ASSERT_TRUE(cluster_role.ok()) << cluster_role.status().ToString();
  auto lease_role = LoadRole("config/rbac/leader_election_role.yaml");
  ASSERT_TRUE(lease_role.ok()) << lease_role.status().ToString();
  ASSERT_EQ(cluster_role->kind, "ClusterRole");
  ASSERT_EQ(lease_role->kind, "Role");
  EXPECT_FALSE(cluster_role->wildcard);
  EXPECT_FALSE(lease_role->wildcard);

  ASSERT_NO_FATAL_FAILURE(StartControllers());
  ASSERT_NO_FATAL_FAILURE(RunScenario());
  manager_->Stop();
  run_.join();

  std::set<Grant> used_cluster_wide, used_in_lease_ns;
  for (const ApiRequest& r : log_.Requests()) {
    Grant g{r.group, r.resource, r.verb};
    const bool granted = cluster_role->grants.count(g) != 0 ||
                         (r.ns == kLeaseNs && lease_role->grants.count(g) != 0);
    EXPECT_TRUE(granted) << "not granted: " << ToString(g) << " in namespace \"" << r.ns << "\"";
    (r.ns == kLeaseNs ? used_in_lease_ns : used_cluster_wide).insert(g);
  }
  for (const Grant& g : cluster_role->grants) {
    EXPECT_TRUE(used_cluster_wide.count(g) != 0)
        << cluster_role->name << " grants what the controllers never use: " << ToString(g);
  }
  for (const Grant& g : lease_role->grants) {
    EXPECT_TRUE(used_in_lease_ns.count(g) != 0 && cluster_role->grants.count(g) == 0)
        << lease_role->name << " grants what the controllers never use in their namespace "
        << "(or what the ClusterRole grants already): " << ToString(g);
  }
}

}  // namespace
}  // namespace osbx::rbac
