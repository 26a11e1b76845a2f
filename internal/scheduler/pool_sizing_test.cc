#include "internal/scheduler/pool_sizing.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "internal/scheduler/test_pods.h"

namespace osbx::scheduler {
namespace {

using api::v1alpha1::IntOrString;
using testing::ReadyPod;
using testing::StartingPod;
using testing::Terminating;

SizingParams Params(int buffer_min, int buffer_max, int pool_min, int pool_max,
                    IntOrString scale = IntOrString::FromString("100%")) {
  SizingParams p;
  p.buffer_min = buffer_min;
  p.buffer_max = buffer_max;
  p.pool_min = pool_min;
  p.pool_max = pool_max;
  p.scale_max_unavailable = scale;
  return p;
}

SizingDecision Decide(const SizingInput& in) {
  StatusOr<SizingDecision> d = DecideSizing(in);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : SizingDecision{};
}

SizingInput Input(SizingParams params, int ready, int starting = 0, int allocated = 0) {
  SizingInput in;
  in.params = params;
  in.revision = "rev1";
  for (int i = 0; i < ready; ++i) in.pods.push_back({ReadyPod("r" + std::to_string(i), "rev1", i)});
  for (int i = 0; i < starting; ++i) in.pods.push_back({StartingPod("s" + std::to_string(i))});
  for (int i = 0; i < allocated; ++i) {
    in.pods.push_back({ReadyPod("a" + std::to_string(i), "rev1", i), true});
  }
  return in;
}

std::vector<std::string> Names(const SizingDecision& d, DeleteReason reason) {
  std::vector<std::string> out;
  for (const auto& del : d.deletions) {
    if (del.reason == reason) out.push_back(del.name);
  }
  return out;
}

// A pool under simulation: created pods become Ready one round later, deleted pods vanish one
// round later, and claims take the idle Ready pods.
struct Sim {
  SizingInput in;
  int next = 0;
  int rounds_with_creates = 0, rounds_with_deletes = 0, direction_changes = 0, last_dir = 0;

