#include "internal/scheduler/ledger.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "internal/scheduler/test_pods.h"

namespace osbx::scheduler {
namespace {

using testing::ReadyPod;
using testing::StartingPod;
using testing::T;

std::vector<PodView> Pool(int n) {
  std::vector<PodView> pods;
  for (int i = 0; i < n; ++i) pods.push_back(ReadyPod("p" + std::to_string(i), "rev1", i));
  return pods;
}

RecordSource Source(std::string uid, int created, std::vector<std::string> held) {
  RecordSource r;
  r.uid = uid;
  r.key = "ns/" + uid;
  r.created = T(created);
  r.held = std::move(held);
  return r;
}

// A claim as the controllers make it: `pods` are what the cache shows (observed first), then
// ClaimObserved.
StatusOr<ClaimGrant> Claim(PoolLedger& ledger, std::string_view uid, int32_t count,
                           const std::vector<PodView>& pods, std::string_view revision) {
  constexpr std::string_view kPoolUid = "pool-uid";
  for (const PodView& p : pods) ledger.ObservePod(std::make_shared<const PodView>(p), kPoolUid);
  return ledger.ClaimObserved(uid, count, kPoolUid, revision);
}

TEST(LedgerTest, ClaimBeforeRebuildIsRefused) {
  PoolLedger ledger;
  EXPECT_FALSE(Claim(ledger, "b1", 1, Pool(3), "rev1").ok());
}

TEST(LedgerTest, HandsOutCurrentRevisionLongestReadyFirstAndOnlyAllocatablePods) {
  PoolLedger ledger;
  (void)ledger.Rebuild({});
  std::vector<PodView> pods = {ReadyPod("old", "rev0", 0), ReadyPod("late", "rev1", 9),
                               ReadyPod("early", "rev1", 3), StartingPod("starting")};
  PodView evicted = ReadyPod("evicted", "rev1", 1);
  evicted.evict = true;
  pods.push_back(evicted);
  StatusOr<ClaimGrant> g = Claim(ledger, "b1", 10, pods, "rev1");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->pods, (std::vector<std::string>{"early", "late", "old"}));
  EXPECT_EQ(g->shortfall, 7);
  EXPECT_EQ(ledger.WaitingDemand(), 7);
}

TEST(LedgerTest, Issue893_RunningButNotReadyPodsAreNeverHandedOut) {
  PoolLedger ledger;
  (void)ledger.Rebuild({});
  PodView running = StartingPod("running");
  running.phase = "Running";
  StatusOr<ClaimGrant> g = Claim(ledger, "b1", 1, {running}, "rev1");
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->pods.empty());
  EXPECT_EQ(g->shortfall, 1);
}

TEST(LedgerTest, NoPodIsHandedOutTwiceUnderConcurrentClaims) {
  PoolLedger ledger;
  (void)ledger.Rebuild({});
  const std::vector<PodView> pods = Pool(1000);
  std::vector<std::vector<std::string>> got(16);
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        StatusOr<ClaimGrant> g = Claim(ledger, "b" + std::to_string(t), 4, pods, "rev1");
        if (!g.ok()) continue;
        if (i % 5 == 4) {
          ledger.Rollback(g->id);
          continue;
        }
        ledger.Confirm(g->id);
        got[t].insert(got[t].end(), g->pods.begin(), g->pods.end());
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  size_t total = 0;
  for (const auto& v : got) {
    total += v.size();
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), total);
  EXPECT_EQ(ledger.HeldCount(), static_cast<int32_t>(total));
}

TEST(LedgerTest, RollbackFreesTheClaimAndConfirmKeepsIt) {
  PoolLedger ledger;
  (void)ledger.Rebuild({});
  auto pods = Pool(2);
  StatusOr<ClaimGrant> a = Claim(ledger, "b1", 1, pods, "rev1");
  ASSERT_TRUE(a.ok());
  ledger.Rollback(a->id);
  EXPECT_FALSE(ledger.Owner(a->pods[0]).has_value());
  StatusOr<ClaimGrant> b = Claim(ledger, "b2", 1, pods, "rev1");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->pods, a->pods);  // the same pod, deterministically
  ledger.Confirm(b->id);
  ledger.Rollback(b->id);  // too late: no effect
  EXPECT_EQ(ledger.Owner(b->pods[0]), "b2");
}

TEST(LedgerTest, RebuildGivesAConflictingPodToTheEarlierBatch) {
  PoolLedger ledger;
  std::vector<RecordSource> records = {Source("late", 50, {"p0", "p1"}),
                                       Source("early", 10, {"p1", "p2"})};
  RebuildReport report = ledger.Rebuild(records);
  ASSERT_EQ(report.conflicts.size(), 1u);
  EXPECT_EQ(report.conflicts[0], (AllocationConflict{"p1", "early", "late", "ns/late"}));
  EXPECT_EQ(ledger.Owner("p1"), "early");
  EXPECT_EQ(ledger.Owner("p0"), "late");
}

