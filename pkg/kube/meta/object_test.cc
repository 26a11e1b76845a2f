#include "pkg/kube/meta/object.h"

#include <gtest/gtest.h>

namespace osbx::kube {
namespace {

Json Pod() {
  return Json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "namespace": "ns", "uid": "u-1", "resourceVersion": "42",
                 "generation": 3, "creationTimestamp": "2026-11-29T18:04:28Z",
                 "labels": {"a": "1"}, "annotations": {"x": "y"},
                 "finalizers": ["f/one"],
                 "ownerReferences": [
                   {"apiVersion": "v1", "kind": "Node", "name": "n", "uid": "node-uid"},
                   {"apiVersion": "sandbox.opensandbox.io/v1alpha1", "kind": "BatchSandbox",
                    "name": "bsx", "uid": "bsx-uid", "controller": true,
                    "blockOwnerDeletion": true}]}})");
}

TEST(ObjectTest, ReadsMetadataScalars) {
  Json pod = Pod();
  EXPECT_EQ(GetName(pod), "p");
  EXPECT_EQ(GetNamespace(pod), "ns");
  EXPECT_EQ(GetUid(pod), "u-1");
  EXPECT_EQ(GetResourceVersion(pod), "42");
  EXPECT_EQ(GetGeneration(pod), 3);
  EXPECT_EQ(GetApiVersion(pod), "v1");
  EXPECT_EQ(GetKind(pod), "Pod");
  ASSERT_TRUE(GetCreationTimestamp(pod).has_value());
  EXPECT_EQ(FormatTime(*GetCreationTimestamp(pod)), "2026-11-29T18:04:28Z");
  EXPECT_FALSE(IsBeingDeleted(pod));
  pod["metadata"]["deletionTimestamp"] = "2026-11-29T18:05:00Z";
  EXPECT_TRUE(IsBeingDeleted(pod));
  EXPECT_TRUE(GetDeletionTimestamp(pod).has_value());
}

TEST(ObjectTest, MissingOrMistypedFieldsReadAsEmpty) {
  for (const Json& obj : {Json(), Json("x"), Json::object(), Json{{"metadata", 5}},
                          Json{{"metadata", {{"name", 7}, {"generation", "x"}}}}}) {
    EXPECT_EQ(GetName(obj), "");
    EXPECT_EQ(GetGeneration(obj), 0);
    EXPECT_EQ(GetLabel(obj, "a"), std::nullopt);
    EXPECT_TRUE(GetFinalizers(obj).empty());
    EXPECT_TRUE(GetOwnerReferences(obj).empty());
    EXPECT_EQ(GetCreationTimestamp(obj), std::nullopt);
  }
}

TEST(ObjectTest, NamespacedKeysRoundTrip) {
  EXPECT_EQ(NamespacedKey(Pod()), "ns/p");
  EXPECT_EQ(NamespacedKey(Json{{"metadata", {{"name", "node-1"}}}}), "node-1");
  EXPECT_EQ(SplitNamespacedKey("ns/p"), (std::pair<std::string, std::string>{"ns", "p"}));
  EXPECT_EQ(SplitNamespacedKey("node-1"), (std::pair<std::string, std::string>{"", "node-1"}));
}

TEST(ObjectTest, LabelsJsonFeedsSelectorsWithoutCopies) {
  EXPECT_EQ(GetLabelsJson(Pod()), Json({{"a", "1"}}));
  EXPECT_TRUE(GetLabelsJson(Json()).is_null());
  EXPECT_TRUE(GetLabelsJson(Json{{"metadata", {{"labels", "x"}}}}).is_null());
}

TEST(ObjectTest, LabelAndAnnotationWritesReportChange) {
  Json pod = Pod();
  EXPECT_FALSE(SetLabel(pod, "a", "1"));
  EXPECT_TRUE(SetLabel(pod, "a", "2"));
  EXPECT_EQ(GetLabel(pod, "a"), "2");
  EXPECT_TRUE(RemoveLabel(pod, "a"));
  EXPECT_FALSE(RemoveLabel(pod, "a"));
  Json empty;
  EXPECT_TRUE(SetAnnotation(empty, "k", "v"));
  EXPECT_EQ(GetAnnotations(empty), (std::map<std::string, std::string>{{"k", "v"}}));
  EXPECT_TRUE(RemoveAnnotation(empty, "k"));
  Json null_object;
  EXPECT_FALSE(RemoveAnnotation(null_object, "k"));
  EXPECT_TRUE(null_object.is_null());
}

