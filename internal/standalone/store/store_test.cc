// Writes, reads, resourceVersion rules, group commit, restart and bad databases.
#include "internal/standalone/store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "internal/standalone/store/test_util.h"

namespace osbx::standalone {
namespace {

using testing::DataOf;
using testing::ObjectJson;
using testing::RvOf;
using testing::TempDir;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen(StoreOptions options = {}) {
    store_.reset();
    auto opened = Store::Open(dir_.path(), std::move(options));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }
  ObjectPtr MustCreate(const std::string& key, const std::string& data = "d") {
    auto r = store_->Create(key, ObjectJson(key, data));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : nullptr;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, CreateStampsTheWritesRvIntoTheStoredBytes) {
  ObjectPtr obj = MustCreate("/core/configmaps/ns/a", "hello");
  EXPECT_EQ(RvOf(obj->value), std::to_string(obj->rv));
  auto got = store_->Get("/core/configmaps/ns/a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)->value, obj->value);
  EXPECT_EQ(DataOf((*got)->value), "hello");
  EXPECT_EQ(store_->CurrentRv(), obj->rv);
}

TEST_F(StoreTest, CreateOfAnExistingKeyIsAlreadyExists) {
  MustCreate("/k");
  auto again = store_->Create("/k", ObjectJson("k", "x"));
  EXPECT_TRUE(again.status().IsAlreadyExists());
}

TEST_F(StoreTest, UpdateChecksExistenceAndExpectedRv) {
  EXPECT_TRUE(store_->Update("/missing", ObjectJson("m", "x")).status().IsNotFound());
  ObjectPtr v1 = MustCreate("/k", "1");
  auto v2 = store_->Update("/k", ObjectJson("k", "2"), v1->rv);
  ASSERT_TRUE(v2.ok());
  auto stale = store_->Update("/k", ObjectJson("k", "3"), v1->rv);
  EXPECT_TRUE(stale.status().IsConflict()) << stale.status().ToString();
  auto unconditional = store_->Update("/k", ObjectJson("k", "4"));
  ASSERT_TRUE(unconditional.ok());
  EXPECT_EQ(DataOf((*store_->Get("/k"))->value), "4");
}

TEST_F(StoreTest, DeleteReturnsTheLastStateStampedWithTheDeletesRv) {
  ObjectPtr created = MustCreate("/k", "last");
  auto tomb = store_->Delete("/k");
  ASSERT_TRUE(tomb.ok());
  EXPECT_TRUE((*tomb)->deleted);
  EXPECT_GT((*tomb)->rv, created->rv);
  EXPECT_EQ(RvOf((*tomb)->value), std::to_string((*tomb)->rv));
  EXPECT_EQ(DataOf((*tomb)->value), "last");
  EXPECT_TRUE(store_->Get("/k").status().IsNotFound());
  EXPECT_TRUE(store_->Delete("/k").status().IsNotFound());
  EXPECT_TRUE(store_->Create("/k", ObjectJson("k", "again")).ok());
}

TEST_F(StoreTest, DeletePreconditionsGuardTheDelete) {
  ObjectPtr obj = MustCreate("/k");
  DeleteOptions stale_rv;
  stale_rv.expected_rv = obj->rv + 1;
  auto st = store_->Delete("/k", stale_rv).status();
  EXPECT_TRUE(st.IsConflict()) << st.ToString();
  DeleteOptions wrong_uid;
  wrong_uid.expected_uid = "other";
  EXPECT_TRUE(store_->Delete("/k", wrong_uid).status().IsConflict());
  DeleteOptions refused;
  refused.check = [](const Object&) { return InvalidError("has finalizers"); };
  EXPECT_TRUE(store_->Delete("/k", refused).status().IsInvalid());
  ASSERT_TRUE(store_->Get("/k").ok());
  DeleteOptions right;
  right.expected_rv = obj->rv;
  right.expected_uid = "uid-0";
  EXPECT_TRUE(store_->Delete("/k", right).ok());
}

TEST_F(StoreTest, ResourceVersionIsOneGlobalStrictlyIncreasingCounter) {
  int64_t last = store_->CurrentRv();
  for (int i = 0; i < 20; ++i) {
    std::string key = (i % 2 ? "/group-a/" : "/group-b/") + std::to_string(i);
    ObjectPtr obj = MustCreate(key);
    EXPECT_EQ(obj->rv, last + 1);
    last = obj->rv;
  }
  auto deleted = store_->Delete("/group-a/1");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ((*deleted)->rv, last + 1);
  ListRequest request;
  request.prefix = "/group-b/";
  auto list = store_->List(request);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->rv, (*deleted)->rv);  // a list's RV is the global one, not its items'
}

TEST_F(StoreTest, FailedPreconditionsDoNotConsumeRvs) {
  ObjectPtr a = MustCreate("/a");
  EXPECT_FALSE(store_->Create("/a", ObjectJson("a", "x")).ok());
  EXPECT_FALSE(store_->Update("/a", ObjectJson("a", "x"), 999).ok());
  EXPECT_EQ(MustCreate("/b")->rv, a->rv + 1);
}

TEST_F(StoreTest, GuaranteedUpdateRecomputesWhenAnotherWriteRacesIt) {
  MustCreate("/counter", "0");
  int calls = 0;
  auto result = store_->GuaranteedUpdate(
      "/counter", [&](const ObjectPtr& cur) -> StatusOr<std::optional<std::string>> {
        ++calls;
        int n = std::stoi(DataOf(cur->value));
        if (calls == 1) {  // another client writes between our read and our write
          EXPECT_TRUE(store_->Update("/counter", ObjectJson("counter", "10")).ok());
        }
        return std::optional<std::string>(ObjectJson("counter", std::to_string(n + 1)));
      });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(DataOf((*result)->value), "11");
}

TEST_F(StoreTest, GuaranteedUpdateUnderConcurrencyLosesNoIncrement) {
  MustCreate("/counter", "0");
  constexpr int kThreads = 8, kIncrements = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        auto r = store_->GuaranteedUpdate(
            "/counter", [](const ObjectPtr& cur) -> StatusOr<std::optional<std::string>> {
              int n = std::stoi(DataOf(cur->value));
              return std::optional<std::string>(ObjectJson("counter", std::to_string(n + 1)));
            });
        EXPECT_TRUE(r.ok()) << r.status().ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(DataOf((*store_->Get("/counter"))->value), std::to_string(kThreads * kIncrements));
}

TEST_F(StoreTest, GuaranteedUpdateWithoutChangeWritesNothing) {
  ObjectPtr obj = MustCreate("/k");
  auto r =
      store_->GuaranteedUpdate("/k", [](const ObjectPtr&) -> StatusOr<std::optional<std::string>> {
        return std::optional<std::string>();
      });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, obj);
  EXPECT_EQ(store_->CurrentRv(), obj->rv);
}

TEST_F(StoreTest, GuaranteedUpdateReportsErrorsAndMissingKeys) {
  auto fn = [](const ObjectPtr& cur) -> StatusOr<std::optional<std::string>> {
    if (cur) return InvalidError("refused");
    return std::optional<std::string>(ObjectJson("k", "made"));
  };
  EXPECT_TRUE(store_->GuaranteedUpdate("/k", fn).status().IsNotFound());
  auto created = store_->GuaranteedUpdate("/k", fn, /*allow_create=*/true);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(DataOf((*created)->value), "made");
  EXPECT_TRUE(store_->GuaranteedUpdate("/k", fn).status().IsInvalid());
}

TEST_F(StoreTest, GuaranteedWriteDeleteDecidesAgainOnTheVersionThatWonARace) {
  MustCreate("/k", "1");
  int calls = 0;
  std::string seen;
  auto removed =
      store_->GuaranteedWrite("/k", [&](const ObjectPtr& cur) -> StatusOr<WriteDecision> {
        ++calls;
        seen = DataOf(cur->value);
        if (calls == 1) {  // another client writes between our read and our delete
          EXPECT_TRUE(store_->Update("/k", ObjectJson("k", "2")).ok());
        }
        return WriteDecision::Remove();
      });
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(seen, "2");
  EXPECT_TRUE((*removed)->deleted);
  EXPECT_EQ(DataOf((*removed)->value), "2");  // the tombstone is the version it decided on
  EXPECT_TRUE(store_->Get("/k").status().IsNotFound());
}

TEST_F(StoreTest, GuaranteedWriteReportsDecisionErrorsAndMissingKeys) {
  auto remove = [](const ObjectPtr&) -> StatusOr<WriteDecision> { return WriteDecision::Remove(); };
  EXPECT_TRUE(store_->GuaranteedWrite("/absent", remove).status().IsNotFound());
  EXPECT_TRUE(
      store_->GuaranteedWrite("/absent", remove, /*allow_create=*/true).status().IsNotFound());
  MustCreate("/k");
  auto refuse = [](const ObjectPtr&) -> StatusOr<WriteDecision> { return ConflictError("stale"); };
  EXPECT_TRUE(store_->GuaranteedWrite("/k", refuse).status().IsConflict());
  EXPECT_TRUE(store_->Get("/k").ok());
}

// A write still waiting for its commit is what the next read-modify-write builds on (no Conflict
// because the durable version lags), and neither is acknowledged before that commit.
TEST_F(StoreTest, GuaranteedWriteBuildsOnAPendingVersionAndWaitsForItsCommit) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  int commits = 0;
  StoreOptions options;
  options.before_commit = [&](size_t) {
    std::unique_lock lock(mu);
    ++commits;
    cv.notify_all();
    if (commits == 2) cv.wait(lock, [&] { return release; });  // hold the update's batch
  };
  Reopen(options);
  MustCreate("/k", "1");
  std::atomic<bool> update_acked{false};
  store_->UpdateAsync("/k", ObjectJson("k", "2"), 0, [&](StatusOr<ObjectPtr> r) {
    EXPECT_TRUE(r.ok());
    update_acked = true;
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return commits == 2; });
  }
  EXPECT_EQ(DataOf((*store_->Get("/k"))->value), "1");  // readers see only durable versions
  std::string seen;
  std::atomic<bool> delete_acked{false};
  store_->GuaranteedWriteAsync(
      "/k",
      [&](const ObjectPtr& cur) -> StatusOr<WriteDecision> {
        seen = DataOf(cur->value);
        return WriteDecision::Remove();
      },
      /*allow_create=*/false,
      [&](StatusOr<ObjectPtr> r) {
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        EXPECT_TRUE(update_acked.load());  // acknowledged in RV order
        delete_acked = true;
      });
  EXPECT_EQ(seen, "2");
  EXPECT_FALSE(update_acked.load());
  EXPECT_FALSE(delete_acked.load());
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  store_.reset();  // drains the queue
  EXPECT_TRUE(update_acked.load());
  EXPECT_TRUE(delete_acked.load());
}

