#include "pkg/kube/meta/conditions.h"

#include <gtest/gtest.h>

namespace osbx::kube {
namespace {

using namespace std::chrono;

const Time kT0 = sys_days{year{2026} / 11 / 29} + hours{18};
const Time kT1 = kT0 + minutes{5};

Condition Ready(std::string status, std::string reason = "R", int64_t generation = 1) {
  return Condition{"Ready", std::move(status), std::move(reason), "msg", generation, std::nullopt};
}

TEST(ConditionsTest, AddingAConditionStampsTransitionTime) {
  Json conditions;
  EXPECT_TRUE(SetCondition(conditions, Ready("True"), kT0));
  ASSERT_TRUE(conditions.is_array());
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0]["lastTransitionTime"], "2026-11-29T18:00:00Z");
  EXPECT_EQ(conditions[0]["observedGeneration"], 1);
  EXPECT_TRUE(IsConditionTrue(conditions, "Ready"));
}

TEST(ConditionsTest, SettingTheSameConditionChangesNothing) {
  Json conditions;
  ASSERT_TRUE(SetCondition(conditions, Ready("True"), kT0));
  Json before = conditions;
  EXPECT_FALSE(SetCondition(conditions, Ready("True"), kT1));
  EXPECT_EQ(conditions, before);
}

TEST(ConditionsTest, TransitionTimeMovesOnlyWhenStatusChanges) {
  Json conditions;
  ASSERT_TRUE(SetCondition(conditions, Ready("True"), kT0));
  EXPECT_TRUE(SetCondition(conditions, Ready("True", "Other"), kT1));
  EXPECT_EQ(conditions[0]["lastTransitionTime"], "2026-11-29T18:00:00Z");
  EXPECT_EQ(conditions[0]["reason"], "Other");
  EXPECT_TRUE(SetCondition(conditions, Ready("False", "Other"), kT1));
  EXPECT_EQ(conditions[0]["lastTransitionTime"], "2026-11-29T18:05:00Z");
  EXPECT_FALSE(IsConditionTrue(conditions, "Ready"));
}

TEST(ConditionsTest, ObservedGenerationAloneIsAChange) {
  Json conditions;
  ASSERT_TRUE(SetCondition(conditions, Ready("True", "R", 1), kT0));
  EXPECT_TRUE(SetCondition(conditions, Ready("True", "R", 2), kT1));
  EXPECT_EQ(conditions[0]["observedGeneration"], 2);
  EXPECT_TRUE(SetCondition(conditions, Ready("True", "R", 0), kT1));
  EXPECT_FALSE(conditions[0].contains("observedGeneration"));
}

TEST(ConditionsTest, ExplicitTransitionTimeIsKept) {
  Json conditions;
  Condition c = Ready("True");
  c.last_transition_time = kT1;
  ASSERT_TRUE(SetCondition(conditions, c, kT0));
  std::optional<Condition> found = FindCondition(conditions, "Ready");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->last_transition_time, kT1);
  EXPECT_EQ(found->reason, "R");
  EXPECT_EQ(found->message, "msg");
}

TEST(ConditionsTest, OtherConditionsAreUntouchedAndRemovable) {
  Json conditions;
  ASSERT_TRUE(SetCondition(conditions, Ready("True"), kT0));
  ASSERT_TRUE(SetCondition(conditions, Condition{"Paused", "False", "", "", 0, {}}, kT0));
  EXPECT_EQ(conditions.size(), 2u);
  EXPECT_TRUE(RemoveCondition(conditions, "Ready"));
  EXPECT_FALSE(RemoveCondition(conditions, "Ready"));
  EXPECT_EQ(conditions.size(), 1u);
  EXPECT_EQ(FindCondition(conditions, "Ready"), std::nullopt);
}

TEST(ConditionsTest, ObjectHelpersWorkOnStatusConditions) {
  Json obj = {{"metadata", {{"name", "x"}}}};
  EXPECT_EQ(FindObjectCondition(obj, "Ready"), std::nullopt);
  EXPECT_TRUE(SetObjectCondition(obj, Ready("True"), kT0));
  EXPECT_EQ(obj["status"]["conditions"][0]["type"], "Ready");
  EXPECT_FALSE(SetObjectCondition(obj, Ready("True"), kT1));
  ASSERT_TRUE(FindObjectCondition(obj, "Ready").has_value());
  EXPECT_TRUE(RemoveObjectCondition(obj, "Ready"));
  EXPECT_TRUE(obj["status"]["conditions"].empty());
}

TEST(ConditionsTest, MalformedConditionsDoNotCrash) {
  Json conditions = Json::parse(R"([1, "x", {"type": 5}, {"type": "Ready", "status": true,
      "lastTransitionTime": "garbage"}])");
  std::optional<Condition> c = FindCondition(conditions, "Ready");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->status, "");
  EXPECT_EQ(c->last_transition_time, std::nullopt);
  EXPECT_TRUE(SetCondition(conditions, Ready("True"), kT0));
  Json not_a_list = "oops";
  EXPECT_TRUE(SetCondition(not_a_list, Ready("True"), kT0));
  EXPECT_TRUE(not_a_list.is_array());
}

}  // namespace
}  // namespace osbx::kube
