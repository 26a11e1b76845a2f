#include "internal/scheduler/pool_expectations.h"

#include <gtest/gtest.h>

#include <map>

namespace osbx::scheduler {
namespace {

using namespace std::chrono_literals;

class PoolExpectationsTest : public ::testing::Test {
 protected:
  std::function<CachedPod(const std::string&)> Cache() {
    return [this](const std::string& name) {
      auto it = cache_.find(name);
      return it == cache_.end() ? CachedPod::kAbsent : it->second;
    };
  }
  FakeClock clock_;
  PoolExpectations expectations_{30s};
  std::map<std::string, CachedPod> cache_;
};

TEST_F(PoolExpectationsTest, PoolWithoutWritesIsSatisfied) {
  EXPECT_TRUE(expectations_.Satisfied("ns/p", Cache(), clock_.Now()));
}

TEST_F(PoolExpectationsTest, CreatedPodsUnseenByTheCacheHoldSizingUntilSeen) {
  expectations_.ExpectCreated("ns/p", {"p-a", "p-b"}, clock_.Now());
  EXPECT_FALSE(expectations_.Satisfied("ns/p", Cache(), clock_.Now()));
  cache_["p-a"] = CachedPod::kPresent;
  EXPECT_FALSE(expectations_.Satisfied("ns/p", Cache(), clock_.Now()));
  cache_["p-b"] = CachedPod::kTerminating;  // seen, even if already going
  EXPECT_TRUE(expectations_.Satisfied("ns/p", Cache(), clock_.Now()));
  // Seen once is enough: the pod leaving the cache later is not waited for again.
  cache_.clear();
  EXPECT_TRUE(expectations_.Satisfied("ns/p", Cache(), clock_.Now()));
}

TEST_F(PoolExpectationsTest, DeletedPodsStillShownIdleHoldSizingUntilGoneOrTerminating) {
  cache_["p-a"] = CachedPod::kPresent;
  cache_["p-b"] = CachedPod::kPresent;
  expectations_.ExpectDeleted("ns/p", {"p-a", "p-b"}, clock_.Now());
  EXPECT_FALSE(expectations_.Satisfied("ns/p", Cache(), clock_.Now()));
  cache_["p-a"] = CachedPod::kTerminating;
  cache_.erase("p-b");
  EXPECT_TRUE(expectations_.Satisfied("ns/p", Cache(), clock_.Now()));
}

TEST_F(PoolExpectationsTest, UnconfirmedExpectationLapsesAfterTheTimeout) {
  expectations_.ExpectCreated("ns/p", {"p-lost"}, clock_.Now());
  clock_.Advance(29s);
  EXPECT_FALSE(expectations_.Satisfied("ns/p", Cache(), clock_.Now()));
  clock_.Advance(1s);
  EXPECT_TRUE(expectations_.Satisfied("ns/p", Cache(), clock_.Now()));
}

TEST_F(PoolExpectationsTest, PoolsAreIndependentAndForgetDropsOne) {
  expectations_.ExpectCreated("ns/a", {"a-1"}, clock_.Now());
  expectations_.ExpectCreated("ns/b", {"b-1"}, clock_.Now());
  cache_["a-1"] = CachedPod::kPresent;
  EXPECT_TRUE(expectations_.Satisfied("ns/a", Cache(), clock_.Now()));
  EXPECT_FALSE(expectations_.Satisfied("ns/b", Cache(), clock_.Now()));
  expectations_.Forget("ns/b");
  EXPECT_TRUE(expectations_.Satisfied("ns/b", Cache(), clock_.Now()));
}

}  // namespace
}  // namespace osbx::scheduler
