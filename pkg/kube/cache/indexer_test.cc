#include "pkg/kube/cache/indexer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "pkg/kube/cache/object_meta.h"
#include "pkg/kube/cache/test_objects.h"
#include "pkg/kube/cache/transform.h"

namespace osbx::kube {
namespace {

using testing::MakePod;
using testing::PodSpec;
using ::testing::UnorderedElementsAre;

ObjectPtr Ptr(Json j) { return std::make_shared<const Json>(std::move(j)); }

std::vector<std::string> Names(const std::vector<ObjectPtr>& objects) {
  std::vector<std::string> names;
  for (const ObjectPtr& o : objects) names.emplace_back(MetaString(*o, "name"));
  return names;
}

Indexer AllBuiltInIndices() {
  return Indexer(Indexers{{std::string(kNamespaceIndex), IndexByNamespace},
                          {std::string(kOwnerUidIndex), IndexByOwnerUid},
                          {std::string(kLabelIndex), IndexByLabel}});
}

TEST(ObjectKeyTest, NamespacedObjectsAreKeyedNamespaceSlashName) {
  EXPECT_EQ(*ObjectKey(MakePod("ns", "a", "1")), "ns/a");
  EXPECT_EQ(*ObjectKey(Json{{"metadata", {{"name", "node-1"}}}}), "node-1");
  EXPECT_FALSE(ObjectKey(Json{{"metadata", {{"namespace", "x"}}}}).ok());
  EXPECT_FALSE(ObjectKey(Json::array()).ok());
}

TEST(IndexerTest, UpsertReturnsThePreviousObjectAndGetReturnsTheLatest) {
  Indexer store;
  EXPECT_EQ(*store.Upsert(Ptr(MakePod("ns", "a", "1"))), nullptr);
  StatusOr<ObjectPtr> old = store.Upsert(Ptr(MakePod("ns", "a", "2")));
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(MetaString(**old, "resourceVersion"), "1");
  EXPECT_EQ(MetaString(*store.Get("ns/a"), "resourceVersion"), "2");
  EXPECT_EQ(store.Size(), 1u);
}

TEST(IndexerTest, NamelessObjectIsRejected) {
  Indexer store;
  EXPECT_TRUE(store.Upsert(Ptr(Json{{"metadata", Json::object()}})).status().IsInvalid());
  EXPECT_EQ(store.Size(), 0u);
}

TEST(IndexerTest, ByIndexFindsObjectsByNamespaceOwnerAndLabel) {
  Indexer store = AllBuiltInIndices();
  PodSpec a{.ns = "n1", .name = "a", .labels = {{"pool", "p1"}}, .owner_uids = {"u1"}};
  PodSpec b{.ns = "n1", .name = "b", .labels = {{"pool", "p2"}}, .owner_uids = {"u1", "u2"}};
  PodSpec c{.ns = "n2", .name = "c", .labels = {{"pool", "p1"}}};
  for (const PodSpec& s : {a, b, c}) ASSERT_TRUE(store.Upsert(Ptr(MakePod(s))).ok());

  EXPECT_THAT(Names(*store.ByIndex(kNamespaceIndex, "n1")), UnorderedElementsAre("a", "b"));
  EXPECT_THAT(Names(*store.ByIndex(kOwnerUidIndex, "u1")), UnorderedElementsAre("a", "b"));
  EXPECT_THAT(Names(*store.ByIndex(kOwnerUidIndex, "u2")), UnorderedElementsAre("b"));
  EXPECT_THAT(Names(*store.ByIndex(kLabelIndex, LabelIndexValue("pool", "p1"))),
              UnorderedElementsAre("a", "c"));
  EXPECT_TRUE(store.ByIndex(kLabelIndex, "pool=none")->empty());
  EXPECT_TRUE(store.ByIndex("nope", "x").status().IsNotFound());
}

TEST(IndexerTest, UpdateMovesTheObjectBetweenIndexValuesAndDeleteRemovesIt) {
  Indexer store = AllBuiltInIndices();
  ASSERT_TRUE(store.Upsert(Ptr(MakePod(PodSpec{.name = "a", .labels = {{"pool", "p1"}}}))).ok());
  ASSERT_TRUE(store.Upsert(Ptr(MakePod(PodSpec{.name = "a", .labels = {{"pool", "p2"}}}))).ok());
  EXPECT_TRUE(store.ByIndex(kLabelIndex, "pool=p1")->empty());
  EXPECT_THAT(*store.IndexKeys(kLabelIndex, "pool=p2"), UnorderedElementsAre("default/a"));
  ASSERT_NE(store.Delete("default/a"), nullptr);
  EXPECT_TRUE(store.ByIndex(kLabelIndex, "pool=p2")->empty());
  EXPECT_EQ(store.Delete("default/a"), nullptr);
}

TEST(IndexerTest, CustomIndexAddedLaterCoversExistingObjects) {
  Indexer store;
  ASSERT_TRUE(store.Upsert(Ptr(MakePod("ns", "a", "1"))).ok());
  ASSERT_TRUE(store.Upsert(Ptr(MakePod("ns", "bb", "1"))).ok());
  IndexFunc by_name_length = [](const Json& obj) {
    return std::vector<std::string>{std::to_string(MetaString(obj, "name").size())};
  };
  ASSERT_TRUE(store.AddIndex("nameLength", by_name_length).ok());
  EXPECT_THAT(Names(*store.ByIndex("nameLength", "2")), UnorderedElementsAre("bb"));
  EXPECT_TRUE(store.AddIndex("nameLength", by_name_length).IsAlreadyExists());
}

TEST(IndexerTest, ReplaceReportsAddedUpdatedAndVanishedObjects) {
  Indexer store = AllBuiltInIndices();
  ASSERT_TRUE(store.Upsert(Ptr(MakePod(PodSpec{.name = "keep", .rv = "1"}))).ok());
  ASSERT_TRUE(store.Upsert(Ptr(MakePod(PodSpec{.name = "gone", .labels = {{"x", "y"}}}))).ok());
  Indexer::ReplaceResult r = store.Replace(
      {Ptr(MakePod(PodSpec{.name = "keep", .rv = "2"})), Ptr(MakePod(PodSpec{.name = "new"}))});
  EXPECT_THAT(Names(r.added), UnorderedElementsAre("new"));
  ASSERT_EQ(r.updated.size(), 1u);
  EXPECT_EQ(MetaString(*r.updated[0].first, "resourceVersion"), "1");
  EXPECT_EQ(MetaString(*r.updated[0].second, "resourceVersion"), "2");
  EXPECT_THAT(Names(r.deleted), UnorderedElementsAre("gone"));
  EXPECT_THAT(store.ListKeys(), UnorderedElementsAre("default/keep", "default/new"));
  EXPECT_TRUE(store.ByIndex(kLabelIndex, "x=y")->empty()) << "vanished objects leave the indices";
}

TEST(IndexerTest, ReadersKeepTheirSnapshotWhenTheCacheMovesOn) {
  Indexer store;
  ASSERT_TRUE(store.Upsert(Ptr(MakePod("ns", "a", "1"))).ok());
  ObjectPtr held = store.Get("ns/a");
  ASSERT_TRUE(store.Upsert(Ptr(MakePod("ns", "a", "2"))).ok());
  (void)store.Delete("ns/a");
  EXPECT_EQ(MetaString(*held, "resourceVersion"), "1");
}

TEST(TransformTest, StripManagedFieldsKeepsEverythingElse) {
  Json pod = MakePod(PodSpec{.name = "a", .labels = {{"k", "v"}}});
  StripManagedFields(pod);
  EXPECT_FALSE(pod["metadata"].contains("managedFields"));
  EXPECT_EQ(pod["metadata"]["labels"]["k"], "v");
}

TEST(TransformTest, TrimPodKeepsWhatControllersReadAndDropsTheRest) {
  Json pod = MakePod(PodSpec{
      .name = "a",
      .annotations = {{"kubectl.kubernetes.io/last-applied-configuration", "{}"}, {"k", "v"}}});
  pod["metadata"]["ownerReferences"] = {{{"uid", "u"}}};
  pod["spec"] = {{"nodeName", "n1"},
                 {"volumes", Json::array({{{"name", "v"}}})},
                 {"containers", {{{"name", "c"}, {"image", "i"}, {"command", {"sh"}}}}}};
  pod["status"] = {
      {"phase", "Running"},
      {"podIP", "10.0.0.1"},
      {"qosClass", "BestEffort"},
      {"conditions",
       {{{"type", "Ready"}, {"status", "True"}, {"lastProbeTime", nullptr}},
        {{"type", "PodScheduled"}, {"status", "True"}}}},
      {"containerStatuses",
       {{{"name", "c"},
         {"ready", true},
         {"restartCount", 2},
         {"imageID", "sha"},
         {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}, {"message", "long text"}}}}}},
        {{"name", "d"}, {"state", {{"running", {{"startedAt", "t"}}}}}}}}};
  TrimPodForCache(pod);
  EXPECT_FALSE(pod.contains("kind"));
  EXPECT_FALSE(pod["metadata"].contains("managedFields"));
  EXPECT_EQ(pod["metadata"]["annotations"], (Json{{"k", "v"}}));
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["uid"], "u");
  EXPECT_EQ(pod["spec"], (Json{{"nodeName", "n1"}}));
  EXPECT_FALSE(pod["status"].contains("qosClass"));
  EXPECT_EQ(pod["status"]["conditions"], (Json{{{"type", "Ready"}, {"status", "True"}}}));
  const Json& crashing = pod["status"]["containerStatuses"][0];
  EXPECT_EQ(crashing, (Json{{"name", "c"},
                            {"restartCount", 2},
                            {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}}}));
  EXPECT_EQ(pod["status"]["containerStatuses"][1], (Json{{"name", "d"}}));
}

}  // namespace
}  // namespace osbx::kube
