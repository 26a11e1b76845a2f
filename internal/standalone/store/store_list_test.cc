// List semantics: key order under a prefix, pages that form one snapshot at the first page's RV,
// Gone below the history floor.
#include <gtest/gtest.h>

#include "internal/standalone/store/store.h"
#include "internal/standalone/store/test_util.h"

namespace osbx::standalone {
namespace {

using testing::DataOf;
using testing::ObjectJson;
using testing::TempDir;

class StoreListTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen(StoreOptions options = {}) {
    store_.reset();
    auto opened = Store::Open(dir_.path(), std::move(options));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  void Create(const std::string& key, const std::string& data = "v1") {
    ASSERT_TRUE(store_->Create(key, ObjectJson(key, data)).ok());
  }
  ListResponse MustList(const std::string& prefix, size_t limit = 0, int64_t rv = 0,
                        const std::string& start = "") {
    ListRequest request;
    request.prefix = prefix;
    request.limit = limit;
    request.rv = rv;
    request.start_key = start;
    request.count_remaining = true;
    auto r = store_->List(request);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ListResponse{};
  }
  static std::vector<std::string> Keys(const ListResponse& r) {
    std::vector<std::string> keys;
    for (const auto& o : r.items) keys.push_back(o->key);
    return keys;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreListTest, ListsLiveObjectsUnderThePrefixInKeyOrder) {
  Create("/sb/ns/page-1");
  Create("/sb/ns/basic");
  Create("/sb/ns2/x");
  Create("/sbx/ns/y");
  Create("/sb/ns/gone");
  ASSERT_TRUE(store_->Delete("/sb/ns/gone").ok());
  ListResponse all = MustList("/sb/ns/");
  EXPECT_EQ(Keys(all), (std::vector<std::string>{"/sb/ns/basic", "/sb/ns/page-1"}));
  EXPECT_EQ(all.rv, store_->CurrentRv());
  EXPECT_EQ(all.next_key, "");
  EXPECT_EQ(Keys(MustList("/sb/")).size(), 3u);
}

TEST_F(StoreListTest, PagesAreOneSnapshotAtTheFirstPagesRv) {
  for (const char* name : {"a", "b", "c", "d", "e"}) Create(std::string("/p/") + name);
  ListResponse page1 = MustList("/p/", 2);
  EXPECT_EQ(Keys(page1), (std::vector<std::string>{"/p/a", "/p/b"}));
  EXPECT_EQ(page1.remaining, 3);
  // Writes between pages: none of them may show in later pages.
  Create("/p/bb");
  ASSERT_TRUE(store_->Update("/p/c", ObjectJson("c", "v2")).ok());
  ASSERT_TRUE(store_->Delete("/p/e").ok());
  ListResponse page2 = MustList("/p/", 2, page1.rv, page1.next_key);
  EXPECT_EQ(Keys(page2), (std::vector<std::string>{"/p/c", "/p/d"}));
  EXPECT_EQ(DataOf(page2.items[0]->value), "v1");
  EXPECT_EQ(page2.rv, page1.rv);
  ListResponse page3 = MustList("/p/", 2, page1.rv, page2.next_key);
  EXPECT_EQ(Keys(page3), (std::vector<std::string>{"/p/e"}));
  EXPECT_EQ(page3.next_key, "");
  // A fresh list sees the new state.
  EXPECT_EQ(Keys(MustList("/p/")),
            (std::vector<std::string>{"/p/a", "/p/b", "/p/bb", "/p/c", "/p/d"}));
}

TEST_F(StoreListTest, ListAtACompactedRvIsGone) {
  StoreOptions options;
  options.history_max_events = 2;
  Reopen(options);
  Create("/p/a");
  ListResponse page1 = MustList("/p/", 1);
  for (int i = 0; i < 5; ++i) Create("/p/z" + std::to_string(i));
  ListRequest request;
  request.prefix = "/p/";
  request.rv = page1.rv;
  request.start_key = page1.next_key;
  auto r = store_->List(request);
  EXPECT_TRUE(r.status().IsGone()) << r.status().ToString();
}

TEST_F(StoreListTest, ListAtAnRvNotYetReachedTimesOut) {
  StoreOptions options;
  options.future_rv_wait = std::chrono::seconds(0);
  Reopen(options);
  Create("/p/a");
  ListRequest request;
  request.rv = store_->CurrentRv() + 100;
  EXPECT_EQ(store_->List(request).status().code(), StatusCode::kServerTimeout);
}

TEST_F(StoreListTest, ListAfterRestartServesTheReloadedObjects) {
  Create("/p/b", "kept");
  Create("/p/a", "kept");
  Reopen();
  ListResponse all = MustList("/p/");
  EXPECT_EQ(Keys(all), (std::vector<std::string>{"/p/a", "/p/b"}));
  EXPECT_EQ(DataOf(all.items[1]->value), "kept");
  EXPECT_EQ(all.rv, store_->CompactedRv());  // a list at the reloaded RV is still answerable
}

}  // namespace
}  // namespace osbx::standalone
