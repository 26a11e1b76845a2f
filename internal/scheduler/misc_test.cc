// Tests of the small modules: revisions and pod names, template compatibility, recycle, expiry
// and requeue hints.
#include <gtest/gtest.h>

#include "internal/scheduler/lifecycle.h"
#include "internal/scheduler/revision.h"
#include "internal/scheduler/template_compat.h"
#include "internal/scheduler/test_pods.h"

namespace osbx::scheduler {
namespace {

using testing::ReadyPod;
using testing::T;

TEST(RevisionTest, IsSixteenHexAndIgnoresKeyOrderButNotContent) {
  Json a =
      Json::parse(R"({"spec": {"containers": [{"name": "m", "image": "i"}]}, "metadata": {}})");
  Json b =
      Json::parse(R"({"metadata": {}, "spec": {"containers": [{"image": "i", "name": "m"}]}})");
  EXPECT_EQ(TemplateRevision(a).size(), 16u);
  EXPECT_EQ(TemplateRevision(a), TemplateRevision(b));
  b["metadata"]["labels"] = {{"x", "y"}};
  EXPECT_NE(TemplateRevision(a), TemplateRevision(b));
}

TEST(RevisionTest, Gap2_PodNamesAreChosenBeforeCreateDistinctAndDeterministic) {
  std::set<std::string, std::less<>> taken;
  auto first = GeneratePodNames("pool", 1000, taken, 42);
  EXPECT_EQ(first, GeneratePodNames("pool", 1000, taken, 42));
  std::set<std::string, std::less<>> unique(first.begin(), first.end());
  EXPECT_EQ(unique.size(), 1000u);
  for (const auto& n : first) {
    EXPECT_EQ(n.rfind("pool-", 0), 0u);
    EXPECT_EQ(n.size(), 10u);
  }
  auto next = GeneratePodNames("pool", 1000, unique, 42);  // never a taken name
  for (const auto& n : next) EXPECT_EQ(unique.count(n), 0u);
}

TEST(TemplateCompatTest, SameNamesAndImagesAreCompatible) {
  Json pool = Json::parse(R"({"spec": {"containers": [{"name": "main", "image": "py:3"}]}})");
  Json mine = Json::parse(
      R"({"spec": {"containers": [{"name": "main", "image": "py:3", "env": [{"name": "A"}]}]}})");
  EXPECT_TRUE(CheckTemplateCompatible(mine, pool).ok());
  EXPECT_TRUE(CheckTemplateCompatible(Json(), pool).ok());
}

TEST(TemplateCompatTest, NamesTheContainerThatDiffers) {
  Json pool = Json::parse(R"({"spec": {"containers": [{"name": "main", "image": "py:3"},
                                                      {"name": "side", "image": "s"}]}})");
  Json image = Json::parse(R"({"spec": {"containers": [{"name": "main", "image": "py:4"},
                                                       {"name": "side", "image": "s"}]}})");
  EXPECT_EQ(CheckTemplateCompatible(image, pool).message(),
            "container \"main\": image \"py:4\" differs from the Pool's \"py:3\"");
  Json extra = Json::parse(R"({"spec": {"containers": [{"name": "other", "image": "py:3"}]}})");
  EXPECT_EQ(CheckTemplateCompatible(extra, pool).message(),
            "container \"other\" is not in the Pool's template");
  Json missing = Json::parse(R"({"spec": {"containers": [{"name": "main", "image": "py:3"}]}})");
  EXPECT_EQ(CheckTemplateCompatible(missing, pool).message(),
            "the Pool's container \"side\" is missing from the BatchSandbox template");
}

TEST(RecycleTest, DeleteDeletesThenFinishesOnceThePodIsGone) {
  RecycleDecision d = DecideRecycle("Delete", ReadyPod("p"));
  EXPECT_TRUE(d.delete_pod);
  EXPECT_FALSE(d.done);
  d = DecideRecycle("", testing::Terminating(ReadyPod("p")));
  EXPECT_TRUE(d.done);
  EXPECT_FALSE(d.reusable);
  EXPECT_TRUE(DecideRecycle("Delete", std::nullopt).done);
}

TEST(RecycleTest, NoopReusesHealthyPodsAndDeletesBrokenOnes) {
  RecycleDecision d = DecideRecycle("Noop", ReadyPod("p"));
  EXPECT_TRUE(d.done && d.reusable && !d.delete_pod);
  PodView broken = ReadyPod("p");
  broken.phase = "Failed";
  EXPECT_TRUE(DecideRecycle("Noop", broken).delete_pod);
}

TEST(RecycleTest, RestartIsHandledAsDeleteAndSaysSo) {
  RecycleDecision d = DecideRecycle("Restart", ReadyPod("p"));
  EXPECT_TRUE(d.delete_pod);
  EXPECT_TRUE(d.restart_unsupported);
  EXPECT_FALSE(d.reusable);
}

TEST(ExpiryTest, PastTimeExpiresAtOnceFutureTimeIsARecheck) {
  EXPECT_FALSE(DecideExpiry(std::nullopt, T(0)).expired);
  ExpiryDecision past = DecideExpiry("2020-01-01T00:00:00Z", T(0));
  EXPECT_TRUE(past.expired);
  ExpiryDecision future = DecideExpiry(kube::FormatTime(T(60)), T(0));
  EXPECT_FALSE(future.expired);
  EXPECT_EQ(future.recheck, T(60));
  EXPECT_FALSE(DecideExpiry("tomorrow", T(0)).error.empty());
}

TEST(RequeueHintTest, KeepsTheEarliestTime) {
  RequeueHint hint;
  EXPECT_FALSE(hint.After(T(0)).has_value());
  hint.At(T(30));
  hint.At(std::optional<kube::Time>());
  hint.At(T(10));
  hint.At(T(20));
  EXPECT_EQ(hint.earliest(), T(10));
  EXPECT_EQ(hint.After(T(4)), std::chrono::seconds(6));
  EXPECT_EQ(hint.After(T(40)), std::chrono::nanoseconds(0));
}

}  // namespace
}  // namespace osbx::scheduler
