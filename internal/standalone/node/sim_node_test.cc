#include "internal/standalone/node/sim_node.h"

#include <set>

#include <gtest/gtest.h>

#include "internal/standalone/node/fake_kubelet_api.h"

namespace osbx::standalone {
namespace {

using std::chrono::seconds;
using Verb = FakeKubeletApi::Verb;

constexpr char kNs[] = "default";
constexpr char kNodeName[] = "standalone-node";

const Json& Cond(const Json& obj, const std::string& type) {
  static const Json kNone = Json::object();
  const Json& status = obj.contains("status") ? obj["status"] : kNone;
  if (!status.contains("conditions")) return kNone;
  for (const Json& c : status["conditions"]) {
    if (c["type"] == type) return c;
  }
  return kNone;
}

// The value at a JSON pointer, or null: test predicates run on objects that may lack it.
Json At(const Json& obj, const std::string& pointer) {
  Json::json_pointer ptr(pointer);
  return obj.contains(ptr) ? obj[ptr] : Json("");
}

std::string Phase(const Json& pod) { return At(pod, "/status/phase").get<std::string>(); }

bool RunningReady(const Json& pod) {
  return Phase(pod) == "Running" && Cond(pod, "Ready").value("status", "") == "True";
}

Json FirstContainer(const Json& pod) { return At(pod, "/status/containerStatuses/0"); }

class SimNodeTest : public ::testing::Test {
 protected:
  SimNodeOptions Options() {
    SimNodeOptions options;
    options.clock = &clock_;
    options.startup_delay = Clock::Duration::zero();
    options.workers = 4;
    return options;
  }

  void StartNode(SimNodeOptions options) {
    auto node = SimNode::New(api_, std::move(options));
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
    ASSERT_TRUE(node_->Start().ok());
  }
  void StartNode() { StartNode(Options()); }

  void TearDown() override {
    if (node_) node_->Stop();
  }

  Json AddPod(const std::string& name, Json annotations = Json::object(),
              const std::string& image = "busybox:1.36") {
    Json pod = {{"metadata", {{"name", name}, {"namespace", kNs}}},
                {"spec", {{"containers", {{{"name", "main"}, {"image", image}}}}}}};
    if (!annotations.empty()) pod["metadata"]["annotations"] = std::move(annotations);
    return api_.AddPod(std::move(pod));
  }

  Json Pod(const std::string& name) { return api_.Pod(kNs, name).value_or(Json()); }

  // Waits until the pod exists and `predicate` holds for it.
  bool WaitPod(const std::string& name, const std::function<bool(const Json&)>& predicate) {
    return api_.WaitFor([&] {
      auto pod = api_.Pod(kNs, name);
      return pod && predicate(*pod);
    });
  }
  bool WaitGone(const std::string& name) {
    return api_.WaitFor([&] { return !api_.Pod(kNs, name); });
  }
  bool WaitNode(const std::function<bool(const Json&)>& predicate) {
    return api_.WaitFor([&] {
      auto node = api_.Node(kNodeName);
      return node && predicate(*node);
    });
  }
  void Idle() { ASSERT_TRUE(node_->WaitForIdle()); }
  // Moves simulated time, then lets the node act on it.
  void Advance(Clock::Duration d) {
    clock_.Advance(d);
    Idle();
  }

