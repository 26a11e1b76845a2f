#include "internal/standalone/node/pod_status.h"

#include <gtest/gtest.h>

#include "pkg/kube/patch/merge_patch.h"

namespace osbx::standalone {
namespace {

using std::chrono::seconds;

const kube::Time kT0 = kube::Time(seconds(1'800'000'000));

Json MakePod(std::vector<std::pair<std::string, std::string>> containers = {{"main", "busybox"}}) {
  Json list = Json::array();
  for (auto& [name, image] : containers) list.push_back({{"name", name}, {"image", image}});
  return {{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "u-1"}}},
          {"spec", {{"nodeName", "standalone-node"}, {"containers", list}}},
          {"status", {{"phase", "Pending"}, {"qosClass", "BestEffort"}}}};
}

PodStatusInputs Inputs(kube::Time now = kT0) {
  PodStatusInputs in;
  in.now = now;
  in.pod_ip = "10.244.0.7";
  return in;
}

// The pod after the node wrote `status` for it.
Json WithStatus(Json pod, Json status) {
  pod["status"] = std::move(status);
  return pod;
}

const Json& Condition(const Json& status, const std::string& type) {
  for (const Json& c : status["conditions"]) {
    if (c["type"] == type) return c;
  }
  static const Json kNone;
  return kNone;
}

TEST(PodStatusTest, StartedPodIsRunningAndReadyWithEveryContainer) {
  Json pod = MakePod({{"main", "busybox"}, {"side", "nginx"}});
  Json status = DesiredPodStatus(pod, {}, Inputs());
  EXPECT_EQ(status["phase"], "Running");
  EXPECT_EQ(status["podIP"], "10.244.0.7");
  EXPECT_EQ(status["podIPs"], Json::parse(R"([{"ip":"10.244.0.7"}])"));
  EXPECT_EQ(status["hostIP"], "127.0.0.1");
  EXPECT_EQ(status["startTime"], kube::FormatTime(kT0));
  EXPECT_EQ(status["qosClass"], "BestEffort");  // fields the node does not own stay
  for (const char* type : {"PodScheduled", "Initialized", "ContainersReady", "Ready"}) {
    EXPECT_EQ(Condition(status, type)["status"], "True") << type;
  }
  ASSERT_EQ(status["containerStatuses"].size(), 2u);
  const Json& main = status["containerStatuses"][0];
  EXPECT_EQ(main["name"], "main");
  EXPECT_EQ(main["image"], "busybox");
  EXPECT_TRUE(main["imageID"].get<std::string>().starts_with("busybox@sha256:"));
  EXPECT_EQ(main["containerID"], "sim://u-1/main");
  EXPECT_EQ(main["ready"], true);
  EXPECT_EQ(main["started"], true);
  EXPECT_EQ(main["restartCount"], 0);
  EXPECT_EQ(main["state"]["running"]["startedAt"], kube::FormatTime(kT0));
}

TEST(PodStatusTest, RecomputingAWrittenStatusLaterChangesNothing) {
  Json pod = MakePod();
  Json first = DesiredPodStatus(pod, {}, Inputs());
  Json again = DesiredPodStatus(WithStatus(pod, first), {}, Inputs(kT0 + seconds(90)));
  EXPECT_EQ(kube::patch::CreateMergePatch(first, again), Json::object());
}

TEST(PodStatusTest, NotReadyFlipsReadinessAndBack) {
  Json pod = MakePod();
  Json ready = DesiredPodStatus(pod, {}, Inputs());
  PodFaults not_ready;
  not_ready.not_ready = true;
  Json flipped = DesiredPodStatus(WithStatus(pod, ready), not_ready, Inputs(kT0 + seconds(5)));
  EXPECT_EQ(flipped["phase"], "Running");
  EXPECT_EQ(Condition(flipped, "Ready")["status"], "False");
  EXPECT_EQ(Condition(flipped, "ContainersReady")["status"], "False");
  EXPECT_EQ(Condition(flipped, "Ready")["lastTransitionTime"], kube::FormatTime(kT0 + seconds(5)));
  EXPECT_EQ(flipped["containerStatuses"][0]["ready"], false);
  EXPECT_EQ(flipped["containerStatuses"][0]["state"], ready["containerStatuses"][0]["state"]);

  Json back = DesiredPodStatus(WithStatus(pod, flipped), {}, Inputs(kT0 + seconds(9)));
  EXPECT_EQ(Condition(back, "Ready")["status"], "True");
  EXPECT_EQ(back["containerStatuses"][0]["ready"], true);
  EXPECT_EQ(Condition(back, "Ready")["lastTransitionTime"], kube::FormatTime(kT0 + seconds(9)));
}

TEST(PodStatusTest, OomKillRestartsTheFirstContainer) {
  Json pod = MakePod({{"main", "busybox"}, {"side", "nginx"}});
  Json running = DesiredPodStatus(pod, {}, Inputs());
  PodStatusInputs in = Inputs(kT0 + seconds(30));
  in.new_oom_kills = 1;
  Json killed = DesiredPodStatus(WithStatus(pod, running), {}, in);
  const Json& main = killed["containerStatuses"][0];
  EXPECT_EQ(main["restartCount"], 1);
  EXPECT_EQ(main["lastState"]["terminated"]["reason"], "OOMKilled");
  EXPECT_EQ(main["lastState"]["terminated"]["exitCode"], 137);
  EXPECT_EQ(main["lastState"]["terminated"]["startedAt"], kube::FormatTime(kT0));
  EXPECT_EQ(main["state"]["running"]["startedAt"], kube::FormatTime(kT0 + seconds(30)));
  EXPECT_EQ(main["ready"], true);
  EXPECT_EQ(killed["containerStatuses"][1]["restartCount"], 0);
}

TEST(PodStatusTest, CrashLoopWaitsAndCountsRestartsPerBackOff) {
  Json pod = MakePod();
  Json running = DesiredPodStatus(pod, {}, Inputs());
  PodFaults crash;
  crash.crash_loop = true;
  Json crashed = DesiredPodStatus(WithStatus(pod, running), crash, Inputs(kT0 + seconds(1)));
  const Json& c = crashed["containerStatuses"][0];
  EXPECT_EQ(c["state"]["waiting"]["reason"], "CrashLoopBackOff");
  EXPECT_EQ(c["lastState"]["terminated"]["reason"], "Error");
  EXPECT_EQ(c["restartCount"], 1);
  EXPECT_EQ(c["ready"], false);
  EXPECT_EQ(crashed["phase"], "Running");
  EXPECT_EQ(Condition(crashed, "Ready")["status"], "False");

  Json crashed_pod = WithStatus(pod, crashed);
  EXPECT_EQ(NextCrashAt(crashed_pod), kT0 + seconds(11));
  // Before the back-off ends nothing moves; once it ends the count grows.
  Json early = DesiredPodStatus(crashed_pod, crash, Inputs(kT0 + seconds(5)));
  EXPECT_EQ(kube::patch::CreateMergePatch(crashed, early), Json::object());
  PodStatusInputs due = Inputs(kT0 + seconds(11));
  due.crash_restart_due = true;
  Json again = DesiredPodStatus(crashed_pod, crash, due);
  EXPECT_EQ(again["containerStatuses"][0]["restartCount"], 2);
  EXPECT_EQ(NextCrashAt(WithStatus(pod, again)), kT0 + seconds(31));

  Json recovered = DesiredPodStatus(WithStatus(pod, again), {}, Inputs(kT0 + seconds(40)));
  EXPECT_EQ(recovered["containerStatuses"][0]["state"]["running"]["startedAt"],
            kube::FormatTime(kT0 + seconds(40)));
  EXPECT_EQ(recovered["containerStatuses"][0]["restartCount"], 2);
  EXPECT_EQ(Condition(recovered, "Ready")["status"], "True");
}

TEST(PodStatusTest, CrashLoopBackOffDoublesUpToFiveMinutes) {
  EXPECT_EQ(CrashLoopBackOff(1), seconds(10));
  EXPECT_EQ(CrashLoopBackOff(2), seconds(20));
  EXPECT_EQ(CrashLoopBackOff(5), seconds(160));
  EXPECT_EQ(CrashLoopBackOff(6), seconds(300));
  EXPECT_EQ(CrashLoopBackOff(60), seconds(300));
}

TEST(PodStatusTest, ImagePullFailureKeepsThePodPending) {
  Json pod = MakePod();
  PodFaults pull;
  pull.image_pull_reason = "ErrImagePull";
  Json status = DesiredPodStatus(pod, pull, Inputs());
  EXPECT_EQ(status["phase"], "Pending");
  EXPECT_EQ(status["containerStatuses"][0]["state"]["waiting"]["reason"], "ErrImagePull");
  EXPECT_EQ(status["containerStatuses"][0]["ready"], false);
  EXPECT_EQ(Condition(status, "Ready")["status"], "False");
  EXPECT_EQ(Condition(status, "Ready")["reason"], "ContainersNotReady");

  Json fixed = DesiredPodStatus(WithStatus(pod, status), {}, Inputs(kT0 + seconds(3)));
  EXPECT_EQ(fixed["phase"], "Running");
  EXPECT_EQ(fixed["containerStatuses"][0]["state"]["running"]["startedAt"],
            kube::FormatTime(kT0 + seconds(3)));
}

TEST(PodStatusTest, PullErrorImagesBackOffWithoutAnnotation) {
  Json pod = MakePod({{"main", "busybox"}, {"bad", "example.com/pull-error:v1"}});
  Json status = DesiredPodStatus(pod, {}, Inputs());
  EXPECT_EQ(status["phase"], "Pending");
  EXPECT_TRUE(status["containerStatuses"][0]["state"].contains("running"));
  EXPECT_EQ(status["containerStatuses"][1]["state"]["waiting"]["reason"], "ImagePullBackOff");
}

TEST(PodStatusTest, LostPodFails) {
  Json pod = MakePod();
  Json running = DesiredPodStatus(pod, {}, Inputs());
  PodFaults lost;
  lost.loss = PodLoss::kFailed;
  Json failed = DesiredPodStatus(WithStatus(pod, running), lost, Inputs(kT0 + seconds(2)));
  EXPECT_EQ(failed["phase"], "Failed");
  EXPECT_EQ(failed["reason"], "NodeLost");
  EXPECT_EQ(failed["containerStatuses"][0]["state"]["terminated"]["exitCode"], 137);
  EXPECT_EQ(Condition(failed, "Ready")["status"], "False");
}

TEST(PodStatusTest, TerminatingContainersEndAndThePodSucceeds) {
  Json pod = MakePod();
  Json running = DesiredPodStatus(pod, {}, Inputs());
  PodStatusInputs in = Inputs(kT0 + seconds(4));
  in.terminating = true;
  Json ended = DesiredPodStatus(WithStatus(pod, running), {}, in);
  EXPECT_EQ(ended["phase"], "Succeeded");
  const Json& t = ended["containerStatuses"][0]["state"]["terminated"];
  EXPECT_EQ(t["exitCode"], 0);
  EXPECT_EQ(t["reason"], "Completed");
  EXPECT_EQ(t["startedAt"], kube::FormatTime(kT0));
  EXPECT_EQ(t["finishedAt"], kube::FormatTime(kT0 + seconds(4)));
}

TEST(PodStatusTest, NodeLossMarksPodsNotReadyButLeavesContainers) {
  Json pod = MakePod();
  Json running = DesiredPodStatus(pod, {}, Inputs());
  PodStatusInputs in = Inputs(kT0 + seconds(4));
  in.node_lost = true;
  Json lost = DesiredPodStatus(WithStatus(pod, running), {}, in);
  EXPECT_EQ(Condition(lost, "Ready")["status"], "False");
  EXPECT_EQ(Condition(lost, "Ready")["reason"], "NodeLost");
  EXPECT_EQ(Condition(lost, "ContainersReady")["status"], "True");
  EXPECT_EQ(lost["containerStatuses"], running["containerStatuses"]);
}

TEST(PodStatusTest, ForeignConditionsAreKept) {
  Json pod = MakePod();
  pod["status"]["conditions"] = Json::parse(
      R"([{"type":"example.com/gate","status":"True","lastTransitionTime":"2027-01-01T00:00:00Z"}])");
  Json status = DesiredPodStatus(pod, {}, Inputs());
  EXPECT_EQ(Condition(status, "example.com/gate")["status"], "True");
}

TEST(PodStatusTest, InitContainersAreReportedCompleted) {
  Json pod = MakePod();
  pod["spec"]["initContainers"] = Json::parse(R"([{"name":"init","image":"busybox"}])");
  Json status = DesiredPodStatus(pod, {}, Inputs());
  ASSERT_EQ(status["initContainerStatuses"].size(), 1u);
  EXPECT_EQ(status["initContainerStatuses"][0]["state"]["terminated"]["reason"], "Completed");
}

}  // namespace
}  // namespace osbx::standalone
