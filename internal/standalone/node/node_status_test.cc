#include "internal/standalone/node/node_status.h"

#include <gtest/gtest.h>

#include "pkg/kube/patch/merge_patch.h"

namespace osbx::standalone {
namespace {

using std::chrono::seconds;

const kube::Time kT0 = kube::Time(seconds(1'800'000'000));

const Json& Ready(const Json& status) {
  for (const Json& c : status["conditions"]) {
    if (c["type"] == "Ready") return c;
  }
  static const Json kNone;
  return kNone;
}

TEST(NodeStatusTest, ManifestCarriesHostnameLabel) {
  NodeConfig config;
  Json node = NodeManifest(config);
  EXPECT_EQ(node["metadata"]["name"], "standalone-node");
  EXPECT_EQ(node["metadata"]["labels"]["kubernetes.io/hostname"], "standalone-node");
}

TEST(NodeStatusTest, HealthyNodeIsReadyWithAddressesAndCapacity) {
  NodeConfig config;
  Json status = DesiredNodeStatus(config, Json::object(), false, kT0, kT0);
  EXPECT_EQ(Ready(status)["status"], "True");
  EXPECT_EQ(Ready(status)["lastHeartbeatTime"], kube::FormatTime(kT0));
  EXPECT_EQ(status["addresses"][0], Json::parse(R"({"type":"InternalIP","address":"127.0.0.1"})"));
  EXPECT_EQ(status["allocatable"]["pods"], "1M");
  EXPECT_EQ(status["capacity"], status["allocatable"]);
}

TEST(NodeStatusTest, HeartbeatMovesOnlyTheHeartbeatTime) {
  NodeConfig config;
  Json first = DesiredNodeStatus(config, Json::object(), false, kT0, kT0);
  Json next = DesiredNodeStatus(config, first, false, kT0 + seconds(40), kT0 + seconds(40));
  EXPECT_EQ(Ready(next)["lastHeartbeatTime"], kube::FormatTime(kT0 + seconds(40)));
  EXPECT_EQ(Ready(next)["lastTransitionTime"], kube::FormatTime(kT0));
  Json same = DesiredNodeStatus(config, next, false, kT0 + seconds(40), kT0 + seconds(60));
  EXPECT_EQ(kube::patch::CreateMergePatch(next, same), Json::object());
}

TEST(NodeStatusTest, LostNodeIsUnknownWithFrozenHeartbeat) {
  NodeConfig config;
  Json ready = DesiredNodeStatus(config, Json::object(), false, kT0, kT0);
  Json lost = DesiredNodeStatus(config, ready, true, kT0 + seconds(50), kT0 + seconds(50));
  EXPECT_EQ(Ready(lost)["status"], "Unknown");
  EXPECT_EQ(Ready(lost)["reason"], "NodeStatusUnknown");
  EXPECT_EQ(Ready(lost)["lastHeartbeatTime"], kube::FormatTime(kT0));
  EXPECT_EQ(Ready(lost)["lastTransitionTime"], kube::FormatTime(kT0 + seconds(50)));
}

}  // namespace
}  // namespace osbx::standalone