  FakeClock clock_;
  FakeKubeletApi api_{clock_};
  std::unique_ptr<SimNode> node_;
};

TEST_F(SimNodeTest, RejectsInvalidOptions) {
  SimNodeOptions options = Options();
  options.pod_cidr = "not-a-cidr";
  EXPECT_FALSE(SimNode::New(api_, options).ok());
  options = Options();
  options.workers = 0;
  EXPECT_FALSE(SimNode::New(api_, options).ok());
}

TEST_F(SimNodeTest, RegistersAReadyNode) {
  StartNode();
  ASSERT_TRUE(
      WaitNode([](const Json& n) { return Cond(n, "Ready").value("status", "") == "True"; }));
  Json node = *api_.Node(kNodeName);
  EXPECT_EQ(node["metadata"]["labels"]["kubernetes.io/hostname"], kNodeName);
  EXPECT_EQ(node["status"]["addresses"][0]["address"], "127.0.0.1");
  EXPECT_EQ(At(Cond(node, "Ready"), "/lastHeartbeatTime"), kube::FormatTime(clock_.WallNow()));
}

TEST_F(SimNodeTest, AdoptsAnExistingNodeAndAddsItsLabels) {
  ASSERT_TRUE(api_.CreateNode({{"metadata", {{"name", kNodeName}}}}).ok());
  StartNode();
  ASSERT_TRUE(WaitNode([](const Json& n) {
    return Cond(n, "Ready").value("status", "") == "True" &&
           n["metadata"].value("labels", Json::object()).contains("kubernetes.io/hostname");
  }));
}

TEST_F(SimNodeTest, HeartbeatIsRenewedEachPeriodAndNotBefore) {
  StartNode();
  ASSERT_TRUE(WaitNode([](const Json& n) { return !Cond(n, "Ready").empty(); }));
  Idle();
  std::string first = Cond(*api_.Node(kNodeName), "Ready")["lastHeartbeatTime"];
  uint64_t writes = api_.counts().patch_node_status;

  Advance(seconds(39));
  EXPECT_EQ(api_.counts().patch_node_status, writes);

  clock_.Advance(seconds(1));
  std::string expected = kube::FormatTime(clock_.WallNow());
  ASSERT_TRUE(WaitNode(
      [&](const Json& n) { return Cond(n, "Ready").value("lastHeartbeatTime", "") == expected; }));
  EXPECT_NE(expected, first);
  EXPECT_EQ(api_.counts().patch_node_status, writes + 1);
}

TEST_F(SimNodeTest, BindsAndRunsPodsWithUniqueIps) {
  StartNode();
  constexpr int kPods = 20;
  for (int i = 0; i < kPods; ++i) AddPod("pod-" + std::to_string(i));
  std::set<std::string> ips;
  for (int i = 0; i < kPods; ++i) {
    std::string name = "pod-" + std::to_string(i);
    ASSERT_TRUE(WaitPod(name, RunningReady)) << name;
    Json pod = Pod(name);
    EXPECT_EQ(pod["spec"]["nodeName"], kNodeName);
    EXPECT_EQ(pod["status"]["hostIP"], "127.0.0.1");
    EXPECT_EQ(pod["status"]["qosClass"], "BestEffort");  // not the node's: left alone
    EXPECT_EQ(At(FirstContainer(pod), "/containerID"),
              "sim://" + pod["metadata"]["uid"].get<std::string>() + "/main");
    EXPECT_EQ(At(FirstContainer(pod), "/ready"), true);
    ips.insert(pod["status"]["podIP"].get<std::string>());
  }
  EXPECT_EQ(ips.size(), static_cast<size_t>(kPods));
  Idle();
  // One binding and one status write per pod; the watch events of those writes write nothing.
  EXPECT_EQ(api_.counts().bind, static_cast<uint64_t>(kPods));
  EXPECT_EQ(api_.counts().patch_pod_status, static_cast<uint64_t>(kPods));
  SimNodeMetrics m = node_->Metrics();
  EXPECT_EQ(m.pods_bound, static_cast<uint64_t>(kPods));
  EXPECT_EQ(m.pods_started, static_cast<uint64_t>(kPods));
  EXPECT_EQ(m.status_writes, static_cast<uint64_t>(kPods));
  EXPECT_EQ(m.pods_tracked, static_cast<uint64_t>(kPods));
}

TEST_F(SimNodeTest, StartupDelayIsHonouredOnTheClock) {
  SimNodeOptions options = Options();
  options.startup_delay = seconds(5);
  StartNode(options);
  AddPod("slow");
  ASSERT_TRUE(WaitPod("slow", [](const Json& p) { return p["spec"].contains("nodeName"); }));
  Idle();
  EXPECT_EQ(Phase(Pod("slow")), "Pending");
  Advance(seconds(4));
  EXPECT_EQ(Phase(Pod("slow")), "Pending");
  EXPECT_EQ(api_.counts().patch_pod_status, 0u);
  clock_.Advance(seconds(1));
  ASSERT_TRUE(WaitPod("slow", RunningReady));
}

TEST_F(SimNodeTest, StartupDelayAnnotationOverridesTheNodeDefault) {
  SimNodeOptions options = Options();
  options.startup_delay = std::chrono::hours(1);
  StartNode(options);
  AddPod("fast", {{"sim.opensandbox.io/startup-delay", "0"}});
  ASSERT_TRUE(WaitPod("fast", RunningReady));
}

TEST_F(SimNodeTest, GracefulDeletionEndsContainersThenDeletesWithUidPrecondition) {
  SimNodeOptions options = Options();
  options.grace_period_cap = seconds(10);
  StartNode(options);
  AddPod("doomed");
  ASSERT_TRUE(WaitPod("doomed", RunningReady));
  ASSERT_TRUE(api_.RequestDeletion(kNs, "doomed", 30).ok());
  ASSERT_TRUE(
      WaitPod("doomed", [](const Json& p) { return p["metadata"].contains("deletionTimestamp"); }));
  Idle();
  Advance(seconds(9));
  EXPECT_TRUE(RunningReady(Pod("doomed")));  // the grace period (capped at 10 s) is not over
  EXPECT_EQ(api_.counts().delete_pod, 0u);
  clock_.Advance(seconds(1));
  ASSERT_TRUE(WaitGone("doomed"));
  Idle();
  EXPECT_EQ(api_.counts().delete_pod, 1u);
  EXPECT_EQ(api_.counts().patch_pod_status, 2u);  // Running, then terminated
  EXPECT_EQ(node_->Metrics().pods_deleted, 1u);
  EXPECT_TRUE(api_.WaitFor([&] { return node_->Metrics().pods_tracked == 0; }));
}

TEST_F(SimNodeTest, FinalizersKeepTheTerminatedPodAndTheDeleteIsSentOnce) {
  StartNode();
  Json pod = {{"metadata", {{"name", "held"}, {"namespace", kNs}, {"finalizers", {"x/hold"}}}},
              {"spec", {{"containers", {{{"name", "main"}, {"image", "busybox"}}}}}}};
  api_.AddPod(pod);
  ASSERT_TRUE(WaitPod("held", RunningReady));
  ASSERT_TRUE(api_.RequestDeletion(kNs, "held", 30).ok());
  ASSERT_TRUE(WaitPod("held", [](const Json& p) {
    return p["metadata"].value("deletionGracePeriodSeconds", -1) == 0 && Phase(p) == "Succeeded";
  }));
  Json held = Pod("held");
  EXPECT_EQ(At(FirstContainer(held), "/state/terminated/reason"), "Completed");
  Idle();
  EXPECT_EQ(api_.counts().delete_pod, 1u);
  ASSERT_TRUE(api_.ClearFinalizers(kNs, "held").ok());
  ASSERT_TRUE(WaitGone("held"));
}

TEST_F(SimNodeTest, NotReadyAnnotationFlipsReadinessAndRemovingItRestoresIt) {
  StartNode();
  AddPod("flip");
  ASSERT_TRUE(WaitPod("flip", RunningReady));
  ASSERT_TRUE(api_.AnnotatePod(kNs, "flip", "sim.opensandbox.io/ready", "false").ok());
  ASSERT_TRUE(WaitPod("flip", [](const Json& p) {
    return At(Cond(p, "Ready"), "/status") == "False" &&
           At(Cond(p, "ContainersReady"), "/status") == "False" &&
           At(FirstContainer(p), "/ready") == false && Phase(p) == "Running";
  }));
  ASSERT_TRUE(api_.AnnotatePod(kNs, "flip", "sim.opensandbox.io/ready", std::nullopt).ok());
  ASSERT_TRUE(WaitPod("flip", [](const Json& p) {
    return RunningReady(p) && At(FirstContainer(p), "/ready") == true;
  }));
}

TEST_F(SimNodeTest, OomKillAnnotationRestartsTheContainer) {
  StartNode();
  AddPod("oom");
  ASSERT_TRUE(WaitPod("oom", RunningReady));
  ASSERT_TRUE(api_.AnnotatePod(kNs, "oom", "sim.opensandbox.io/oom-kills", "1").ok());
  ASSERT_TRUE(WaitPod("oom", [](const Json& p) {
    return At(FirstContainer(p), "/restartCount") == 1 &&
           At(FirstContainer(p), "/lastState/terminated/reason") == "OOMKilled";
  }));
  ASSERT_TRUE(api_.AnnotatePod(kNs, "oom", "sim.opensandbox.io/oom-kills", "2").ok());
  ASSERT_TRUE(
      WaitPod("oom", [](const Json& p) { return At(FirstContainer(p), "/restartCount") == 2; }));
  Idle();
  EXPECT_TRUE(RunningReady(Pod("oom")));
  EXPECT_EQ(FirstContainer(Pod("oom"))["restartCount"], 2);  // no extra restarts
}

TEST_F(SimNodeTest, CrashLoopCountsRestartsPerBackOffAndRecovers) {
  StartNode();
  AddPod("crash");
  ASSERT_TRUE(WaitPod("crash", RunningReady));
  ASSERT_TRUE(api_.AnnotatePod(kNs, "crash", "sim.opensandbox.io/crash-loop", "true").ok());
  ASSERT_TRUE(WaitPod("crash", [](const Json& p) {
    return At(FirstContainer(p), "/state/waiting/reason") == "CrashLoopBackOff" &&
           At(FirstContainer(p), "/restartCount") == 1 && At(FirstContainer(p), "/ready") == false;
  }));
  Idle();
  Advance(seconds(9));
  EXPECT_EQ(FirstContainer(Pod("crash"))["restartCount"], 1);
  clock_.Advance(seconds(1));
  ASSERT_TRUE(
      WaitPod("crash", [](const Json& p) { return At(FirstContainer(p), "/restartCount") == 2; }));
  ASSERT_TRUE(api_.AnnotatePod(kNs, "crash", "sim.opensandbox.io/crash-loop", std::nullopt).ok());
  ASSERT_TRUE(WaitPod("crash", [](const Json& p) {
    return RunningReady(p) && At(FirstContainer(p), "/state").contains("running");
  }));
}

TEST_F(SimNodeTest, ImagePullAnnotationKeepsThePodPendingUntilRemoved) {
  StartNode();
  AddPod("pull", {{"sim.opensandbox.io/image-pull", "ImagePullBackOff"}});
  ASSERT_TRUE(WaitPod("pull", [](const Json& p) {
    return Phase(p) == "Pending" &&
           At(FirstContainer(p), "/state/waiting/reason") == "ImagePullBackOff";
  }));
  ASSERT_TRUE(api_.AnnotatePod(kNs, "pull", "sim.opensandbox.io/image-pull", std::nullopt).ok());
  ASSERT_TRUE(WaitPod("pull", RunningReady));
  Idle();  // the worker that wrote Running counts it after the write returns
  EXPECT_EQ(node_->Metrics().pods_started, 1u);
}

TEST_F(SimNodeTest, PullErrorImageFailsWithoutAnnotation) {
  StartNode();
  AddPod("bad-image", Json::object(), "registry.local/pull-error:v1");
  ASSERT_TRUE(WaitPod("bad-image", [](const Json& p) {
    return Phase(p) == "Pending" && FirstContainer(p).contains("state") &&
           At(FirstContainer(p), "/state/waiting/reason") == "ImagePullBackOff";
  }));
}

TEST_F(SimNodeTest, LostPodFails) {
  StartNode();
  AddPod("lost");
  ASSERT_TRUE(WaitPod("lost", RunningReady));
  ASSERT_TRUE(api_.AnnotatePod(kNs, "lost", "sim.opensandbox.io/lost", "Failed").ok());
  ASSERT_TRUE(WaitPod("lost", [](const Json& p) {
    return Phase(p) == "Failed" && At(p, "/status/reason") == "NodeLost";
  }));
}

TEST_F(SimNodeTest, LostPodCanBeDeletedByTheNode) {
  StartNode();
  AddPod("vanish");
  ASSERT_TRUE(WaitPod("vanish", RunningReady));
  ASSERT_TRUE(api_.AnnotatePod(kNs, "vanish", "sim.opensandbox.io/lost", "Deleted").ok());
  ASSERT_TRUE(WaitGone("vanish"));
}

TEST_F(SimNodeTest, NodeLossMarksPodsNotReadyAndRecoveryRestoresThem) {
  StartNode();
  AddPod("victim");
  ASSERT_TRUE(WaitPod("victim", RunningReady));
  ASSERT_TRUE(WaitNode([](const Json& n) { return !Cond(n, "Ready").empty(); }));
  ASSERT_TRUE(api_.AnnotateNode(kNodeName, "sim.opensandbox.io/node-lost", "true").ok());
  ASSERT_TRUE(WaitNode([](const Json& n) { return At(Cond(n, "Ready"), "/status") == "Unknown"; }));
  ASSERT_TRUE(WaitPod("victim", [](const Json& p) {
    return At(Cond(p, "Ready"), "/status") == "False" &&
           At(Cond(p, "Ready"), "/reason") == "NodeLost";
  }));
  // A lost node binds nothing and sends no heartbeat.
  AddPod("newcomer");
  Idle();
  Advance(seconds(120));
  EXPECT_FALSE(Pod("newcomer")["spec"].contains("nodeName"));
  EXPECT_EQ(Cond(*api_.Node(kNodeName), "Ready")["status"], "Unknown");

  ASSERT_TRUE(api_.AnnotateNode(kNodeName, "sim.opensandbox.io/node-lost", std::nullopt).ok());
  ASSERT_TRUE(WaitNode([](const Json& n) { return At(Cond(n, "Ready"), "/status") == "True"; }));
  ASSERT_TRUE(WaitPod("victim", RunningReady));
  ASSERT_TRUE(WaitPod("newcomer", RunningReady));
}

TEST_F(SimNodeTest, ProgrammaticNodeLossWorksLikeTheAnnotation) {
  StartNode();
  AddPod("p");
  ASSERT_TRUE(WaitPod("p", RunningReady));
  node_->SetNodeLost(true);
  ASSERT_TRUE(
      WaitPod("p", [](const Json& p) { return At(Cond(p, "Ready"), "/status") == "False"; }));
  node_->SetNodeLost(false);
  ASSERT_TRUE(WaitPod("p", RunningReady));
}

TEST_F(SimNodeTest, StatusConflictIsRetriedOnAFreshRead) {
  api_.FailNext(Verb::kPatchPodStatus, ConflictError("the object has been modified"));
  StartNode();
  AddPod("contended");
  ASSERT_TRUE(WaitPod("contended", RunningReady));
  EXPECT_GE(api_.counts().get_pod, 1u);
  EXPECT_EQ(node_->Metrics().conflicts, 1u);
}

TEST_F(SimNodeTest, ServerErrorsAreRetriedAfterABackOff) {
  api_.FailNext(Verb::kBind, UnavailableError("server is busy"));
  StartNode();
  AddPod("retry");
  ASSERT_TRUE(api_.WaitFor([&] { return api_.counts().bind >= 1; }));
  Idle();
  EXPECT_FALSE(Pod("retry")["spec"].contains("nodeName"));
  EXPECT_EQ(node_->Metrics().errors, 1u);
  clock_.Advance(seconds(1));  // past the first retry back-off
  ASSERT_TRUE(WaitPod("retry", RunningReady));
}

TEST_F(SimNodeTest, ARestartedNodeAdoptsItsPodsWithoutRewritingThem) {
  StartNode();
  for (int i = 0; i < 5; ++i) AddPod("old-" + std::to_string(i));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(WaitPod("old-" + std::to_string(i), RunningReady));
  Idle();
  node_->Stop();
  node_.reset();
  uint64_t writes = api_.counts().patch_pod_status;

  StartNode();
  Idle();
  EXPECT_EQ(api_.counts().patch_pod_status, writes);
  std::set<std::string> ips;
  for (int i = 0; i < 5; ++i)
    ips.insert(Pod("old-" + std::to_string(i))["status"]["podIP"].get<std::string>());
  for (int i = 0; i < 5; ++i) AddPod("new-" + std::to_string(i));
  for (int i = 0; i < 5; ++i) {
    std::string name = "new-" + std::to_string(i);
    ASSERT_TRUE(WaitPod(name, RunningReady));
    ips.insert(Pod(name)["status"]["podIP"].get<std::string>());
  }
  EXPECT_EQ(ips.size(), 10u);
}

TEST_F(SimNodeTest, PodsOfOtherNodesAreLeftAlone) {
  StartNode();
  Json pod = {
      {"metadata", {{"name", "elsewhere"}, {"namespace", kNs}}},
      {"spec", {{"nodeName", "other-node"}, {"containers", {{{"name", "main"}, {"image", "x"}}}}}}};
  api_.AddPod(pod);
  AddPod("mine");
  ASSERT_TRUE(WaitPod("mine", RunningReady));
  Idle();
  EXPECT_EQ(Phase(Pod("elsewhere")), "Pending");
  EXPECT_EQ(api_.counts().patch_pod_status, 1u);
}

TEST_F(SimNodeTest, TenThousandPodsAllComeUp) {
  SimNodeOptions options = Options();
  options.workers = 16;
  StartNode(options);
  constexpr int kPods = 10'000;
  for (int i = 0; i < kPods; ++i) AddPod("bulk-" + std::to_string(i));
  ASSERT_TRUE(api_.WaitFor([&] { return node_->Metrics().pods_started == kPods; },
                           std::chrono::minutes(5)));
  std::set<std::string> ips;
  for (const Json& pod : api_.Pods()) {
    EXPECT_TRUE(RunningReady(pod));
    ips.insert(pod["status"]["podIP"].get<std::string>());
  }
  EXPECT_EQ(ips.size(), static_cast<size_t>(kPods));
}

}  // namespace
}  // namespace osbx::standalone
