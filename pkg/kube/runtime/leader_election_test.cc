#include "pkg/kube/runtime/leader_election.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "pkg/kube/runtime/fake_lease_api.h"
#include "pkg/kube/runtime/test_clock.h"

namespace osbx::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeLeaseApi;
using testing::SteppedClock;

LeaderElectionConfig Config(const std::string& identity) {
  return {.lease_namespace = "ns", .lease_name = "lock", .identity = identity};
}

std::unique_ptr<LeaderElector> MakeElector(const std::string& id, LeaseClient& api,
                                           const Clock& clock, LeaderCallbacks cb = {}) {
  return LeaderElector::Create(Config(id), api, clock, std::move(cb)).value();
}

TEST(LeaseRecordTest, LeaseTimesAreMicroTimeWithSixFractionDigits) {
  Clock::WallTime t{std::chrono::seconds(1'800'000'000) + std::chrono::microseconds(42)};
  LeaseRecord record{.holder_identity = "me",
                     .lease_duration_seconds = 15,
                     .acquire_time = t,
                     .renew_time = t,
                     .lease_transitions = 0};
  Json lease = NewLease("ns", "lock", record);
  EXPECT_EQ(lease["spec"]["renewTime"], "2027-01-15T08:00:00.000042Z");
  EXPECT_EQ(lease["spec"]["acquireTime"], "2027-01-15T08:00:00.000042Z");
  EXPECT_EQ(DecodeLeaseRecord(lease).value(), record);
  lease["spec"]["renewTime"] = "2027-01-15T08:00:00Z";  // a writer that dropped the fraction
  EXPECT_EQ(DecodeLeaseRecord(lease).value().renew_time, Clock::WallTime(seconds(1'800'000'000)));
  lease["spec"]["renewTime"] = "yesterday";
  EXPECT_FALSE(DecodeLeaseRecord(lease).ok());
}

TEST(LeaseRecordTest, EncodeKeepsOtherFieldsAndDecodeReadsThemBack) {
  Json lease = {{"metadata", {{"name", "lock"}, {"labels", {{"a", "b"}}}}}};
  LeaseRecord record{.holder_identity = "me",
                     .lease_duration_seconds = 15,
                     .acquire_time = Clock::WallTime(seconds(100)),
                     .renew_time = Clock::WallTime(seconds(200)),
                     .lease_transitions = 3};
  EncodeLeaseRecord(record, lease);
  EXPECT_EQ(lease["metadata"]["labels"]["a"], "b");
  EXPECT_EQ(lease["spec"]["renewTime"], "1970-01-01T00:03:20.000000Z");
  EXPECT_EQ(DecodeLeaseRecord(lease).value(), record);
}

TEST(LeaderElectionConfigTest, RejectsTimingsThatBreakTheSafetyOrdering) {
  auto c = Config("me");
  EXPECT_TRUE(ValidateLeaderElectionConfig(c).ok());
  c.renew_deadline = seconds(15);
  EXPECT_FALSE(ValidateLeaderElectionConfig(c).ok());  // lease must exceed renew deadline
  c = Config("me");
  c.retry_period = seconds(9);  // 1.2 * 9 > 10
  EXPECT_FALSE(ValidateLeaderElectionConfig(c).ok());
  c = Config("");
  EXPECT_FALSE(ValidateLeaderElectionConfig(c).ok());
}

TEST(LeaderElectorTest, CreatesTheLeaseWhenAbsent) {
  FakeLeaseApi api;
  FakeClock clock;
  auto a = MakeElector("a", api, clock);
  ASSERT_TRUE(a->TryAcquireOrRenew());
  auto record = api.Record();
  EXPECT_EQ(record.holder_identity, "a");
  EXPECT_EQ(record.lease_duration_seconds, 15);
  EXPECT_EQ(record.lease_transitions, 0);
  EXPECT_EQ(record.renew_time, clock.WallNow());
  std::string renew = api.Raw()["spec"]["renewTime"];
  EXPECT_EQ(renew.size(), std::string("2027-01-15T08:00:00.000000Z").size());
}

TEST(LeaderElectorTest, RenewalMovesRenewTimeAndKeepsAcquireTime) {
  FakeLeaseApi api;
  FakeClock clock;
  auto a = MakeElector("a", api, clock);
  ASSERT_TRUE(a->TryAcquireOrRenew());
  auto acquired = clock.WallNow();
  clock.Advance(seconds(2));
  ASSERT_TRUE(a->TryAcquireOrRenew());
  auto record = api.Record();
  EXPECT_EQ(record.acquire_time, acquired);
  EXPECT_EQ(record.renew_time, clock.WallNow());
  EXPECT_EQ(record.lease_transitions, 0);
}

TEST(LeaderElectorTest, OtherCandidateWaitsForExpiryMeasuredFromItsOwnObservation) {
  FakeLeaseApi api;
  FakeClock clock;
  auto a = MakeElector("a", api, clock);
  auto b = MakeElector("b", api, clock);
  ASSERT_TRUE(a->TryAcquireOrRenew());
  EXPECT_FALSE(b->TryAcquireOrRenew());  // b first observes a's record now
  clock.Advance(seconds(14));
  EXPECT_FALSE(b->TryAcquireOrRenew());
  EXPECT_EQ(b->ObservedLeader(), "a");
  clock.Advance(seconds(1));  // 15 s since b observed the last change: expired
  ASSERT_TRUE(b->TryAcquireOrRenew());
  auto record = api.Record();
  EXPECT_EQ(record.holder_identity, "b");
  EXPECT_EQ(record.lease_transitions, 1);
  EXPECT_EQ(record.acquire_time, clock.WallNow());
}

TEST(LeaderElectorTest, RenewalsByTheHolderKeepOthersOut) {
  FakeLeaseApi api;
  FakeClock clock;
  auto a = MakeElector("a", api, clock);
  auto b = MakeElector("b", api, clock);
  ASSERT_TRUE(a->TryAcquireOrRenew());
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(b->TryAcquireOrRenew());
    clock.Advance(seconds(2));
    ASSERT_TRUE(a->TryAcquireOrRenew());
  }
  EXPECT_EQ(api.Record().holder_identity, "a");
}

// A racing write between our read and our update must make the update fail with a 409 and
// leave the other writer's record in place.
class RacingLeaseApi final : public LeaseClient {
 public:
  explicit RacingLeaseApi(FakeLeaseApi& inner) : inner_(inner) {}
  StatusOr<Json> Get(const std::string& ns, const std::string& name) override {
    auto got = inner_.Get(ns, name);
    if (got.ok() && race_next_) {
      race_next_ = false;
      LeaseRecord other = DecodeLeaseRecord(*got).value();
      other.holder_identity = "intruder";
      inner_.Overwrite(other);
    }
    return got;
  }
  StatusOr<Json> Create(const std::string& ns, const Json& l) override {
    return inner_.Create(ns, l);
  }
  StatusOr<Json> Update(const std::string& ns, const Json& l) override {
    return inner_.Update(ns, l);
  }
  bool race_next_ = false;

 private:
  FakeLeaseApi& inner_;
};

TEST(LeaderElectorTest, ConflictOnRacingUpdateIsALostAttemptNotAnError) {
  FakeLeaseApi inner;
  RacingLeaseApi api(inner);
  FakeClock clock;
  auto a = MakeElector("a", api, clock);
  ASSERT_TRUE(a->TryAcquireOrRenew());
  api.race_next_ = true;
  clock.Advance(seconds(2));
  EXPECT_FALSE(a->TryAcquireOrRenew());
  EXPECT_EQ(inner.conflicts(), 1);
  EXPECT_EQ(inner.Record().holder_identity, "intruder");
  // The next attempt sees the intruder's fresh record and does not overwrite it.
  EXPECT_FALSE(a->TryAcquireOrRenew());
  EXPECT_EQ(inner.Record().holder_identity, "intruder");
}

TEST(LeaderElectorTest, TwoCandidatesCreatingAtOnceElectExactlyOne) {
  FakeLeaseApi api;
  FakeClock clock;
  auto a = MakeElector("a", api, clock);
  auto b = MakeElector("b", api, clock);
  bool got_a = a->TryAcquireOrRenew();
  bool got_b = b->TryAcquireOrRenew();
  EXPECT_NE(got_a, got_b);
}

TEST(LeaderElectorTest, ReleaseClearsTheHolderSoOthersTakeOverAtOnce) {
  FakeLeaseApi api;
  FakeClock clock;
  auto a = MakeElector("a", api, clock);
  auto b = MakeElector("b", api, clock);
  ASSERT_TRUE(a->TryAcquireOrRenew());
  EXPECT_FALSE(b->TryAcquireOrRenew());
  a->Release();
  EXPECT_EQ(api.Record().holder_identity, "");
  EXPECT_EQ(api.Record().lease_duration_seconds, 1);
  EXPECT_TRUE(b->TryAcquireOrRenew());
}

TEST(LeaderElectorRunTest, LosesLeadershipAtTheRenewDeadlineAndReportsIt) {
  FakeLeaseApi api;
  SteppedClock clock;
  std::atomic<int> started{0}, stopped{0};
  auto a = MakeElector("a", api, clock,
                       {.on_started_leading = [&] { ++started; },
                        .on_stopped_leading = [&] { ++stopped; },
                        .on_new_leader = nullptr});
  Status result;
  std::thread runner([&] {
    result = a->Run();
    clock.Finish();
  });
  ASSERT_TRUE(api.WaitForCalls(1));            // get + create
  ASSERT_TRUE(clock.AdvanceToNextDeadline());  // first renewal
  ASSERT_TRUE(clock.AdvanceToNextDeadline());  // second renewal
  api.SetFailing(true);
  auto failing_since = clock.Now();
  while (clock.AdvanceToNextDeadline()) {
  }
  runner.join();
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(started.load(), 1);
  EXPECT_EQ(stopped.load(), 1);
  EXPECT_FALSE(a->IsLeader());
  // It gave up no later than the renew deadline after the last successful renewal.
  EXPECT_LE(clock.Now() - failing_since, seconds(10));
}

TEST(LeaderElectorRunTest, StopReleasesTheLeaseAndReturnsOk) {
  FakeLeaseApi api;
  SteppedClock clock;
  std::atomic<int> stopped{0};
  std::atomic<bool> started{false};
  std::mutex mu;
  std::condition_variable cv;
  auto a = MakeElector("a", api, clock,
                       {.on_started_leading =
                            [&] {
                              std::lock_guard l(mu);
                              started = true;
                              cv.notify_all();
                            },
                        .on_stopped_leading = [&] { ++stopped; },
                        .on_new_leader = nullptr});
  Status result = InternalError("not run");
  std::thread runner([&] { result = a->Run(); });
  {
    std::unique_lock l(mu);
    ASSERT_TRUE(cv.wait_for(l, seconds(10), [&] { return started.load(); }));
  }
  a->Stop();
  runner.join();
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(stopped.load(), 1);
  EXPECT_EQ(api.Record().holder_identity, "");
}

TEST(LeaderElectorRunTest, StandbyTakesOverAfterTheLeaderStopsRenewing) {
  FakeLeaseApi api;
  SteppedClock clock;
  auto a = MakeElector("a", api, clock);
  ASSERT_TRUE(a->TryAcquireOrRenew());  // a leads, then dies without releasing
  std::atomic<bool> b_leads{false};
  auto b = MakeElector("b", api, clock,
                       {.on_started_leading = [&] { b_leads = true; },
                        .on_stopped_leading = nullptr,
                        .on_new_leader = nullptr});
  Status result;
  std::thread runner([&] { result = b->Run(); });
  auto start = clock.Now();
  while (!b_leads.load()) ASSERT_TRUE(clock.AdvanceToNextDeadline());
  EXPECT_GE(clock.Now() - start, seconds(15));
  EXPECT_EQ(api.Record().holder_identity, "b");
  EXPECT_EQ(api.Record().lease_transitions, 1);
  b->Stop();
  runner.join();
  EXPECT_TRUE(result.ok());
}

}  // namespace
}  // namespace osbx::kube