TEST_F(StoreTest, WritesArrivingTogetherAreCommittedInOneTransaction) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::vector<size_t> batches;
  StoreOptions options;
  options.before_commit = [&](size_t writes) {
    std::unique_lock lock(mu);
    batches.push_back(writes);
    cv.notify_all();
    if (batches.size() == 1) cv.wait(lock, [&] { return release; });  // hold the first batch
  };
  Reopen(options);
  std::atomic<int> acked{0};
  auto count = [&](StatusOr<ObjectPtr> r) {
    EXPECT_TRUE(r.ok());
    ++acked;
  };
  store_->CreateAsync("/first", ObjectJson("first", "x"), count);
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return batches.size() == 1; });
  }
  for (int i = 0; i < 100; ++i) {
    store_->CreateAsync("/k" + std::to_string(i), ObjectJson("k", "x"), count);
  }
  EXPECT_EQ(acked.load(), 0);  // nothing acknowledged before its commit
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  store_.reset();  // drains the queue
  EXPECT_EQ(acked.load(), 101);
  EXPECT_EQ(batches, (std::vector<size_t>{1, 100}));
}

TEST_F(StoreTest, EveryAcknowledgedConcurrentWriteSurvivesReopen) {
  constexpr int kThreads = 16, kPerThread = 40;
  std::mutex mu;
  std::set<int64_t> rvs;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = "/c/" + std::to_string(t) + "-" + std::to_string(i);
        auto r = store_->Create(key, ObjectJson(key, key + "-content"));
        ASSERT_TRUE(r.ok());
        std::lock_guard lock(mu);
        EXPECT_TRUE(rvs.insert((*r)->rv).second);
      }
    });
  }
  for (auto& t : threads) t.join();
  int64_t last = store_->CurrentRv();
  Reopen();
  EXPECT_EQ(store_->CurrentRv(), last);
  EXPECT_EQ(store_->ObjectCount("/c/"), static_cast<size_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      std::string key = "/c/" + std::to_string(t) + "-" + std::to_string(i);
      auto got = store_->Get(key);
      ASSERT_TRUE(got.ok()) << key;
      EXPECT_EQ(DataOf((*got)->value), key + "-content");
      EXPECT_EQ(RvOf((*got)->value), std::to_string((*got)->rv));
    }
  }
}

