#include "internal/standalone/store/mvcc_index.h"

#include <gtest/gtest.h>

namespace osbx::standalone {
namespace {

ObjectPtr Version(const std::string& key, int64_t rv, bool deleted = false) {
  auto obj = std::make_shared<Object>();
  obj->key = key;
  obj->rv = rv;
  obj->value = key + "@" + std::to_string(rv);
  obj->deleted = deleted;
  return obj;
}

std::vector<std::string> Keys(const ScanResult& r) {
  std::vector<std::string> keys;
  for (const auto& o : r.items) keys.push_back(o->value);
  return keys;
}

class MvccIndexTest : public ::testing::Test {
 protected:
  Clock::TimePoint t0_{};
  MvccIndex index_;
};

TEST_F(MvccIndexTest, EventTypesFollowTheKeysLifecycle) {
  EXPECT_EQ(index_.Append(Version("/a", 1), t0_).type, EventType::kAdded);
  Event modified = index_.Append(Version("/a", 2), t0_);
  EXPECT_EQ(modified.type, EventType::kModified);
  EXPECT_EQ(modified.previous->rv, 1);
  Event deleted = index_.Append(Version("/a", 3, true), t0_);
  EXPECT_EQ(deleted.type, EventType::kDeleted);
  EXPECT_EQ(deleted.previous->rv, 2);
  Event recreated = index_.Append(Version("/a", 4), t0_);
  EXPECT_EQ(recreated.type, EventType::kAdded);
  EXPECT_EQ(recreated.previous, nullptr);
}

TEST_F(MvccIndexTest, ReadAtAnRvSeesTheVersionCurrentThen) {
  index_.Append(Version("/a", 1), t0_);
  index_.Append(Version("/a", 2), t0_);
  index_.Append(Version("/a", 3, true), t0_);
  EXPECT_EQ(index_.At("/a", 0), nullptr);
  EXPECT_EQ(index_.At("/a", 1)->rv, 1);
  EXPECT_EQ(index_.At("/a", 2)->rv, 2);
  EXPECT_EQ(index_.At("/a", 3), nullptr);
  EXPECT_TRUE(index_.Latest("/a")->deleted);
}

TEST_F(MvccIndexTest, ScanIsKeyOrderedPrefixBoundedAndPaged) {
  index_.Append(Version("/p/c", 1), t0_);
  index_.Append(Version("/p/a", 2), t0_);
  index_.Append(Version("/pz", 3), t0_);
  index_.Append(Version("/p/b", 4), t0_);
  ScanResult first = index_.Scan("/p/", "", 4, 2, true);
  EXPECT_EQ(Keys(first), (std::vector<std::string>{"/p/a@2", "/p/b@4"}));
  EXPECT_EQ(first.next_key, std::string("/p/b") + '\0');
  EXPECT_EQ(first.remaining, 1);
  ScanResult second = index_.Scan("/p/", first.next_key, 4, 2, true);
  EXPECT_EQ(Keys(second), (std::vector<std::string>{"/p/c@1"}));
  EXPECT_EQ(second.next_key, "");
  EXPECT_EQ(second.remaining, 0);
  EXPECT_EQ(Keys(index_.Scan("/p/", "", 3, 0, false)),
            (std::vector<std::string>{"/p/a@2", "/p/c@1"}));
}

TEST_F(MvccIndexTest, CompactionFreesSupersededVersionsAndTombstones) {
  index_.Append(Version("/a", 1), t0_);
  index_.Append(Version("/a", 2), t0_);
  index_.Append(Version("/b", 3), t0_);
  index_.Append(Version("/b", 4, true), t0_);
  index_.Append(Version("/c", 5), t0_);
  index_.Compact(/*max_events=*/1, Clock::TimePoint::min(), /*upto=*/5);
  EXPECT_EQ(index_.floor(), 4);
  EXPECT_EQ(index_.event_count(), 1u);
  EXPECT_EQ(index_.key_count(), 2u);  // "/b" is gone entirely
  EXPECT_EQ(index_.At("/a", 4)->rv, 2);
  EXPECT_EQ(index_.At("/a", 1), nullptr);  // below the floor: no longer answerable
}

TEST_F(MvccIndexTest, CompactionNeverPassesTheDurableRv) {
  for (int64_t rv = 1; rv <= 5; ++rv) index_.Append(Version("/k" + std::to_string(rv), rv), t0_);
  index_.Compact(0, Clock::TimePoint::max(), /*upto=*/3);
  EXPECT_EQ(index_.floor(), 3);
  EXPECT_EQ(index_.EventsBetween(3, 5, "").size(), 2u);
}

TEST_F(MvccIndexTest, CompactionByAgeDropsOnlyOldEvents) {
  index_.Append(Version("/a", 1), t0_);
  index_.Append(Version("/a", 2), t0_ + std::chrono::seconds(10));
  index_.Compact(100, t0_ + std::chrono::seconds(5), 2);
  EXPECT_EQ(index_.floor(), 1);
  EXPECT_EQ(index_.event_count(), 1u);
}

TEST_F(MvccIndexTest, EventsBetweenFiltersByRvRangeAndPrefix) {
  index_.Append(Version("/x/1", 1), t0_);
  index_.Append(Version("/y/1", 2), t0_);
  index_.Append(Version("/x/2", 3), t0_);
  index_.Append(Version("/x/3", 4), t0_);
  auto events = index_.EventsBetween(1, 3, "/x/");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].rv(), 3);
}

TEST_F(MvccIndexTest, RollbackUndoesTheNewestWrite) {
  index_.Append(Version("/a", 1), t0_);
  index_.Append(Version("/a", 2), t0_);
  index_.Append(Version("/b", 3), t0_);
  index_.Rollback("/b", 3);
  index_.Rollback("/a", 2);
  EXPECT_EQ(index_.Latest("/a")->rv, 1);
  EXPECT_EQ(index_.Latest("/b"), nullptr);
  EXPECT_EQ(index_.event_count(), 1u);
}

}  // namespace
}  // namespace osbx::standalone
