#include "internal/scheduler/batch_status.h"

#include <gtest/gtest.h>

#include "api/v1alpha1/conditions.h"
#include "internal/scheduler/test_pods.h"

namespace osbx::scheduler {
namespace {

namespace v1 = ::osbx::api::v1alpha1;
using testing::ReadyPod;
using testing::StartingPod;

StatusInput Input(std::vector<std::optional<PodView>> pods,
                  std::string now = "2026-01-01T00:00:00Z") {
  StatusInput in;
  in.generation = 4;
  in.replicas = static_cast<int32_t>(pods.size());
  in.by_index = std::move(pods);
  in.now = std::move(now);
  return in;
}

const v1::Condition& Cond(const v1::BatchSandboxStatus& s, const char* type) {
  const v1::Condition* c = v1::FindCondition(s.conditions, type);
  static const v1::Condition kMissing{"missing", "missing", {}, {}, {}, {}};
  return c != nullptr ? *c : kMissing;
}

PodView Crashing(std::string name) {
  PodView p = ReadyPod(std::move(name));
  p.ready = false;
  p.failing_reason = "CrashLoopBackOff";
  return p;
}

TEST(BatchStatusTest, Gap10_SucceedOnlyWhenEverySandboxIsReady) {
  v1::BatchSandboxStatus s = DeriveBatchStatus(Input({ReadyPod("a"), StartingPod("b")}));
  EXPECT_EQ(s.phase, "Pending");
  EXPECT_EQ(s.ready, 1);
  EXPECT_EQ(s.replicas, 2);
  EXPECT_EQ(Cond(s, kConditionReady).status, "False");
  s = DeriveBatchStatus(Input({ReadyPod("a"), ReadyPod("b")}));
  EXPECT_EQ(s.phase, "Succeed");
  EXPECT_EQ(Cond(s, kConditionReady).status, "True");
  EXPECT_EQ(s.observed_generation, 4);
}

TEST(BatchStatusTest, Issue1497_FailedIsNotStickyAndConditionsAreKeptAsFalse) {
  v1::BatchSandboxStatus failed = DeriveBatchStatus(Input({Crashing("a")}, "2026-01-01T00:00:00Z"));
  EXPECT_EQ(failed.phase, "Failed");
  EXPECT_EQ(Cond(failed, kConditionPodFailed).status, "True");
  EXPECT_EQ(Cond(failed, kConditionPodFailed).reason, "CrashLoopBackOff");
  EXPECT_EQ(Cond(failed, kConditionPodFailed).message,
            "1/1 observed pods failed; primary reason=CrashLoopBackOff; sample pod=a");
  StatusInput recovered = Input({ReadyPod("a")}, "2026-01-01T00:05:00Z");
  recovered.previous = &failed;
  v1::BatchSandboxStatus s = DeriveBatchStatus(recovered);
  EXPECT_EQ(s.phase, "Succeed");
  EXPECT_EQ(Cond(s, kConditionPodFailed).status, "False");  // written False, not removed
  EXPECT_EQ(Cond(s, kConditionPodFailed).last_transition_time, "2026-01-01T00:05:00Z");
}

TEST(BatchStatusTest, EveryFailureKindIsReported) {
  PodView failed_phase = ReadyPod("f");
  failed_phase.ready = false;
  failed_phase.phase = "Failed";
  EXPECT_EQ(Cond(DeriveBatchStatus(Input({failed_phase})), kConditionPodFailed).reason,
            "PodPhaseFailed");
  for (const char* reason : kFailingWaitingReasons) {
    PodView p = StartingPod("p");
    p.failing_reason = reason;
    v1::BatchSandboxStatus s = DeriveBatchStatus(Input({p}));
    EXPECT_EQ(s.phase, "Failed") << reason;
    EXPECT_EQ(Cond(s, kConditionPodFailed).reason, reason);
  }
}

TEST(BatchStatusTest, Issue1450_OomRestartIsVisible) {
  PodView p = ReadyPod("a");
  p.restarts = 1;
  p.last_termination_reason = "OOMKilled";
  p.last_termination_container = "main";
  v1::BatchSandboxStatus s = DeriveBatchStatus(Input({p}));
  EXPECT_EQ(Cond(s, kConditionPodRestarted).status, "True");
  EXPECT_EQ(Cond(s, kConditionPodRestarted).reason, "OOMKilled");
  EXPECT_EQ(s.phase, "Succeed");  // restarted and Ready again: serving
}

TEST(BatchStatusTest, LastTransitionTimeMovesOnlyWhenStatusFlips) {
  v1::BatchSandboxStatus first =
      DeriveBatchStatus(Input({StartingPod("a")}, "2026-01-01T00:00:00Z"));
  StatusInput again = Input({StartingPod("a")}, "2026-01-01T00:09:00Z");
  again.previous = &first;
  v1::BatchSandboxStatus second = DeriveBatchStatus(again);
  EXPECT_EQ(Cond(second, kConditionReady).last_transition_time, "2026-01-01T00:00:00Z");
  EXPECT_FALSE(StatusChanged(first, second));  // Issue638: nothing changed, nothing written
  EXPECT_TRUE(StatusChanged(std::nullopt, second));
}

TEST(BatchStatusTest, Issue1662_TaskCountsAndTaskFailureDriveThePhase) {
  StatusInput in = Input({ReadyPod("a"), ReadyPod("b"), ReadyPod("c"), std::nullopt});
  in.has_tasks = true;
  in.tasks = {TaskState::kRunning, TaskState::kFailed, std::nullopt, TaskState::kSucceeded};
  v1::BatchSandboxStatus s = DeriveBatchStatus(in);
  EXPECT_EQ(s.task_running, 1);
  EXPECT_EQ(s.task_failed, 1);
  EXPECT_EQ(s.task_pending, 2);  // no state yet, and no pod at index 3
  EXPECT_EQ(s.phase, "Failed");
  EXPECT_EQ(Cond(s, kConditionTaskFailed).status, "True");
}

TEST(BatchStatusTest, AllocatedCountsScheduledPodsAndMissingIndexesAreNotReplicas) {
  PodView unscheduled = StartingPod("u");
  v1::BatchSandboxStatus s = DeriveBatchStatus(Input({ReadyPod("a"), unscheduled, std::nullopt}));
  EXPECT_EQ(s.replicas, 2);
  EXPECT_EQ(s.allocated, 1);
}

TEST(BatchStatusTest, PoolConditionsAreExplicitBothWays) {
  StatusInput in = Input({std::nullopt});
  in.pool = PoolFacts{false, 1, "container \"main\": image differs", "", ""};
  v1::BatchSandboxStatus s = DeriveBatchStatus(in);
  EXPECT_EQ(Cond(s, kConditionPoolNotFound).status, "True");
  EXPECT_EQ(Cond(s, kConditionPoolExhausted).status, "True");
  EXPECT_EQ(Cond(s, kConditionTemplateIncompatible).status, "True");
  EXPECT_EQ(Cond(s, kConditionAllocationConflict).status, "False");
  in.pool = PoolFacts{true, 0, "", "", "annotation not JSON"};
  in.previous = &s;
  s = DeriveBatchStatus(in);
  EXPECT_EQ(Cond(s, kConditionPoolNotFound).status, "False");
  EXPECT_EQ(Cond(s, kConditionPoolExhausted).status, "False");
  EXPECT_EQ(Cond(s, kConditionAllocationConflict).status, "True");
  EXPECT_EQ(Cond(s, kConditionAllocationConflict).reason, "RecordMalformed");
}

TEST(PoolStatusTest, CountsTotalAllocatedAvailableUpdated) {
  PoolStatusInput in;
  in.revision = "rev2";
  in.generation = 3;
  PodView evicted = ReadyPod("e", "rev2");
  evicted.evict = true;
  in.pods = {ReadyPod("a", "rev2"),
             ReadyPod("b", "rev1"),
             StartingPod("c", "rev2"),
             evicted,
             testing::Terminating(ReadyPod("t", "rev2")),
             ReadyPod("x", "rev2")};
  in.allocated = {false, false, false, false, false, true};
  v1::PoolStatus s = DerivePoolStatus(in);
  EXPECT_EQ(s.total, 5);
  EXPECT_EQ(s.allocated, 1);
  EXPECT_EQ(s.available, 2);
  EXPECT_EQ(s.updated, 4);
  EXPECT_EQ(s.revision, "rev2");
  EXPECT_FALSE(PoolStatusChanged(s, DerivePoolStatus(in)));
}

}  // namespace
}  // namespace osbx::scheduler
