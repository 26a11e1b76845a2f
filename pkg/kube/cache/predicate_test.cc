#include "pkg/kube/cache/predicate.h"

#include <gtest/gtest.h>

#include "pkg/kube/cache/object_meta.h"
#include "pkg/kube/cache/test_objects.h"

namespace osbx::kube {
namespace {

using testing::MakePod;
using testing::PodSpec;

TEST(PredicateTest, UnsetPredicatePassesEverything) {
  Predicate p;
  Json pod = MakePod("ns", "a", "1");
  EXPECT_TRUE(p.Create(pod));
  EXPECT_TRUE(p.Update(pod, pod));
  EXPECT_TRUE(p.Delete(pod));
}

TEST(PredicateTest, GenerationChangedSkipsStatusOnlyUpdatesButPassesCreateAndDelete) {
  Predicate p = GenerationChanged();
  Json v1 = MakePod(PodSpec{.name = "a", .rv = "1", .generation = 1});
  Json status_write = MakePod(PodSpec{.name = "a", .rv = "2", .generation = 1});
  Json spec_write = MakePod(PodSpec{.name = "a", .rv = "3", .generation = 2});
  EXPECT_FALSE(p.Update(v1, status_write));
  EXPECT_TRUE(p.Update(status_write, spec_write));
  EXPECT_TRUE(p.Create(v1));
  EXPECT_TRUE(p.Delete(v1));
}

TEST(PredicateTest, LabelsAndAnnotationsChangedCompareOnlyTheirMap) {
  Json plain = MakePod(PodSpec{.name = "a", .rv = "1"});
  Json labelled = MakePod(PodSpec{.name = "a", .rv = "2", .labels = {{"k", "v"}}});
  Json annotated = MakePod(PodSpec{.name = "a", .rv = "3", .annotations = {{"k", "v"}}});
  EXPECT_TRUE(LabelsChanged().Update(plain, labelled));
  EXPECT_FALSE(LabelsChanged().Update(plain, annotated));
  EXPECT_TRUE(AnnotationsChanged().Update(plain, annotated));
  EXPECT_FALSE(AnnotationsChanged().Update(plain, labelled));
  Json empty_labels = plain;
  empty_labels["metadata"]["labels"] = Json::object();
  EXPECT_FALSE(LabelsChanged().Update(plain, empty_labels)) << "absent and empty are the same";
}

TEST(PredicateTest, ResourceVersionChangedSkipsResyncs) {
  Json v1 = MakePod("ns", "a", "1");
  Json v2 = MakePod("ns", "a", "2");
  EXPECT_FALSE(ResourceVersionChanged().Update(v1, v1));
  EXPECT_TRUE(ResourceVersionChanged().Update(v1, v2));
}

TEST(PredicateTest, FilterObjectsAppliesToEveryKindAndToTheNewObjectOnUpdate) {
  Predicate in_team_a = FilterObjects([](const Json& obj) {
    const Json* labels = MetaMap(obj, "labels");
    return labels != nullptr && labels->value("team", "") == "a";
  });
  Json a = MakePod(PodSpec{.name = "x", .labels = {{"team", "a"}}});
  Json b = MakePod(PodSpec{.name = "x", .labels = {{"team", "b"}}});
  EXPECT_TRUE(in_team_a.Create(a));
  EXPECT_FALSE(in_team_a.Create(b));
  EXPECT_TRUE(in_team_a.Update(b, a));
  EXPECT_FALSE(in_team_a.Update(a, b));
  EXPECT_FALSE(in_team_a.Delete(b));
}

TEST(PredicateTest, AndOrNotCombinePerEventKind) {
  Json v1 = MakePod(PodSpec{.name = "a", .rv = "1", .generation = 1});
  Json relabel = MakePod(PodSpec{.name = "a", .rv = "2", .generation = 1, .labels = {{"k", "v"}}});
  Predicate either = Or({GenerationChanged(), LabelsChanged()});
  Predicate both = And({GenerationChanged(), LabelsChanged()});
  EXPECT_TRUE(either.Update(v1, relabel));
  EXPECT_FALSE(both.Update(v1, relabel));
  EXPECT_TRUE(Not(GenerationChanged()).Update(v1, relabel));
  EXPECT_FALSE(Not(GenerationChanged()).Create(v1)) << "Not inverts creates too";
  EXPECT_TRUE(And({}).Create(v1));
  EXPECT_FALSE(Or({}).Create(v1));
}

}  // namespace
}  // namespace osbx::kube