  void Round(int claims, int releases) {
    // Pods progress: starting -> Ready, terminating -> gone.
    std::erase_if(in.pods, [](const PoolPod& p) { return p.pod.terminating; });
    for (PoolPod& p : in.pods) {
      if (!p.pod.ready) p.pod = ReadyPod(p.pod.name, "rev1", next);
    }
    for (PoolPod& p : in.pods) {
      if (claims > 0 && !p.allocated && p.pod.ready) p.allocated = true, --claims;
    }
    for (PoolPod& p : in.pods) {  // Noop recycle: released pods return to idle
      if (releases > 0 && p.allocated) p.allocated = false, --releases;
    }
    in.waiting_demand = claims;
    SizingDecision d = Decide(in);
    for (int i = 0; i < d.create; ++i)
      in.pods.push_back({StartingPod("n" + std::to_string(next++))});
    for (const PodDeletion& del : d.deletions) {
      for (PoolPod& p : in.pods) {
        if (p.pod.name == del.name) p.pod = Terminating(p.pod);
      }
    }
    const int dir = d.create > 0 ? 1 : (d.deletions.empty() ? 0 : -1);
    if (dir != 0 && last_dir != 0 && dir != last_dir) ++direction_changes;
    if (dir != 0) last_dir = dir;
    rounds_with_creates += d.create > 0;
    rounds_with_deletes += !d.deletions.empty();
  }
  int Total() const {
    return static_cast<int>(std::count_if(in.pods.begin(), in.pods.end(),
                                          [](const PoolPod& p) { return !p.pod.terminating; }));
  }
};

TEST(PoolSizingTest, WarmUpFromZeroCreatesEveryPodInOneDecision) {
  SizingDecision d = Decide(Input(Params(1000, 1000, 0, 1000), 0));
  EXPECT_EQ(d.create, 1000);
  EXPECT_TRUE(d.deletions.empty());
}

TEST(PoolSizingTest, RefillsToBufferMaxWhenBelowBufferMin) {
  EXPECT_EQ(Decide(Input(Params(2, 5, 0, 100), 1)).create, 4);
  EXPECT_EQ(Decide(Input(Params(2, 5, 0, 100), 2)).create, 0);     // inside the band
  EXPECT_EQ(Decide(Input(Params(2, 5, 0, 100), 1, 1)).create, 0);  // supply on the way
}

TEST(PoolSizingTest, StartingPodsAreNotBufferAndNeverJustifyDeletingReadyPods) {
  // Defect #1423: Pending pods counted as buffer pushed it over bufferMax and Ready pods died.
  SizingDecision d = Decide(Input(Params(1, 3, 0, 100), 2, 5));
  EXPECT_TRUE(d.deletions.empty());
  EXPECT_EQ(d.create, 0);
}

TEST(PoolSizingTest, Defect1423_NoMidpointSnapScaleDownStopsAtBufferMax) {
  SizingDecision d = Decide(Input(Params(2, 6, 0, 100), 10));
  EXPECT_EQ(d.create, 0);
  EXPECT_EQ(Names(d, DeleteReason::kScaleDown).size(), 4u);  // to 6, not to the midpoint 4
}

TEST(PoolSizingTest, Defect1423_ScaleDownIsBoundedByMaxUnavailable) {
  SizingDecision d = Decide(Input(Params(0, 0, 0, 40, IntOrString::FromString("10%")), 40));
  EXPECT_EQ(d.deletions.size(), 4u);
  EXPECT_TRUE(d.limited_by_budget);
  // Pods already terminating use the same budget.
  SizingInput in = Input(Params(0, 0, 0, 40, IntOrString::FromInt(4)), 30);
  for (int i = 0; i < 3; ++i) in.pods.push_back({Terminating(ReadyPod("t" + std::to_string(i)))});
  EXPECT_EQ(Decide(in).deletions.size(), 1u);
}

TEST(PoolSizingTest, Defect1423_PoolMaxCountsCreatingAndTerminatingPods) {
  SizingInput in = Input(Params(5, 10, 0, 10), 0, 4);
  for (int i = 0; i < 4; ++i) in.pods.push_back({Terminating(ReadyPod("t" + std::to_string(i)))});
  SizingDecision d = Decide(in);
  EXPECT_EQ(d.create, 2);  // 4 starting + 4 terminating + 2 = poolMax
  EXPECT_TRUE(d.limited_by_pool_max);
}

TEST(PoolSizingTest, Defect1423_PodsAbovePoolMaxAreDeleted) {
  SizingDecision d = Decide(Input(Params(0, 20, 0, 5), 8));
  EXPECT_EQ(Names(d, DeleteReason::kOverPoolMax).size(), 3u);
}

// poolMax lowered below the allocated count (or read from a Pool older than its pods): only idle
// pods can go, so the decision deletes at most those and never reads past them.
TEST(PoolSizingTest, PoolMaxBelowAllocatedPodsDeletesOnlyIdlePods) {
  EXPECT_TRUE(Decide(Input(Params(0, 1, 1, 2), 0, 0, 3)).deletions.empty());
  SizingDecision d = Decide(Input(Params(0, 1, 0, 2), 1, 1, 4));
  EXPECT_EQ(Names(d, DeleteReason::kOverPoolMax), (std::vector<std::string>{"s0", "r0"}));
  EXPECT_EQ(d.deletions.size(), 2u);
}

TEST(PoolSizingTest, PoolMinIsKeptEvenWithNoBufferWanted) {
  EXPECT_EQ(Decide(Input(Params(0, 0, 3, 10), 0)).create, 3);
  // Scale down never goes below poolMin.
  EXPECT_EQ(Decide(Input(Params(0, 0, 3, 10), 5)).deletions.size(), 2u);
  EXPECT_EQ(Decide(Input(Params(0, 0, 3, 10), 2, 0, 2)).deletions.size(), 1u);
  EXPECT_EQ(Decide(Input(Params(0, 0, 3, 10), 1, 0, 2)).deletions.size(), 0u);
}

TEST(PoolSizingTest, CreationsAreBoundedByMaxUnavailableOfPoolMaxCountingStartingPods) {
  SizingParams p = Params(100, 100, 0, 100, IntOrString::FromString("25%"));
  EXPECT_EQ(Decide(Input(p, 0)).create, 25);
  EXPECT_EQ(Decide(Input(p, 0, 20)).create, 5);
  p.scale_max_unavailable = IntOrString::FromInt(0);  // at least one
  EXPECT_EQ(Decide(Input(p, 0)).create, 1);
}

TEST(PoolSizingTest, InvalidMaxUnavailableIsAnError) {
  SizingInput in = Input(Params(1, 1, 0, 1, IntOrString::FromString("lots")), 0);
  EXPECT_FALSE(DecideSizing(in).ok());
}

TEST(PoolSizingTest, WaitingDemandRaisesCreationUpToPoolMax) {
  SizingInput in = Input(Params(1, 2, 0, 10), 0, 0, 3);
  in.waiting_demand = 20;
  SizingDecision d = Decide(in);
  EXPECT_EQ(d.create, 7);
  EXPECT_TRUE(d.deletions.empty());
}

TEST(PoolSizingTest, EvictedIdlePodsAreDeletedAndAllocatedOnesKept) {
  SizingInput in = Input(Params(0, 5, 0, 10), 2);
  in.pods[0].pod.evict = true;
  PodView allocated = ReadyPod("busy");
  allocated.evict = true;
  in.pods.push_back({allocated, true});
  SizingDecision d = Decide(in);
  EXPECT_EQ(Names(d, DeleteReason::kEvicted), std::vector<std::string>{"r0"});
}

TEST(PoolSizingTest, LostIdlePodsAreDeletedAndReplaced) {
  SizingInput in = Input(Params(2, 2, 0, 10), 2);
  in.pods[1].pod.phase = "Failed";
  in.pods[1].pod.ready = false;
  SizingDecision d = Decide(in);
  EXPECT_EQ(Names(d, DeleteReason::kDead), std::vector<std::string>{"r1"});
  EXPECT_EQ(d.create, 1);
}

TEST(PoolSizingTest, Issue1956_PodsStuckInImagePullBackOffAreReplaced) {
  SizingInput in = Input(Params(2, 2, 0, 10), 0, 2);
  in.pods[0].pod.failing_reason = "ImagePullBackOff";
  SizingDecision d = Decide(in);
  EXPECT_EQ(Names(d, DeleteReason::kUnhealthy), std::vector<std::string>{"s0"});
  EXPECT_EQ(d.create, 1);
}

TEST(PoolSizingTest, DeletesLeastUsefulFirst) {
  SizingInput in;
  in.params = Params(0, 1, 0, 10);
  in.revision = "rev2";
  in.pods = {{ReadyPod("old-ready-long", "rev1", 1)},
             {ReadyPod("cur-ready-long", "rev2", 2)},
             {ReadyPod("cur-ready-new", "rev2", 50)},
             {StartingPod("starting", "rev2")}};
  // The starting pod uses the whole update budget, so the old pod goes through scale down.
  in.params.update_max_unavailable = IntOrString::FromInt(1);
  SizingDecision d = Decide(in);
  std::vector<std::string> order;
  for (const auto& del : d.deletions) order.push_back(del.name);
  EXPECT_EQ(order, (std::vector<std::string>{"starting", "old-ready-long", "cur-ready-new"}));
  in.pods.erase(in.pods.begin());
  d = Decide(in);
  order.clear();
  for (const auto& del : d.deletions) order.push_back(del.name);
  EXPECT_EQ(order, (std::vector<std::string>{"starting", "cur-ready-new"}));
}

TEST(PoolSizingTest, Gap13_NewestReadyPodIsDeletedBeforeLongestReady) {
  PodView old_ready = ReadyPod("a", "rev1", 1);
  PodView new_ready = ReadyPod("b", "rev1", 100);
  EXPECT_TRUE(LessUsefulFirst(new_ready, old_ready, "rev1"));
  EXPECT_FALSE(LessUsefulFirst(old_ready, new_ready, "rev1"));
  SizingDecision d = Decide(Input(Params(0, 1, 0, 10), 3));
  EXPECT_EQ(Names(d, DeleteReason::kScaleDown), (std::vector<std::string>{"r2", "r1"}));
}

TEST(PoolSizingTest, RollingUpdateReplacesIdleOldPodsWithinBudgetAndNeverAllocatedOnes) {
  SizingInput in;
  in.params = Params(0, 10, 0, 100);
  in.params.update_max_unavailable = IntOrString::FromString("25%");
  in.revision = "rev2";
  for (int i = 0; i < 8; ++i) in.pods.push_back({ReadyPod("idle" + std::to_string(i), "rev1", i)});
  in.pods.push_back({ReadyPod("busy", "rev1"), true});
  SizingDecision d = Decide(in);
  auto outdated = Names(d, DeleteReason::kOutdated);
  EXPECT_EQ(outdated.size(), 3u);  // 25% of 9, rounded up
  EXPECT_EQ(std::count(outdated.begin(), outdated.end(), "busy"), 0);
  EXPECT_EQ(d.create, 3);  // replaced at the new revision in the same decision
}

TEST(PoolSizingTest, RollingUpdateWaitsWhileSandboxesWaitForPods) {
  SizingInput in = Input(Params(0, 10, 0, 100), 4);
  in.revision = "rev2";
  in.waiting_demand = 1;
  EXPECT_TRUE(Names(Decide(in), DeleteReason::kOutdated).empty());
}

TEST(PoolSizingTest, DeletingPoolCreatesNothing) {
  SizingInput in = Input(Params(5, 5, 5, 10), 0);
  in.pool_deleting = true;
  EXPECT_EQ(Decide(in).create, 0);
}

TEST(PoolSizingTest, Defect1423_NoCreateDeleteOscillationOverManyRounds) {
  Sim sim;
  sim.in.params = Params(3, 8, 2, 50, IntOrString::FromString("25%"));
  sim.in.revision = "rev1";
  for (int r = 0; r < 10; ++r) sim.Round(0, 0);  // warm up and settle
  EXPECT_EQ(sim.direction_changes, 0);
  const int settled_creates = sim.rounds_with_creates;
  for (int r = 0; r < 50; ++r) sim.Round(0, 0);  // steady: nothing happens
  EXPECT_EQ(sim.rounds_with_creates, settled_creates);
  EXPECT_EQ(sim.rounds_with_deletes, 0);
  for (int r = 0; r < 200; ++r) sim.Round(r % 3 == 0 ? 1 : 0, 0);  // a trickle of claims
  EXPECT_EQ(sim.rounds_with_deletes, 0);
  EXPECT_EQ(sim.direction_changes, 0);
  EXPECT_LE(sim.Total(), 50);
}

TEST(PoolSizingTest, BurstyClaimsAndNoopReleasesStayWithinBounds) {
  Sim sim;
  sim.in.params = Params(2, 6, 0, 30, IntOrString::FromString("50%"));
  sim.in.revision = "rev1";
  for (int r = 0; r < 300; ++r) {
    sim.Round(r % 10 == 0 ? 5 : 0, r % 10 == 5 ? 5 : 0);
    const int total_with_terminating = static_cast<int>(sim.in.pods.size());
    ASSERT_LE(total_with_terminating, 30) << "round " << r;
  }
  // Each burst is one refill, each release wave one trim: never a flip-flop within a wave.
  EXPECT_LE(sim.direction_changes, 2 * 30 + 1);
}

}  // namespace
}  // namespace osbx::scheduler
