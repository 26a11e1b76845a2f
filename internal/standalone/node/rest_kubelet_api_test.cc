#include "internal/standalone/node/rest_kubelet_api.h"

#include "internal/standalone/node/rest_sim_node.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "pkg/http/server.h"

namespace osbx::standalone {
namespace {

// One request as the server saw it.
struct Seen {
  std::string method;
  std::string path;
  bool watch = false;
  std::string content_type;
  Json body;
};

// A plain-HTTP API server on port 0 whose answers the test scripts per request.
class ScriptedServer {
 public:
  // A status code and body; code 0 opens a watch stream that stays open until the server stops.
  using Answer = std::function<std::pair<int, Json>(const Seen&)>;

  explicit ScriptedServer(Answer answer)
      : answer_(std::move(answer)),
        server_({}, [this](const http::Request& r, http::ResponseWriter& w) { Serve(r, w); }) {}

  Status Start() { return server_.Start(); }
  std::string url() const { return server_.url(); }
  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  void Serve(const http::Request& request, http::ResponseWriter& writer) {
    Seen seen{request.method, request.path, request.query.GetOr("watch", "") == "true",
              std::string(request.headers.Get("Content-Type")),
              request.body.empty() ? Json() : Json::parse(request.body, nullptr, false)};
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back(seen);
    }
    auto [code, body] = answer_(seen);
    if (code == 0) {
      http::Headers headers;
      headers.Set("Content-Type", "application/json");
      writer.StartStream(200, std::move(headers));
      std::lock_guard<std::mutex> lock(mu_);
      streams_.push_back(writer.Retain());
      return;
    }
    http::SendText(writer, code, "application/json", body.dump());
  }

  Answer answer_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::vector<std::shared_ptr<http::ResponseWriter>> streams_;  // open watches
  http::Server server_;
};

Json StatusBody(int code, const std::string& reason) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
          {"reason", reason}, {"code", code},       {"message", reason}};
}

Json PodBody() {
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "u1"}, {"resourceVersion", "7"}}}};
}

class RestKubeletApiTest : public ::testing::Test {
 protected:
  void Connect(ScriptedServer::Answer answer) {
    server_ = std::make_unique<ScriptedServer>(std::move(answer));
    ASSERT_TRUE(server_->Start().ok());
    kube::RestConfig config;
    config.server = server_->url();
    config.qps = 0;
    auto client = kube::RestClient::New(config);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(*client);
    api_ = std::make_unique<RestKubeletApi>(*client_);
  }

  std::unique_ptr<ScriptedServer> server_;
  std::unique_ptr<kube::RestClient> client_;
  std::unique_ptr<RestKubeletApi> api_;
};

TEST_F(RestKubeletApiTest, BindsThroughTheBindingSubresource) {
  Connect([](const Seen&) {
    return std::make_pair(201, Json{{"kind", "Status"}, {"status", "Success"}});
  });
  ASSERT_TRUE(api_->BindPod("ns", "p", "u1", "standalone-node").ok());
  auto seen = server_->seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].path, "/api/v1/namespaces/ns/pods/p/binding");
  EXPECT_EQ(seen[0].body["kind"], "Binding");
  EXPECT_EQ(seen[0].body["metadata"]["uid"], "u1");
  EXPECT_EQ(seen[0].body["target"]["name"], "standalone-node");
  EXPECT_FALSE(api_->binding_by_patch());
}

TEST_F(RestKubeletApiTest, FallsBackToANodeNamePatchWhenBindingIsNotServed) {
  Connect([](const Seen& s) {
    if (s.method == "POST") return std::make_pair(404, StatusBody(404, "NotFound"));
    return std::make_pair(200, PodBody());
  });
  ASSERT_TRUE(api_->BindPod("ns", "p", "u1", "standalone-node").ok());
  ASSERT_TRUE(api_->BindPod("ns", "q", "u2", "standalone-node").ok());
  auto seen = server_->seen();
  ASSERT_EQ(seen.size(), 4u);  // POST, GET, PATCH; then PATCH only
  EXPECT_EQ(seen[1].method, "GET");
  EXPECT_EQ(seen[2].method, "PATCH");
  EXPECT_EQ(seen[2].path, "/api/v1/namespaces/ns/pods/p");
  EXPECT_EQ(seen[2].content_type, "application/merge-patch+json");
  EXPECT_EQ(seen[2].body,
            Json::parse(R"({"metadata":{"uid":"u1"},"spec":{"nodeName":"standalone-node"}})"));
  EXPECT_EQ(seen[3].method, "PATCH");
  EXPECT_EQ(seen[3].path, "/api/v1/namespaces/ns/pods/q");
  EXPECT_TRUE(api_->binding_by_patch());
}

