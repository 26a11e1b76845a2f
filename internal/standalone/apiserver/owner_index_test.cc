// Unit tests of the pieces behind the server's write and fan-out paths: the garbage collector's
// owner index, the shared watch-line cache and the completion executor.

#include "internal/standalone/apiserver/owner_index.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>

#include "internal/standalone/apiserver/event_cache.h"
#include "internal/standalone/apiserver/executor.h"

namespace osbx::standalone {
namespace {

IndexedObject Obj(std::string key, std::string uid, std::vector<std::string> owners = {},
                  std::string ns = "default") {
  IndexedObject o;
  o.key = std::move(key);
  o.uid = std::move(uid);
  o.ns = std::move(ns);
  o.name = o.key.substr(o.key.rfind('/') + 1);
  o.owners = std::move(owners);
  return o;
}

bool Contains(const std::vector<std::string>& keys, const std::string& key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

TEST(OwnerIndexTest, RemovingAnOwnerMarksItsDependentsDirty) {
  OwnerIndex index;
  std::vector<std::string> dirty;
  index.Upsert(Obj("/g/owners/default/o", "u-owner"), &dirty);
  index.Upsert(Obj("/core/pods/default/a", "u-a", {"u-owner"}), &dirty);
  index.Upsert(Obj("/core/pods/default/b", "u-b", {"u-owner"}), &dirty);
  index.Upsert(Obj("/core/pods/default/c", "u-c"), &dirty);
  EXPECT_EQ(index.DependentCount("u-owner"), 2u);
  dirty.clear();
  index.Remove("/g/owners/default/o", &dirty);
  EXPECT_TRUE(Contains(dirty, "/core/pods/default/a"));
  EXPECT_TRUE(Contains(dirty, "/core/pods/default/b"));
  EXPECT_FALSE(Contains(dirty, "/core/pods/default/c"));
  EXPECT_EQ(index.ByUid("u-owner"), nullptr);
}

TEST(OwnerIndexTest, ADependentCreatedWithAMissingOwnerIsDirty) {
  OwnerIndex index;
  std::vector<std::string> dirty;
  index.Upsert(Obj("/core/pods/default/a", "u-a", {"u-gone"}), &dirty);
  EXPECT_TRUE(Contains(dirty, "/core/pods/default/a"));
}

TEST(OwnerIndexTest, ADeletingOwnerIsDirtyWhenItsLastDependentGoes) {
  OwnerIndex index;
  std::vector<std::string> dirty;
  IndexedObject owner = Obj("/g/owners/default/o", "u-owner");
  owner.deleting = true;
  owner.foreground = true;
  index.Upsert(owner, &dirty);
  index.Upsert(Obj("/core/pods/default/a", "u-a", {"u-owner"}), &dirty);
  dirty.clear();
  index.Remove("/core/pods/default/a", &dirty);
  EXPECT_TRUE(Contains(dirty, "/g/owners/default/o"));
  EXPECT_EQ(index.DependentCount("u-owner"), 0u);
}

TEST(OwnerIndexTest, DroppingAnOwnerReferenceMarksTheOrphaningOwnerDirty) {
  OwnerIndex index;
  std::vector<std::string> dirty;
  IndexedObject owner = Obj("/g/owners/default/o", "u-owner");
  owner.deleting = true;
  owner.orphan = true;
  index.Upsert(owner, &dirty);
  index.Upsert(Obj("/core/pods/default/a", "u-a", {"u-owner"}), &dirty);
  dirty.clear();
  index.Upsert(Obj("/core/pods/default/a", "u-a"), &dirty);
  EXPECT_TRUE(Contains(dirty, "/g/owners/default/o"));
  EXPECT_EQ(index.DependentCount("u-owner"), 0u);
}

TEST(OwnerIndexTest, ATerminatingNamespaceMarksItsContentsDirty) {
  OwnerIndex index;
  std::vector<std::string> dirty;
  IndexedObject ns = Obj("/core/namespaces/team", "u-ns", {}, "");
  ns.is_namespace = true;
  index.Upsert(ns, &dirty);
  index.Upsert(Obj("/core/pods/team/a", "u-a", {}, "team"), &dirty);
  EXPECT_EQ(index.NamespaceCount("team"), 1u);
  dirty.clear();
  ns.deleting = true;
  index.Upsert(ns, &dirty);
  EXPECT_TRUE(Contains(dirty, "/core/namespaces/team"));
  EXPECT_TRUE(Contains(dirty, "/core/pods/team/a"));
  dirty.clear();
  index.Remove("/core/pods/team/a", &dirty);
  EXPECT_TRUE(Contains(dirty, "/core/namespaces/team"));
}

TEST(OwnerIndexTest, PlainUpdatesOfUnownedObjectsNeedNoParse) {
  OwnerIndex index;
  std::vector<std::string> dirty;
  index.Upsert(Obj("/core/pods/default/a", "u-a"), &dirty);
  EXPECT_FALSE(index.MayMatter("/core/pods/default/a", R"({"metadata":{"name":"a"}})"));
  EXPECT_TRUE(
      index.MayMatter("/core/pods/default/a", R"({"metadata":{"name":"a","finalizers":["x"]}})"));
  EXPECT_TRUE(index.MayMatter("/core/pods/default/unknown", R"({"metadata":{}})"));
}

TEST(OwnerIndexTest, ParsesTheGcFactsOfAStoredObject) {
  auto object = IndexedObject::FromJson(
      "/core/pods/default/a", false,
      R"({"metadata":{"name":"a","namespace":"default","uid":"u-a",)"
      R"("deletionTimestamp":"2026-01-01T00:00:00Z","finalizers":["orphan"],)"
      R"("ownerReferences":[{"uid":"u-1"},{"uid":"u-2"}]}})");
  ASSERT_TRUE(object.has_value());
  EXPECT_EQ(object->uid, "u-a");
  EXPECT_EQ(object->ns, "default");
  EXPECT_TRUE(object->deleting);
  EXPECT_TRUE(object->orphan);
  EXPECT_FALSE(object->foreground);
  EXPECT_EQ(object->owners, (std::vector<std::string>{"u-1", "u-2"}));
  EXPECT_FALSE(IndexedObject::FromJson("/k", false, "not json").has_value());
}

TEST(EventCacheTest, OneLinePerEncodingIsSharedByEveryStream) {
  EventCache cache;
  auto version = std::make_shared<Object>();
  version->key = "/core/pods/default/a";
  version->value = R"({"metadata":{"name":"a"}})";
  int builds = 0;
  auto build = [&] {
    ++builds;
    return std::string("line\n");
  };
  auto first = cache.Line(version, "ADDED|json", build);
  auto second = cache.Line(version, "ADDED|json", build);
  auto other = cache.Line(version, "ADDED|meta", build);
  EXPECT_EQ(first.get(), second.get());
  EXPECT_NE(first.get(), other.get());
  EXPECT_EQ(builds, 2);
}

TEST(EventCacheTest, ForgetsTheOldestVersionsBeyondItsCapacity) {
  EventCache cache(2);
  std::vector<ObjectPtr> versions;
  for (int i = 0; i < 3; ++i) {
    auto v = std::make_shared<Object>();
    v->value = "{}";
    versions.push_back(v);
    (void)cache.Line(v, "x", [] { return std::string("l"); });
  }
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ExecutorTest, RunsEveryPostedTaskBeforeStopReturns) {
  std::atomic<int> ran{0};
  {
    Executor executor(3);
    for (int i = 0; i < 1000; ++i) executor.Post([&] { ran.fetch_add(1); });
    executor.Stop();
    EXPECT_EQ(ran.load(), 1000);
    executor.Post([&] { ran.fetch_add(1); });  // after Stop: runs inline
    EXPECT_EQ(ran.load(), 1001);
  }
}

TEST(ExecutorTest, RunsTasksConcurrently) {
  Executor executor(2);
  std::latch both(2);
  std::atomic<int> done{0};
  for (int i = 0; i < 2; ++i) {
    executor.Post([&] {
      both.arrive_and_wait();  // deadlocks unless two tasks run at once
      done.fetch_add(1);
    });
  }
  executor.Stop();
  EXPECT_EQ(done.load(), 2);
}

}  // namespace
}  // namespace osbx::standalone