TEST_F(StoreTest, RestartKeepsObjectsAndContinuesTheRvCounter) {
  MustCreate("/a", "1");
  ASSERT_TRUE(store_->Update("/a", ObjectJson("a", "2")).ok());
  MustCreate("/b");
  auto tomb = store_->Delete("/b");  // the newest write is a delete: its RV must not be reused
  ASSERT_TRUE(tomb.ok());
  Reopen();
  EXPECT_EQ(store_->CurrentRv(), (*tomb)->rv);
  EXPECT_EQ(DataOf((*store_->Get("/a"))->value), "2");
  EXPECT_TRUE(store_->Get("/b").status().IsNotFound());
  EXPECT_EQ(MustCreate("/c")->rv, (*tomb)->rv + 1);
  // The deleted object's last state is restamped correctly after a reload too.
  auto tomb_a = store_->Delete("/a");
  ASSERT_TRUE(tomb_a.ok());
  EXPECT_EQ(RvOf((*tomb_a)->value), std::to_string((*tomb_a)->rv));
}

TEST_F(StoreTest, ValuesWithoutPlaceholderAreStoredVerbatim) {
  auto r = store_->Create("/raw", "{\"x\":1}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->value, "{\"x\":1}");
  Reopen();
  EXPECT_EQ((*store_->Get("/raw"))->value, "{\"x\":1}");
  EXPECT_TRUE(store_->Delete("/raw").ok());
}

TEST_F(StoreTest, ASecondStoreOnTheSameDirectoryIsRefused) {
  auto second = Store::Open(dir_.path());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
}

TEST_F(StoreTest, AWriteThatCannotBeMadeDurableFailsAndLeavesNoTrace) {
  ObjectPtr kept = MustCreate("/kept");
  auto watch = store_->Watch({});
  ASSERT_TRUE(watch.ok());
  // Another connection takes the database's write lock, so the next commit fails.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() + "/store.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  auto failed = store_->Create("/lost", ObjectJson("lost", "x"));
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable) << failed.status().ToString();
  EXPECT_TRUE(store_->Get("/lost").status().IsNotFound());
  EXPECT_EQ(store_->CurrentRv(), kept->rv);
  std::vector<Event> events;
  EXPECT_TRUE((*watch)->Poll(&events).ok());
  EXPECT_TRUE(events.empty());
  // The store refuses further writes rather than build on a state it could not persist.
  EXPECT_EQ(store_->Update("/kept", ObjectJson("kept", "y")).status().code(),
            StatusCode::kUnavailable);

  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  Reopen();  // a restart recovers
  EXPECT_TRUE(store_->Get("/lost").status().IsNotFound());
  EXPECT_EQ(MustCreate("/after")->rv, kept->rv + 1);
}

