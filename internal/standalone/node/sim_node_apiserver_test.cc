// The simulated node against the real standalone API server, over HTTPS with the REST client:
// what standalone mode runs.

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include <gtest/gtest.h>

#include "internal/standalone/apiserver/standalone_server.h"
#include "internal/standalone/node/rest_sim_node.h"
#include "pkg/kube/client/rest_client.h"
#include "pkg/kube/client/testing/temp_dir.h"

namespace osbx::standalone {
namespace {

using std::chrono::seconds;

constexpr char kNs[] = "default";

// The latest state of every pod in the namespace, from a watch.
class PodTracker {
 public:
  kube::WatchCallbacks Callbacks() {
    return {[this](kube::WatchEvent&& event) { OnEvent(std::move(event)); }, [](const Status&) {}};
  }
  // Waits (real time) until `predicate` holds for the tracked pods.
  bool WaitFor(const std::function<bool(const std::map<std::string, Json>&)>& predicate) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60), [&] { return predicate(pods_); });
  }

 private:
  void OnEvent(kube::WatchEvent&& event) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string name = event.object["metadata"].value("name", "");
    if (event.type == kube::WatchEventType::kDeleted) {
      pods_.erase(name);
    } else if (event.type != kube::WatchEventType::kBookmark) {
      pods_[name] = std::move(event.object);
    }
    cv_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Json> pods_;
};

