#include "internal/controller/deferred_recheck.h"

#include "pkg/kube/meta/packed.h"

#include <gtest/gtest.h>

namespace osbx::controller {
namespace {

using std::chrono::milliseconds;

// A pooled batch of `replicas`, delivered: status at its generation with every replica ready.
Json Delivered(int replicas = 2) {
  return {{"metadata",
           {{"name", "b"},
            {"namespace", "ns"},
            {"generation", 3},
            {"annotations", {{"sandbox.opensandbox.io/alloc-status", R"({"pods":["p1","p2"]})"}}}}},
          {"spec", {{"poolRef", "pool"}, {"replicas", replicas}}},
          {"status", {{"observedGeneration", 3}, {"replicas", replicas}, {"ready", replicas}}}};
}

TEST(LooksSettledTest, DeliveredPooledBatchIsSettled) { EXPECT_TRUE(LooksSettled(Delivered())); }

TEST(LooksSettledTest, StatusPackedByTheCacheIsReadToo) {
  Json batch = Delivered();
  kube::PackValue(batch["status"]);
  EXPECT_TRUE(LooksSettled(batch));
  batch = Delivered();
  batch["status"]["ready"] = 0;
  kube::PackValue(batch["status"]);
  EXPECT_FALSE(LooksSettled(batch));
}

TEST(LooksSettledTest, BatchShortOfReadyPodsIsNotSettled) {
  Json batch = Delivered();
  batch["status"]["ready"] = 1;
  EXPECT_FALSE(LooksSettled(batch));
  batch["status"].erase("ready");
  EXPECT_FALSE(LooksSettled(batch));
  batch.erase("status");
  EXPECT_FALSE(LooksSettled(batch));
}

TEST(LooksSettledTest, StatusOfAnEarlierGenerationIsNotSettled) {
  Json batch = Delivered();
  batch["metadata"]["generation"] = 4;  // e.g. scaled up since
  EXPECT_FALSE(LooksSettled(batch));
}

TEST(LooksSettledTest, BatchBeingDeletedIsNotSettled) {
  Json batch = Delivered();
  batch["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_FALSE(LooksSettled(batch));
}

TEST(LooksSettledTest, NonPooledOrAutoPoolBatchIsNotSettled) {
  Json batch = Delivered();
  batch["spec"].erase("poolRef");
  EXPECT_FALSE(LooksSettled(batch));
  batch["spec"]["poolRef"] = "*";
  EXPECT_FALSE(LooksSettled(batch));
}

TEST(LooksSettledTest, PendingReleaseIsNotSettledUntilReleased) {
  Json batch = Delivered();
  auto& annotations = batch["metadata"]["annotations"];
  annotations["sandbox.opensandbox.io/alloc-release"] = R"({"pods":["p1"]})";
  EXPECT_FALSE(LooksSettled(batch));
  annotations["sandbox.opensandbox.io/alloc-released"] = R"({"pods":["p1"]})";
  EXPECT_TRUE(LooksSettled(batch));
}

TEST(RecheckSpreaderTest, RechecksStartAfterTheBaseDelayAndAreSpacedApart) {
  FakeClock clock;
  RecheckSpreader spreader(clock, milliseconds(500), milliseconds(2));
  EXPECT_EQ(spreader.Next(), milliseconds(500));
  EXPECT_EQ(spreader.Next(), milliseconds(502));
  EXPECT_EQ(spreader.Next(), milliseconds(504));
  clock.Advance(milliseconds(1));  // the backlog of slots is kept
  EXPECT_EQ(spreader.Next(), milliseconds(505));
  clock.Advance(std::chrono::seconds(5));  // once it has drained, back to the base delay
  EXPECT_EQ(spreader.Next(), milliseconds(500));
}

}  // namespace
}  // namespace osbx::controller