TEST(LedgerTest, RebuildBreaksCreationTiesByUid) {
  PoolLedger ledger;
  RebuildReport report = ledger.Rebuild({Source("b", 10, {"p0"}), Source("a", 10, {"p0"})});
  EXPECT_EQ(ledger.Owner("p0"), "a");
  ASSERT_EQ(report.conflicts.size(), 1u);
  EXPECT_EQ(report.conflicts[0].loser_uid, "b");
}

TEST(LedgerTest, Gap1_MalformedRecordIsQuarantinedAndItsPodsStayTaken) {
  PoolLedger ledger;
  RecordSource bad = Source("bad", 1, {"p0"});
  bad.malformed = true;
  bad.error = "annotation sandbox.opensandbox.io/alloc-status: not JSON";
  RebuildReport report = ledger.Rebuild({bad, Source("good", 2, {"p1"})});
  ASSERT_EQ(report.quarantined.size(), 1u);
  EXPECT_EQ(report.quarantined[0].uid, "bad");
  EXPECT_EQ(report.quarantined[0].error, bad.error);
  StatusOr<ClaimGrant> g = Claim(ledger, "new", 5, Pool(4), "rev1");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->pods, (std::vector<std::string>{"p2", "p3"}));
}

TEST(LedgerTest, Issue723_ReleasedForDeletePodIsNeverHandedOutAgain) {
  PoolLedger ledger;
  (void)ledger.Rebuild({Source("b1", 1, {"p0"})});
  ledger.Release("b1", {"p0"}, /*reusable=*/false);
  // The cache may still show p0 Ready until its deletion is observed.
  StatusOr<ClaimGrant> g = Claim(ledger, "b2", 1, Pool(1), "rev1");
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->pods.empty());
  ledger.ForgetRetired({});
  EXPECT_FALSE(ledger.Owner("p0").has_value());
}

TEST(LedgerTest, IdlePodRetiredForDeletionIsNeverClaimedEvenFromAStaleCache) {
  PoolLedger ledger;
  (void)ledger.Rebuild({});
  EXPECT_EQ(ledger.RetireIdle({"p0"}), std::vector<std::string>{"p0"});
  // The claim still sees p0 Ready: its deletion has not reached the cache yet.
  StatusOr<ClaimGrant> g = Claim(ledger, "b1", 2, Pool(2), "rev1");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->pods, std::vector<std::string>{"p1"});
  ledger.ForgetRetired({"p1"});  // p0 is gone
  EXPECT_FALSE(ledger.Owner("p0").has_value());
}

TEST(LedgerTest, PodClaimedBeforeTheRetirementIsNotRetired) {
  PoolLedger ledger;
  (void)ledger.Rebuild({Source("b0", 1, {"p2"})});
  StatusOr<ClaimGrant> g = Claim(ledger, "b1", 1, Pool(1), "rev1");  // in flight: p0
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(ledger.RetireIdle({"p0", "p1", "p2"}), std::vector<std::string>{"p1"});
  ledger.Rollback(g->id);  // the claim's write failed: p0 is idle again, and still usable
  StatusOr<ClaimGrant> again = Claim(ledger, "b1", 1, Pool(2), "rev1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->pods, std::vector<std::string>{"p0"});
}

TEST(LedgerTest, NoopReleaseReturnsThePodToTheIdleSet) {
  PoolLedger ledger;
  (void)ledger.Rebuild({Source("b1", 1, {"p0"})});
  ledger.Release("other", {"p0"}, true);  // not its holder: ignored
  EXPECT_EQ(ledger.Owner("p0"), "b1");
  ledger.Release("b1", {"p0"}, true);
  StatusOr<ClaimGrant> g = Claim(ledger, "b2", 1, Pool(1), "rev1");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->pods, std::vector<std::string>{"p0"});
}

TEST(LedgerTest, WaitingDemandClearsWhenServedOrForgotten) {
  PoolLedger ledger;
  (void)ledger.Rebuild({});
  (void)Claim(ledger, "b1", 3, {}, "rev1");
  (void)Claim(ledger, "b2", 2, {}, "rev1");
  EXPECT_EQ(ledger.WaitingDemand(), 5);
  (void)Claim(ledger, "b1", 3, Pool(3), "rev1");
  EXPECT_EQ(ledger.WaitingDemand(), 2);
  ledger.ForgetBatch("b2");
  EXPECT_EQ(ledger.WaitingDemand(), 0);
}