bool RunningReady(const Json& pod) {
  const Json& status = pod.value("status", Json::object());
  if (status.value("phase", "") != "Running") return false;
  for (const Json& c : status.value("conditions", Json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

class SimNodeApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StandaloneOptions server_options;
    server_options.data_dir = dir_.path().string();
    server_options.port = 0;
    auto server = StandaloneServer::Open(server_options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_TRUE(server_->Start().ok());
    config_.server = server_->url();
    config_.ca_pem = server_->ca_pem();
    config_.bearer_token = server_->token();
    config_.qps = 0;
    auto client = kube::RestClient::New(config_);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(*client);
    auto watch = client_->Watch(PodsResource(), kNs, {}, tracker_.Callbacks());
    ASSERT_TRUE(watch.ok()) << watch.status().ToString();
    watch_ = std::move(*watch);
    SimNodeOptions options;
    options.startup_delay = Clock::Duration::zero();
    auto node = RestSimNode::New(config_, options);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
    ASSERT_TRUE(node_->Start().ok());
  }

  void TearDown() override {
    if (node_) node_->Stop();
    if (watch_) watch_->Stop();
    if (server_) server_->Stop();
  }

  void CreatePod(const std::string& name) {
    Json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", kNs}}},
                {"spec", {{"containers", {{{"name", "main"}, {"image", "busybox:1.36"}}}}}}};
    ASSERT_TRUE(client_->Create(PodsResource(), kNs, pod).ok());
  }

  kube::testing::TempDir dir_;
  std::unique_ptr<StandaloneServer> server_;
  kube::RestConfig config_;
  std::unique_ptr<kube::RestClient> client_;
  PodTracker tracker_;
  std::unique_ptr<kube::WatchHandle> watch_;
  std::unique_ptr<RestSimNode> node_;
};

TEST_F(SimNodeApiServerTest, PodsBecomeRunningAndReadyWithUniqueIps) {
  constexpr int kPods = 20;
  for (int i = 0; i < kPods; ++i) CreatePod("pod-" + std::to_string(i));
  ASSERT_TRUE(tracker_.WaitFor([&](const std::map<std::string, Json>& pods) {
    if (pods.size() != kPods) return false;
    for (const auto& [name, pod] : pods) {
      if (!RunningReady(pod)) return false;
    }
    return true;
  }));
  std::set<std::string> ips;
  for (int i = 0; i < kPods; ++i) {
    auto pod = client_->Get(PodsResource(), kNs, "pod-" + std::to_string(i));
    ASSERT_TRUE(pod.ok());
    EXPECT_EQ((*pod)["spec"]["nodeName"], "standalone-node");
    ips.insert((*pod)["status"]["podIP"].get<std::string>());
  }
  EXPECT_EQ(ips.size(), static_cast<size_t>(kPods));
  auto node = client_->Get(NodesResource(), "", "standalone-node");
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  ASSERT_TRUE(node_->node().WaitForIdle());
  SimNodeMetrics m = node_->Metrics();
  EXPECT_EQ(m.bind_writes, static_cast<uint64_t>(kPods));
  EXPECT_EQ(m.status_writes, static_cast<uint64_t>(kPods));  // nothing written twice
  EXPECT_EQ(m.errors, 0u);
  EXPECT_FALSE(node_->api().binding_by_patch());  // bound through pods/binding, as a scheduler
}

TEST_F(SimNodeApiServerTest, DeletedPodsGoAfterTheNodesFinalDelete) {
  CreatePod("doomed");
  ASSERT_TRUE(tracker_.WaitFor([](const std::map<std::string, Json>& pods) {
    auto it = pods.find("doomed");
    return it != pods.end() && RunningReady(it->second);
  }));
  ASSERT_TRUE(client_->Delete(PodsResource(), kNs, "doomed").ok());
  ASSERT_TRUE(tracker_.WaitFor(
      [](const std::map<std::string, Json>& pods) { return pods.count("doomed") == 0; }));
  ASSERT_TRUE(node_->node().WaitForIdle());  // the delete's answer may trail its watch event
  EXPECT_EQ(node_->Metrics().pods_deleted, 1u);
}

TEST_F(SimNodeApiServerTest, NotReadyAnnotationRoundTripsThroughTheServer) {
  CreatePod("flip");
  auto ready_is = [](const char* want) {
    return [want](const std::map<std::string, Json>& pods) {
      auto it = pods.find("flip");
      if (it == pods.end()) return false;
      for (const Json& c : it->second["status"].value("conditions", Json::array())) {
        if (c.value("type", "") == "Ready") return c.value("status", "") == want;
      }
      return false;
    };
  };
  ASSERT_TRUE(tracker_.WaitFor(ready_is("True")));
  auto patch = [&](const Json& annotations) {
    return client_->Patch(PodsResource(), kNs, "flip", kube::PatchType::kMerge,
                          Json{{"metadata", {{"annotations", annotations}}}}.dump());
  };
  ASSERT_TRUE(patch({{"sim.opensandbox.io/ready", "false"}}).ok());
  ASSERT_TRUE(tracker_.WaitFor(ready_is("False")));
  ASSERT_TRUE(patch({{"sim.opensandbox.io/ready", nullptr}}).ok());
  ASSERT_TRUE(tracker_.WaitFor(ready_is("True")));
}

TEST_F(SimNodeApiServerTest, NodeLossAnnotationOnTheNodeObjectMarksPodsNotReady) {
  CreatePod("victim");
  auto victim_ready_is = [](const char* want) {
    return [want](const std::map<std::string, Json>& pods) {
      auto it = pods.find("victim");
      if (it == pods.end()) return false;
      for (const Json& c : it->second["status"].value("conditions", Json::array())) {
        if (c.value("type", "") == "Ready") return c.value("status", "") == want;
      }
      return false;
    };
  };
  ASSERT_TRUE(tracker_.WaitFor(victim_ready_is("True")));
  auto annotate = [&](const Json& value) {
    Json patch = {{"metadata", {{"annotations", {{"sim.opensandbox.io/node-lost", value}}}}}};
    return client_->Patch(NodesResource(), "", "standalone-node", kube::PatchType::kMerge,
                          patch.dump());
  };
  ASSERT_TRUE(annotate("true").ok());
  ASSERT_TRUE(tracker_.WaitFor(victim_ready_is("False")));
  ASSERT_TRUE(node_->node().WaitForIdle());
  auto node = client_->Get(NodesResource(), "", "standalone-node");
  ASSERT_TRUE(node.ok());
  std::string ready;
  for (const Json& c : (*node)["status"]["conditions"]) {
    if (c["type"] == "Ready") ready = c["status"].get<std::string>();
  }
  EXPECT_EQ(ready, "Unknown");
  ASSERT_TRUE(annotate(nullptr).ok());
  ASSERT_TRUE(tracker_.WaitFor(victim_ready_is("True")));
}

}  // namespace
}  // namespace osbx::standalone
