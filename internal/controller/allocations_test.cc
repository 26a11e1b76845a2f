// The ledger rebuild's settle delay: a record written by a previous controller process while the
// new one waits is part of the rebuilt ledger, and a stop ends the wait without opening the gate.
#include "internal/controller/allocations.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <optional>

#include "api/v1alpha1/well_known.h"
#include "internal/controller/batch_directory.h"
#include "internal/controller/fake_api.h"
#include "internal/utils/clock.h"
#include "pkg/kube/meta/object.h"

namespace osbx::controller {
namespace {

namespace v1 = ::osbx::api::v1alpha1;
using namespace std::chrono_literals;

// Forwards to the fake server and notes the (simulated) time of every list.
class TimedListApi final : public ApiClient {
 public:
  TimedListApi(testing::FakeApi& api, const Clock& clock) : api_(api), clock_(clock) {}
  StatusOr<Json> Create(const kube::ResourceRef& r, const std::string& ns,
                        const Json& object) override {
    return api_.Create(r, ns, object);
  }
  StatusOr<Json> MergePatch(const kube::ResourceRef& r, const std::string& ns,
                            const std::string& name, const Json& patch, bool status) override {
    return api_.MergePatch(r, ns, name, patch, status);
  }
  Status Delete(const kube::ResourceRef& r, const std::string& ns, const std::string& name,
                const std::string& uid) override {
    return api_.Delete(r, ns, name, uid);
  }
  StatusOr<std::vector<Json>> ListAll(const kube::ResourceRef& r) override {
    std::lock_guard lock(mu_);
    listed_at_ = clock_.Now();
    return api_.ListAll(r);
  }
  std::optional<Clock::TimePoint> listed_at() {
    std::lock_guard lock(mu_);
    return listed_at_;
  }

 private:
  testing::FakeApi& api_;
  const Clock& clock_;
  std::mutex mu_;
  std::optional<Clock::TimePoint> listed_at_;  // guarded by mu_
};

// Every BatchSandbox listed through `api` (a fresh list, timed by TimedListApi).
LedgerRebuilder::ListFunc ListThrough(ApiClient& api) {
  return [&api]() -> StatusOr<std::vector<kube::ObjectPtr>> {
    OSBX_ASSIGN_OR_RETURN(std::vector<Json> listed, api.ListAll(BatchSandboxResource()));
    std::vector<kube::ObjectPtr> out;
    for (Json& b : listed) out.push_back(std::make_shared<const Json>(std::move(b)));
    return out;
  };
}

class LedgerSettleTest : public ::testing::Test {
 protected:
  LedgerSettleTest() : timed_(api_, clock_), recorder_(api_, clock_) {}

  Json CreateBatch() {
    Json batch = {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
                  {"kind", "BatchSandbox"},
                  {"metadata", {{"name", "late"}}},
                  {"spec", {{"replicas", 1}, {"poolRef", "p"}}}};
    StatusOr<Json> created = api_.Create(BatchSandboxResource(), "default", batch);
    EXPECT_TRUE(created.ok()) << created.status().message();
    return created.ok() ? *created : Json();
  }

  testing::FakeApi api_;
  FakeClock clock_;
  TimedListApi timed_;
  kube::EventRecorder recorder_;
  Allocations allocations_;
};

TEST_F(LedgerSettleTest, RecordLandingDuringTheSettleDelayIsInTheRebuiltLedger) {
  const Json batch = CreateBatch();
  const Clock::TimePoint start = clock_.Now();
  LedgerRebuilder rebuilder(allocations_, ListThrough(timed_), recorder_, 2s, clock_);
  auto started = std::async(std::launch::async, [&] { return rebuilder.Start(); });
  // The dying process's claim of pod-x reaches the server after the new process has started.
  api_.Mutate(BatchSandboxResource(), "default", "late", [](Json& b) {
    b["metadata"]["annotations"][std::string(v1::kAllocStatusAnnotation)] = R"({"pods":["pod-x"]})";
  });
  EXPECT_FALSE(allocations_.ready());
  while (started.wait_for(1ms) != std::future_status::ready) clock_.Advance(100ms);
  ASSERT_TRUE(started.get().ok());

  ASSERT_TRUE(timed_.listed_at().has_value());
  EXPECT_GE(*timed_.listed_at() - start, 2s) << "the list must wait out the settle delay";
  ASSERT_TRUE(allocations_.ready());
  auto ledger = allocations_.ForPool(PoolKeyOf(batch), nullptr);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ((*ledger)->Owner("pod-x"), std::optional<std::string>(kube::GetUid(batch)));
}

TEST_F(LedgerSettleTest, StopEndsTheSettleWaitWithoutOpeningTheGate) {
  LedgerRebuilder rebuilder(allocations_, ListThrough(timed_), recorder_, 1h, clock_);
  auto started = std::async(std::launch::async, [&] { return rebuilder.Start(); });
  EXPECT_TRUE(rebuilder.Stop(clock_.Now()));
  ASSERT_TRUE(started.get().ok());
  EXPECT_FALSE(timed_.listed_at().has_value());
  EXPECT_FALSE(allocations_.ready());
}

TEST_F(LedgerSettleTest, NoSettleDelayListsAtOnce) {
  LedgerRebuilder rebuilder(allocations_, ListThrough(timed_), recorder_);
  const Clock::TimePoint start = clock_.Now();
  ASSERT_TRUE(rebuilder.Start().ok());
  ASSERT_TRUE(timed_.listed_at().has_value());
  EXPECT_EQ(*timed_.listed_at(), start);
  EXPECT_TRUE(allocations_.ready());
}

TEST_F(LedgerSettleTest, SettleDelayRunsFromTheStartOfTheProcessNotFromTheCacheSync) {
  LedgerRebuilder rebuilder(allocations_, ListThrough(timed_), recorder_, 2s, clock_);
  clock_.Advance(3s);  // the informers took longer than the delay to sync
  const Clock::TimePoint start = clock_.Now();
  ASSERT_TRUE(rebuilder.Start().ok());
  ASSERT_TRUE(timed_.listed_at().has_value());
  EXPECT_EQ(*timed_.listed_at(), start) << "no second wait after the caches synced";
  EXPECT_TRUE(allocations_.ready());
}

}  // namespace
}  // namespace osbx::controller
