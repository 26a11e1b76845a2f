#include "internal/scheduler/batch_plan.h"

#include <gtest/gtest.h>

#include "api/v1alpha1/well_known.h"
#include "internal/scheduler/test_pods.h"
#include "pkg/kube/meta/object.h"

namespace osbx::scheduler {
namespace {

namespace v1 = ::osbx::api::v1alpha1;
using testing::ReadyPod;
using testing::StartingPod;
using testing::Terminating;

TEST(NonPooledPlanTest, CreatesMissingIndexesAndDeletesTheHighestOnScaleDown) {
  std::vector<PodView> pods = {ReadyPod("b-0"), ReadyPod("b-2"), ReadyPod("b-3"), ReadyPod("b-4"),
                               ReadyPod("other-1")};
  NonPooledPlan plan = PlanNonPooled("b", 3, pods);
  EXPECT_EQ(plan.create, std::vector<int32_t>{1});
  EXPECT_EQ(plan.deletions, (std::vector<std::string>{"b-4", "b-3"}));
  ASSERT_EQ(plan.by_index.size(), 3u);
  EXPECT_EQ(plan.by_index[2]->name, "b-2");
}

TEST(NonPooledPlanTest, TerminatingPodBlocksRecreationOfItsNameAndIsNotPresent) {
  NonPooledPlan plan = PlanNonPooled("b", 2, {Terminating(ReadyPod("b-0")), ReadyPod("b-1")});
  EXPECT_TRUE(plan.create.empty());
  EXPECT_EQ(plan.blocked, std::vector<int32_t>{0});
  EXPECT_FALSE(plan.by_index[0].has_value());
}

TEST(NonPooledPlanTest, IndexLabelWinsOverTheNameSuffix) {
  PodView p = ReadyPod("b-7");
  p.index = 0;
  EXPECT_EQ(NonPooledIndex("b", p), 0);
  EXPECT_EQ(NonPooledIndex("b", ReadyPod("b-12")), 12);
  EXPECT_FALSE(NonPooledIndex("b", ReadyPod("bb-1")).has_value());
  EXPECT_FALSE(NonPooledIndex("b", ReadyPod("b-x")).has_value());
}

TEST(NonPooledPlanTest, BuildsPodFromTemplateWithShardPatchLabelsAndOwner) {
  Json bsx = {{"metadata", {{"name", "b"}, {"namespace", "ns"}, {"uid", "u1"}}}};
  Json tmpl = Json::parse(R"({"metadata": {"labels": {"app": "x"}},
    "spec": {"containers": [{"name": "main", "image": "img", "command": ["a"]},
                            {"name": "side", "image": "s"}]}})");
  Json patch = Json::parse(R"({"spec": {"containers": [{"name": "main", "command": ["b"]}]}})");
  StatusOr<Json> pod = BuildNonPooledPod(bsx, tmpl, patch, 2);
  ASSERT_TRUE(pod.ok()) << pod.status().ToString();
  EXPECT_EQ(kube::GetName(*pod), "b-2");
  EXPECT_EQ(kube::GetNamespace(*pod), "ns");
  EXPECT_EQ(kube::GetLabel(*pod, v1::kPodIndexLabel), "2");
  EXPECT_EQ(kube::GetLabel(*pod, v1::kBatchSandboxNameLabel), "b");
  EXPECT_EQ(kube::GetLabel(*pod, "app"), "x");
  EXPECT_TRUE(kube::IsControlledBy(*pod, "u1"));
  const Json& containers = (*pod)["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0]["command"], Json::array({"b"}));
  EXPECT_EQ(containers[1]["image"], "s");
  EXPECT_FALSE(BuildNonPooledPod(bsx, tmpl, Json::array(), 0).ok());
  EXPECT_FALSE(BuildNonPooledPod(bsx, Json(), Json(), 0).ok());
}

std::map<std::string, PodView, std::less<>> Live(std::vector<PodView> pods) {
  std::map<std::string, PodView, std::less<>> out;
  for (auto& p : pods) out[p.name] = p;
  return out;
}

TEST(PooledPlanTest, ScaleUpAppendsIndexesToServeAndKeepsExistingOnes) {
  PooledInput in;
  in.replicas = 3;
  in.record.pods = {"p0"};
  in.pods = Live({ReadyPod("p0")});
  PooledPlan plan = PlanPooled(in);
  EXPECT_EQ(plan.record.pods, (std::vector<std::string>{"p0", "", ""}));
  EXPECT_EQ(plan.to_serve, (std::vector<int32_t>{1, 2}));
  EXPECT_TRUE(plan.want_finalizer);
  FillIndexes(plan.record, plan.to_serve, {"p7"});
  EXPECT_EQ(plan.record.pods, (std::vector<std::string>{"p0", "p7", ""}));
}

TEST(PooledPlanTest, Issue1159_ScaleDownReleasesTheHighestIndexes) {
  PooledInput in;
  in.replicas = 1;
  in.record.pods = {"p0", "p1", "p2"};
  in.pods = Live({ReadyPod("p0"), ReadyPod("p1"), ReadyPod("p2")});
  PooledPlan plan = PlanPooled(in);
  EXPECT_EQ(plan.record.pods, std::vector<std::string>{"p0"});
  EXPECT_EQ(plan.record.release, (std::vector<std::string>{"p2", "p1"}));
  EXPECT_EQ(plan.record.Held(), (std::vector<std::string>{"p0", "p2", "p1"}));
  EXPECT_TRUE(plan.to_serve.empty());
}

TEST(PooledPlanTest, Issue954_DeadPodIsReleasedAndItsIndexServedAgain) {
  PodView failed = ReadyPod("p1");
  failed.phase = "Failed";
  failed.ready = false;
  for (auto pods :
       {Live({ReadyPod("p0"), ReadyPod("p2")}), Live({ReadyPod("p0"), failed, ReadyPod("p2")}),
        Live({ReadyPod("p0"), Terminating(ReadyPod("p1")), ReadyPod("p2")})}) {
    PooledInput in;
    in.replicas = 3;
    in.record.pods = {"p0", "p1", "p2"};
    in.pods = pods;
    PooledPlan plan = PlanPooled(in);
    EXPECT_EQ(plan.record.pods, (std::vector<std::string>{"p0", "", "p2"}));
    EXPECT_EQ(plan.to_serve, std::vector<int32_t>{1});
    ASSERT_EQ(plan.released.size(), 1u);
    EXPECT_EQ(plan.released[0].second, ReleaseReason::kDied);
    FillIndexes(plan.record, plan.to_serve, {"p9"});
    EXPECT_EQ(plan.record.pods[1], "p9");  // the same index, the other indexes untouched
  }
}

TEST(PooledPlanTest, CrashLoopingPodKeepsItsIndexAndIsReportedInstead) {
  PodView crashing = ReadyPod("p0");
  crashing.failing_reason = "CrashLoopBackOff";
  PooledInput in;
  in.replicas = 1;
  in.record.pods = {"p0"};
  in.pods = Live({crashing});
  EXPECT_EQ(PlanPooled(in).record.pods, std::vector<std::string>{"p0"});
}

TEST(PooledPlanTest, PodHeldByAnEarlierBatchIsDroppedAndReserved) {
  PooledInput in;
  in.replicas = 2;
  in.record.pods = {"p0", "p1"};
  in.pods = Live({ReadyPod("p0"), ReadyPod("p1")});
  in.held_by_other = {"p1"};
  PooledPlan plan = PlanPooled(in);
  EXPECT_EQ(plan.dropped, std::vector<std::string>{"p1"});
  EXPECT_EQ(plan.record.pods, (std::vector<std::string>{"p0", ""}));
  EXPECT_TRUE(plan.record.release.empty());  // never recycle a pod another batch holds
  EXPECT_EQ(plan.to_serve, std::vector<int32_t>{1});
}

TEST(PooledPlanTest, DuplicatePodInOneRecordKeepsOnlyTheFirstIndex) {
  PooledInput in;
  in.replicas = 2;
  in.record.pods = {"p0", "p0"};
  in.pods = Live({ReadyPod("p0")});
  EXPECT_EQ(PlanPooled(in).record.pods, (std::vector<std::string>{"p0", ""}));
}

TEST(PooledPlanTest, DeletionReleasesEverythingAndDropsTheFinalizerOnceRecycled) {
  PooledInput in;
  in.deleting = true;
  in.record.pods = {"p0", "", "p1"};
  in.record.release = {"p2"};
  PooledPlan plan = PlanPooled(in);
  EXPECT_EQ(plan.record.release, (std::vector<std::string>{"p2", "p0", "p1"}));
  EXPECT_TRUE(plan.want_finalizer);
  in.record = plan.record;
  in.record.released = {"p0", "p1", "p2"};
  plan = PlanPooled(in);
  EXPECT_FALSE(plan.want_finalizer);
  EXPECT_TRUE(plan.record.release.empty());
}

TEST(PooledPlanTest, RequestedReleaseGivesTheIndexBackWithoutServingIt) {
  PooledInput in;
  in.replicas = 2;
  in.record.pods = {"p0", "p1"};
  in.pods = Live({ReadyPod("p0"), ReadyPod("p1")});
  in.release_requested = {0};
  PooledPlan plan = PlanPooled(in);
  EXPECT_EQ(plan.record.pods, (std::vector<std::string>{"", "p1"}));
  EXPECT_TRUE(plan.to_serve.empty());
  EXPECT_EQ(plan.record.release, std::vector<std::string>{"p0"});
}

TEST(EndpointsTest, ExactlyReplicasEntriesInIndexOrderReadyOnly) {
  AllocationRecord r;
  r.pods = {"p0", "p1", "", "p3"};
  PodView p0 = ReadyPod("p0", "rev1", 1);
  PodView p1 = StartingPod("p1");
  p1.pod_ip = "10.9.9.9";
  PodView p3 = ReadyPod("p3", "rev1", 3);
  auto by_index = PooledByIndex(r, Live({p0, p1, p3}));
  EXPECT_EQ(Endpoints(4, by_index), (std::vector<std::string>{p0.pod_ip, "", "", p3.pod_ip}));
  EXPECT_EQ(Endpoints(2, by_index), (std::vector<std::string>{p0.pod_ip, ""}));
  EXPECT_EQ(Endpoints(5, by_index).size(), 5u);
}

}  // namespace
}  // namespace osbx::scheduler