// --- bad databases: a clear error at Open, never a crash ---

class BadDatabaseTest : public ::testing::Test {
 protected:
  std::string DbPath() const { return dir_.path() + "/store.db"; }
  void Populate(int n) {
    auto store = Store::Open(dir_.path());
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < n; ++i) {
      std::string key = "/k/" + std::to_string(i);
      ASSERT_TRUE((*store)->Create(key, ObjectJson(key, std::string(500, 'x'))).ok());
    }
  }
  void ExpectOpenFails(const std::string& needle) {
    auto store = Store::Open(dir_.path());
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.status().message().find(needle), std::string::npos)
        << store.status().ToString();
  }
  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(DbPath().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  TempDir dir_;
};

TEST_F(BadDatabaseTest, AFileThatIsNotADatabaseFailsOpen) {
  std::ofstream(DbPath()) << std::string(8192, 'G');
  ExpectOpenFails("store.db");
}

TEST_F(BadDatabaseTest, OverwrittenPagesFailOpen) {
  Populate(200);
  std::fstream f(DbPath(), std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(0, std::ios::end);
  auto size = static_cast<long>(f.tellp());
  ASSERT_GT(size, 3 * 4096);
  for (long off = 4096; off + 4096 <= size; off += 3 * 4096) {
    f.seekp(off + 100);
    f << std::string(2000, '\xA5');  // scribble over b-tree pages
  }
  f.close();
  ExpectOpenFails("store.db");
}

TEST_F(BadDatabaseTest, TruncatedDatabaseFailsOpen) {
  Populate(200);
  std::filesystem::resize_file(DbPath(), std::filesystem::file_size(DbPath()) / 2);
  ExpectOpenFails("store.db");
}

TEST_F(BadDatabaseTest, RowsThatDoNotHoldTogetherFailOpen) {
  Populate(3);
  Sql("UPDATE objects SET rv = rv + 1000 WHERE key = '/k/1'");
  ExpectOpenFails("corrupt");
}

TEST_F(BadDatabaseTest, UnknownSchemaVersionFailsOpen) {
  Populate(1);
  Sql("UPDATE meta SET value = 99 WHERE name = 'schema'");
  ExpectOpenFails("schema version 99");
}

TEST_F(BadDatabaseTest, UnopenableDatabasePathFailsOpen) {
  std::filesystem::create_directories(DbPath());  // a directory where the file should be
  ExpectOpenFails("store.db");
}

}  // namespace
}  // namespace osbx::standalone
