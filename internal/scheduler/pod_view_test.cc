#include "internal/scheduler/pod_view.h"

#include <gtest/gtest.h>

namespace osbx::scheduler {
namespace {

Json RunningPod() {
  return Json::parse(R"({
    "metadata": {"name": "p-1", "uid": "u1", "creationTimestamp": "2026-01-01T00:00:00Z",
                 "labels": {"sandbox.opensandbox.io/pool-revision": "abc",
                            "batch-sandbox.sandbox.opensandbox.io/pod-index": "3"}},
    "spec": {"nodeName": "n1"},
    "status": {"phase": "Running", "podIP": "10.1.2.3",
               "conditions": [{"type": "Ready", "status": "True",
                               "lastTransitionTime": "2026-01-01T00:00:05Z"}],
               "containerStatuses": [{"name": "main", "restartCount": 2,
                 "state": {"running": {}},
                 "lastState": {"terminated": {"reason": "OOMKilled"}}}]}})");
}

TEST(FromPodTest, ReadsReadinessIpRevisionIndexAndRestarts) {
  PodView v = FromPod(RunningPod());
  EXPECT_EQ(v.name, "p-1");
  EXPECT_TRUE(v.ready);
  EXPECT_TRUE(v.ready_since.has_value());
  EXPECT_EQ(v.pod_ip, "10.1.2.3");
  EXPECT_EQ(v.node_name, "n1");
  EXPECT_EQ(v.revision, "abc");
  EXPECT_EQ(v.index, 3);
  EXPECT_EQ(v.restarts, 2);
  EXPECT_EQ(v.last_termination_reason, "OOMKilled");
  EXPECT_FALSE(v.Failing());
}

TEST(FromPodTest, TerminatingPodIsNeverReady) {
  Json pod = RunningPod();
  pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:01:00Z";
  PodView v = FromPod(pod);
  EXPECT_TRUE(v.terminating);
  EXPECT_FALSE(v.ready);
}

TEST(FromPodTest, RunningButNotReadyIsNotReady) {
  Json pod = RunningPod();
  pod["status"]["conditions"][0]["status"] = "False";
  EXPECT_FALSE(FromPod(pod).ready);
}

TEST(FromPodTest, FailingWaitingReasonsAndDeadPhases) {
  for (const char* reason :
       {"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError"}) {
    Json pod = RunningPod();
    pod["status"]["containerStatuses"][0]["state"] = {{"waiting", {{"reason", reason}}}};
    PodView v = FromPod(pod);
    EXPECT_EQ(v.failing_reason, reason);
    EXPECT_TRUE(v.Failing()) << reason;
  }
  Json failed = RunningPod();
  failed["status"]["phase"] = "Failed";
  EXPECT_TRUE(FromPod(failed).Dead());
  Json lost = RunningPod();
  lost["status"]["reason"] = "NodeLost";
  EXPECT_TRUE(FromPod(lost).Dead());
}

TEST(FromPodTest, MalformedPodReadsAsEmptyWithoutThrowing) {
  for (const char* text : {R"(null)", R"([])", R"({"metadata": 3, "status": "x"})",
                           R"({"status": {"conditions": [1, {"type": 2}],
                                          "containerStatuses": "no"}})"}) {
    PodView v = FromPod(Json::parse(text));
    EXPECT_FALSE(v.ready) << text;
    EXPECT_TRUE(v.name.empty()) << text;
  }
}

}  // namespace
}  // namespace osbx::scheduler