TEST(LedgerTest, PoolsHaveSeparateLedgers) {
  Ledger ledgers;
  auto a = ledgers.ForPool("ns/a");
  EXPECT_EQ(a, ledgers.ForPool("ns/a"));
  EXPECT_NE(a, ledgers.ForPool("ns/b"));
  ledgers.Forget("ns/a");
  EXPECT_NE(a, ledgers.ForPool("ns/a"));
  EXPECT_FALSE(a->rebuilt());  // the old one is still a valid object
}

}  // namespace
}  // namespace osbx::scheduler

namespace osbx::scheduler {
namespace {

std::shared_ptr<const PodView> Shared(PodView view) {
  return std::make_shared<const PodView>(std::move(view));
}

TEST(LedgerObservedTest, PodThatStopsBeingReadyOrLeavesIsNoLongerHandedOut) {
  PoolLedger ledger;
  (void)ledger.Rebuild({});
  for (const PodView& p : Pool(3)) ledger.ObservePod(Shared(p), "u");
  EXPECT_EQ(ledger.FreeCount(), 3u);
  ledger.ObservePod(Shared(StartingPod("p0")), "u");  // not Ready any more
  ledger.ForgetPod("p1");                             // deleted
  StatusOr<ClaimGrant> g = ledger.ClaimObserved("b1", 3, "u", "rev1");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->pods, std::vector<std::string>{"p2"});
  ASSERT_EQ(g->views.size(), 1u);
  EXPECT_EQ(g->views[0]->name, "p2");
  EXPECT_EQ(g->shortfall, 2);
  EXPECT_EQ(ledger.FreeCount(), 0u);
}

TEST(LedgerObservedTest, PodsOfAnEarlierPoolOfTheSameNameAreNotHandedOut) {
  PoolLedger ledger;
  (void)ledger.Rebuild({});
  ledger.ObservePod(Shared(ReadyPod("stale", "rev1", 0)), "old-uid");
  ledger.ObservePod(Shared(ReadyPod("fresh", "rev1", 5)), "new-uid");
  StatusOr<ClaimGrant> g = ledger.ClaimObserved("b1", 2, "new-uid", "rev1");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->pods, std::vector<std::string>{"fresh"});
}

TEST(LedgerObservedTest, ANewTemplateRevisionIsHandedOutFirstOnceClaimsAskForIt) {
  PoolLedger ledger;
  (void)ledger.Rebuild({});
  ledger.ObservePod(Shared(ReadyPod("a-old", "rev1", 0)), "u");
  ledger.ObservePod(Shared(ReadyPod("b-new", "rev2", 5)), "u");
  StatusOr<ClaimGrant> first = ledger.ClaimObserved("b1", 1, "u", "rev1");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->pods, std::vector<std::string>{"a-old"});
  ledger.Rollback(first->id);
  StatusOr<ClaimGrant> second = ledger.ClaimObserved("b2", 1, "u", "rev2");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->pods, std::vector<std::string>{"b-new"});
}

TEST(LedgerObservedTest, ObservedPodsAreFreeOnlyOnceRebuiltAndOnlyIfNoRecordHoldsThem) {
  PoolLedger ledger;
  for (const PodView& p : Pool(3)) ledger.ObservePod(Shared(p), "u");
  EXPECT_EQ(ledger.FreeCount(), 0u);  // nothing is free before the records are known
  (void)ledger.Rebuild({Source("b0", 1, {"p1"})});
  EXPECT_EQ(ledger.FreeCount(), 2u);
}

TEST(LedgerObservedTest, ForgettingAPoolKeepsThePodsItObservedForTheNextRebuild) {
  Ledger ledgers;
  std::shared_ptr<PoolLedger> ledger = ledgers.ForPool("ns/pool");
  (void)ledger->Rebuild({Source("b0", 1, {"p0"})});
  for (const PodView& p : Pool(2)) ledger->ObservePod(Shared(p), "u");
  ledgers.Forget("ns/pool");
  std::shared_ptr<PoolLedger> again = ledgers.ForPool("ns/pool");
  EXPECT_FALSE(again->rebuilt());
  EXPECT_FALSE(again->Owner("p0").has_value());
  (void)again->Rebuild({});
  EXPECT_EQ(again->FreeCount(), 2u);
}

TEST(LedgerWaitingTest, OnlyBatchesWhoseLastClaimFellShortAreWaiting) {
  PoolLedger ledger;
  (void)ledger.Rebuild({});
  ASSERT_TRUE(Claim(ledger, "served", 2, Pool(3), "rev1").ok());
  StatusOr<ClaimGrant> short_claim = Claim(ledger, "short", 3, Pool(3), "rev1");
  ASSERT_TRUE(short_claim.ok());
  EXPECT_EQ(short_claim->shortfall, 2);
  EXPECT_EQ(ledger.WaitingBatches(), std::vector<std::string>{"short"});
  ledger.ForgetBatch("short");
  EXPECT_TRUE(ledger.WaitingBatches().empty());
}

}  // namespace
}  // namespace osbx::scheduler