TEST_F(RestKubeletApiTest, BindingAMissingPodIsNotFound) {
  Connect([](const Seen&) { return std::make_pair(404, StatusBody(404, "NotFound")); });
  EXPECT_TRUE(api_->BindPod("ns", "p", "u1", "standalone-node").IsNotFound());
  EXPECT_FALSE(api_->binding_by_patch());
  EXPECT_EQ(server_->seen().size(), 2u);  // POST, then the GET that tells why
}

TEST_F(RestKubeletApiTest, StatusPatchesGoToTheStatusSubresource) {
  Connect([](const Seen&) { return std::make_pair(200, PodBody()); });
  Json patch = {{"metadata", {{"uid", "u1"}}}, {"status", {{"phase", "Running"}}}};
  auto pod = api_->PatchPodStatus("ns", "p", patch);
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ((*pod)["metadata"]["resourceVersion"], "7");
  auto seen = server_->seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PATCH");
  EXPECT_EQ(seen[0].path, "/api/v1/namespaces/ns/pods/p/status");
  EXPECT_EQ(seen[0].content_type, "application/merge-patch+json");
  EXPECT_EQ(seen[0].body, patch);
}

TEST_F(RestKubeletApiTest, FinalDeleteHasNoGracePeriodAndAUidPrecondition) {
  Connect([](const Seen&) { return std::make_pair(200, PodBody()); });
  ASSERT_TRUE(api_->DeletePod("ns", "p", "u1").ok());
  auto seen = server_->seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "DELETE");
  EXPECT_EQ(seen[0].path, "/api/v1/namespaces/ns/pods/p");
  EXPECT_EQ(seen[0].body["gracePeriodSeconds"], 0);
  EXPECT_EQ(seen[0].body["preconditions"]["uid"], "u1");
}

TEST_F(RestKubeletApiTest, NodeWritesUseTheNodesResource) {
  Connect([](const Seen&) { return std::make_pair(200, Json{{"kind", "Node"}}); });
  ASSERT_TRUE(api_->PatchNodeStatus("standalone-node", {{"status", Json::object()}}).ok());
  ASSERT_TRUE(api_->PatchNode("standalone-node", {{"metadata", Json::object()}}).ok());
  auto seen = server_->seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].path, "/api/v1/nodes/standalone-node/status");
  EXPECT_EQ(seen[1].path, "/api/v1/nodes/standalone-node");
}

TEST(RestSimNodeTest, RegistersTheNodeOverHttp) {
  ScriptedServer server([](const Seen& s) {
    if (s.watch) return std::make_pair(0, Json());
    if (s.method == "GET") {
      return std::make_pair(200, Json{{"kind", "List"},
                                      {"metadata", {{"resourceVersion", "1"}}},
                                      {"items", Json::array()}});
    }
    return std::make_pair(
        s.method == "POST" ? 201 : 200,
        Json{{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "standalone-node"}}}});
  });
  ASSERT_TRUE(server.Start().ok());
  kube::RestConfig config;
  config.server = server.url();
  auto node = RestSimNode::New(config, SimNodeOptions{});
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  ASSERT_TRUE((*node)->Start().ok());
  auto wrote_status = [&] {
    for (const Seen& s : server.seen()) {
      if (s.method == "PATCH" && s.path == "/api/v1/nodes/standalone-node/status") return true;
    }
    return false;
  };
  // Start queued the node's first sync; once the queue is idle it has registered and reported.
  ASSERT_TRUE((*node)->node().WaitForIdle());
  ASSERT_TRUE(wrote_status());
  std::vector<Seen> seen = server.seen();
  auto created = std::find_if(seen.begin(), seen.end(), [](const Seen& s) {
    return s.method == "POST" && s.path == "/api/v1/nodes";
  });
  ASSERT_NE(created, seen.end());
  EXPECT_EQ(created->body["metadata"]["labels"]["kubernetes.io/hostname"], "standalone-node");
  EXPECT_NE(FormatMetrics((*node)->Metrics()).find("node_writes=2"), std::string::npos);
  (*node)->Stop();
}

}  // namespace
}  // namespace osbx::standalone