TEST(ObjectTest, FinalizersAddOnceAndDropListWhenEmpty) {
  Json pod = Pod();
  EXPECT_TRUE(HasFinalizer(pod, "f/one"));
  EXPECT_FALSE(AddFinalizer(pod, "f/one"));
  EXPECT_TRUE(AddFinalizer(pod, "f/two"));
  EXPECT_EQ(GetFinalizers(pod), (std::vector<std::string>{"f/one", "f/two"}));
  EXPECT_TRUE(RemoveFinalizer(pod, "f/one"));
  EXPECT_FALSE(RemoveFinalizer(pod, "f/one"));
  EXPECT_TRUE(RemoveFinalizer(pod, "f/two"));
  EXPECT_FALSE(pod["metadata"].contains("finalizers"));
}

TEST(ObjectTest, FindsTheControllerOwner) {
  Json pod = Pod();
  std::optional<OwnerReference> owner = GetControllerOf(pod);
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->name, "bsx");
  EXPECT_TRUE(IsControlledBy(pod, "bsx-uid"));
  EXPECT_FALSE(IsControlledBy(pod, "node-uid"));
  EXPECT_EQ(GetOwnerReferences(pod).size(), 2u);
}

TEST(ObjectTest, ControllerRefCarriesBlockOwnerDeletion) {
  Json owner = {{"metadata", {{"name", "pool-a"}, {"uid", "pool-uid"}}}};
  OwnerReference ref = MakeControllerRef(owner, "sandbox.opensandbox.io/v1alpha1", "Pool");
  EXPECT_EQ(ref.ToJson(), Json::parse(R"({"apiVersion":"sandbox.opensandbox.io/v1alpha1",
      "kind":"Pool","name":"pool-a","uid":"pool-uid","controller":true,
      "blockOwnerDeletion":true})"));
  EXPECT_EQ(OwnerReference::FromJson(ref.ToJson()), ref);
}

TEST(ObjectTest, SetControllerReferenceRefusesASecondController) {
  Json pod = Pod();
  OwnerReference other{"sandbox.opensandbox.io/v1alpha1", "Pool", "pool-a", "pool-uid", {}, {}};
  Status s = SetControllerReference(pod, other);
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(s.message(), "Object ns/p is already owned by another BatchSandbox controller bsx");

  Json orphan = {{"metadata", {{"name", "q"}, {"namespace", "ns"}}}};
  ASSERT_TRUE(SetControllerReference(orphan, other).ok());
  ASSERT_TRUE(GetControllerOf(orphan).has_value());
  EXPECT_EQ(GetControllerOf(orphan)->block_owner_deletion, true);
  // Same owner again (another version of the group) replaces, never duplicates.
  other.api_version = "sandbox.opensandbox.io/v1beta1";
  ASSERT_TRUE(SetControllerReference(orphan, other).ok());
  EXPECT_EQ(GetOwnerReferences(orphan).size(), 1u);
  EXPECT_EQ(GetOwnerReferences(orphan)[0].api_version, "sandbox.opensandbox.io/v1beta1");
}

TEST(ObjectTest, UpsertAndRemoveOwnerReferences) {
  Json pod = Pod();
  OwnerReference node{"v1", "Node", "n", "node-uid", {}, {}};
  EXPECT_FALSE(UpsertOwnerReference(pod, node));
  EXPECT_TRUE(RemoveOwnerReference(pod, "node-uid"));
  EXPECT_FALSE(RemoveOwnerReference(pod, "node-uid"));
  EXPECT_TRUE(RemoveOwnerReference(pod, "bsx-uid"));
  EXPECT_FALSE(pod["metadata"].contains("ownerReferences"));
}

}  // namespace
}  // namespace osbx::kube
