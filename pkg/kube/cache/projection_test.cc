#include "pkg/kube/cache/projection.h"

#include <gtest/gtest.h>

namespace osbx::kube {
namespace {

using P = FieldProjection;

Json Projected(Json value, const FieldProjection& projection) {
  Project(value, projection);
  return value;
}

TEST(ProjectionTest, OnlyKeepsTheListedMembersEachByItsOwnRule) {
  const P rule = P::Only({{"a", P::Whole()}, {"b", P::Only({{"x", P::Whole()}})}});
  EXPECT_EQ(Projected(Json{{"a", {{"deep", 1}}}, {"b", {{"x", 1}, {"y", 2}}}, {"c", 3}}, rule),
            (Json{{"a", {{"deep", 1}}}, {"b", {{"x", 1}}}}));
}

TEST(ProjectionTest, ExceptKeepsUnlistedMembersWholeAndDropsDroppedOnes) {
  const P rule = P::Except({{"gone", P::Drop()}, {"b", P::Only({{"x", P::Whole()}})}});
  EXPECT_EQ(Projected(Json{{"a", {1, 2}}, {"b", {{"x", 1}, {"y", 2}}}, {"gone", "z"}}, rule),
            (Json{{"a", {1, 2}}, {"b", {{"x", 1}}}}));
}

TEST(ProjectionTest, EachAppliesTheRuleToEveryElement) {
  const P rule = P::Each(P::Only({{"name", P::Whole()}}));
  EXPECT_EQ(Projected(Json::parse(R"([{"name":"a","x":1},{"x":2},"s"])"), rule),
            Json::parse(R"([{"name":"a"},{},"s"])"));
}

TEST(ProjectionTest, EachWhereKeepsOnlyObjectsWhoseMemberIsTheString) {
  const P rule = P::EachWhere("type", "Ready", P::Only({{"type", P::Whole()}}));
  const Json conditions = Json::parse(
      R"([{"type":"Ready","x":1},{"type":"Other"},{"type":true},{"x":1},"Ready",{"type":"Ready"}])");
  EXPECT_EQ(Projected(conditions, rule), Json::parse(R"([{"type":"Ready"},{"type":"Ready"}])"));
}

TEST(ProjectionTest, DropIfEmptyRemovesOnlyObjectsLeftEmpty) {
  const P rule = P::Except({{"o", P::Only({{"k", P::Whole()}}).DropIfEmpty()},
                            {"kept", P::Only({{"k", P::Whole()}}).DropIfEmpty()},
                            {"arr", P::Whole().DropIfEmpty()},
                            {"str", P::Only({}).DropIfEmpty()}});
  EXPECT_EQ(
      Projected(
          Json{{"o", {{"other", 1}}}, {"kept", {{"k", 1}}}, {"arr", Json::array()}, {"str", ""}},
          rule),
      (Json{{"kept", {{"k", 1}}}, {"arr", Json::array()}, {"str", ""}}));
}

TEST(ProjectionTest, DropIfEmptyElementsLeaveTheArray) {
  const P rule = P::Each(P::Only({{"k", P::Whole()}}).DropIfEmpty());
  EXPECT_EQ(Projected(Json::parse(R"([{"x":1},{"k":2},[]])"), rule),
            Json::parse(R"([{"k":2},[]])"));
}

TEST(ProjectionTest, MistypedValuesAreKeptAsTheyCame) {
  const P rule = P::Only(
      {{"obj", P::Only({{"k", P::Whole()}})}, {"arr", P::Each(P::Only({{"k", P::Whole()}}))}});
  const Json odd{{"obj", {1, 2}}, {"arr", {{"k", 1}, {"x", 2}}}};
  EXPECT_EQ(Projected(odd, rule), odd);
  EXPECT_EQ(Projected("text", rule), Json("text"));
}

TEST(ProjectionTest, TheRootStaysEvenWhenEmptied) {
  EXPECT_EQ(Projected(Json{{"x", 1}}, P::Only({}).DropIfEmpty()), Json::object());
}

TEST(ProjectionTest, ProjectingTwiceChangesNothing) {
  const P rule = P::Only({{"a", P::EachWhere("t", "y", P::Only({{"t", P::Whole()}}))},
                          {"b", P::Except({{"c", P::Drop()}}).DropIfEmpty()}});
  const Json once =
      Projected(Json::parse(R"({"a":[{"t":"y","u":1},{"t":"n"}],"b":{"c":1},"z":0})"), rule);
  EXPECT_EQ(once, Json::parse(R"({"a":[{"t":"y"}]})"));
  EXPECT_EQ(Projected(once, rule), once);
}

}  // namespace
}  // namespace osbx::kube
