#include "api/v1alpha1/conditions.h"

#include <gtest/gtest.h>

namespace osbx::api::v1alpha1 {
namespace {

Condition Make(const char* type, std::string_view status, const char* reason) {
  Condition c;
  c.type = type;
  c.status = std::string(status);
  c.reason = reason;
  return c;
}

TEST(ConditionsTest, NewConditionGetsTheTransitionTime) {
  std::vector<Condition> list;
  EXPECT_TRUE(SetCondition(list, Make("Ready", kConditionStatusTrue, "PodsReady"), "T1"));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].last_transition_time, "T1");
  EXPECT_TRUE(IsConditionTrue(list, "Ready"));
}

TEST(ConditionsTest, UnchangedConditionIsNotAChange) {
  std::vector<Condition> list;
  ASSERT_TRUE(SetCondition(list, Make("Ready", kConditionStatusTrue, "PodsReady"), "T1"));
  EXPECT_FALSE(SetCondition(list, Make("Ready", kConditionStatusTrue, "PodsReady"), "T2"));
  EXPECT_EQ(list[0].last_transition_time, "T1");
}

TEST(ConditionsTest, ReasonChangeKeepsTheTransitionTime) {
  std::vector<Condition> list;
  ASSERT_TRUE(SetCondition(list, Make("Ready", kConditionStatusFalse, "Creating"), "T1"));
  EXPECT_TRUE(SetCondition(list, Make("Ready", kConditionStatusFalse, "PoolExhausted"), "T2"));
  EXPECT_EQ(list[0].reason, "PoolExhausted");
  EXPECT_EQ(list[0].last_transition_time, "T1");
}

TEST(ConditionsTest, FalseIsKeptAndStatusChangeMovesTheTime) {
  std::vector<Condition> list;
  ASSERT_TRUE(SetCondition(list, Make("Ready", kConditionStatusTrue, "PodsReady"), "T1"));
  EXPECT_TRUE(SetCondition(list, Make("Ready", kConditionStatusFalse, "PodFailed"), "T2"));
  ASSERT_NE(FindCondition(list, "Ready"), nullptr);
  EXPECT_EQ(FindCondition(list, "Ready")->last_transition_time, "T2");
  EXPECT_FALSE(IsConditionTrue(list, "Ready"));
}

TEST(ConditionsTest, RemoveReportsWhetherSomethingWasRemoved) {
  std::vector<Condition> list;
  ASSERT_TRUE(SetCondition(list, Make("A", kConditionStatusTrue, "X"), "T"));
  ASSERT_TRUE(SetCondition(list, Make("B", kConditionStatusTrue, "X"), "T"));
  EXPECT_TRUE(RemoveCondition(list, "A"));
  EXPECT_FALSE(RemoveCondition(list, "A"));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].type, "B");
}

}  // namespace
}  // namespace osbx::api::v1alpha1
