#include "pkg/kube/runtime/manager.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <thread>

#include "pkg/kube/cache/fake_lister_watcher.h"
#include "pkg/kube/runtime/fake_lease_api.h"

namespace osbx::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeLeaseApi;

constexpr milliseconds kWait{10'000};

class NullEventSink final : public EventSink {
 public:
  StatusOr<Json> Create(const std::string&, const Json& e) override { return e; }
  StatusOr<Json> Patch(const std::string&, const std::string&, const Json& p) override { return p; }
};

// Fake API: one FakeListerWatcher per resource+namespace, a shared Lease API.
class FakeCluster final : public ClusterClient {
 public:
  explicit FakeCluster(FakeLeaseApi& leases) : leases_(leases) {}
  std::unique_ptr<ListerWatcher> NewListerWatcher(const ResourceRef& resource,
                                                  const std::string& ns) override {
    auto lw = std::make_unique<ForwardingLw>(Lw(resource.resource + "@" + ns));
    return lw;
  }
  LeaseClient& Leases() override { return leases_; }
  EventSink& Events() override { return events_; }
  FakeListerWatcher& Lw(const std::string& key) {
    std::lock_guard lock(mu_);
    auto& slot = apis_[key];
    if (!slot) {
      slot = std::make_unique<FakeListerWatcher>();
      slot->SetObjects({}, "1");
    }
    return *slot;
  }

 private:
  class ForwardingLw final : public ListerWatcher {
   public:
    explicit ForwardingLw(FakeListerWatcher& target) : target_(target) {}
    StatusOr<ListResult> List(const ListOptions& o) override { return target_.List(o); }
    StatusOr<std::unique_ptr<WatchHandle>> Watch(const ListOptions& o, WatchCallbacks cb) override {
      return target_.Watch(o, std::move(cb));
    }

   private:
    FakeListerWatcher& target_;
  };
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<FakeListerWatcher>> apis_;
  FakeLeaseApi& leases_;
  NullEventSink events_;
};

const ResourceRef kPods{"", "v1", "pods", "Pod", true};

// Records its lifecycle into a shared journal, and what it saw when it started.
class JournalRunnable final : public Runnable {
 public:
  JournalRunnable(std::string name, bool leader, std::vector<std::string>& journal, std::mutex& mu,
                  std::function<void()> on_start = nullptr)
      : name_(std::move(name)),
        leader_(leader),
        journal_(journal),
        mu_(mu),
        on_start_(std::move(on_start)) {}
  Status Start() override {
    if (on_start_) on_start_();
    std::lock_guard lock(mu_);
    journal_.push_back("start " + name_);
    return Status::Ok();
  }
  bool Stop(Clock::TimePoint) override {
    std::lock_guard lock(mu_);
    journal_.push_back("stop " + name_);
    return true;
  }
  bool NeedLeaderElection() const override { return leader_; }
  std::string name() const override { return name_; }

 private:
  std::string name_;
  bool leader_;
  std::vector<std::string>& journal_;
  std::mutex& mu_;
  std::function<void()> on_start_;
};

ManagerOptions LocalOptions() {
  ManagerOptions o;
  o.metrics_bind_address = "127.0.0.1:0";
  o.health_probe_bind_address = "127.0.0.1:0";
  o.leader_election_namespace = "ns";
  o.cache_sync_timeout = seconds(30);
  return o;
}

struct HttpAnswer {
  long code = 0;
  std::string body;
};

HttpAnswer Get(uint16_t port, const std::string& path) {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* out) {
        static_cast<std::string*>(out)->append(data, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.code);
  }
  curl_easy_cleanup(curl);
  return answer;
}

// Runs a manager on a thread of its own until it returns.
class ManagerThread {
 public:
  explicit ManagerThread(Manager& mgr) : mgr_(mgr), thread_([this] { result_ = mgr_.Run(); }) {}
  ~ManagerThread() { (void)StopAndJoin(); }
  ManagerThread(const ManagerThread&) = delete;
  ManagerThread& operator=(const ManagerThread&) = delete;

  // Waits for Run to return by itself; what it returned.
  Status Join() {
    if (thread_.joinable()) thread_.join();
    return result_;
  }
  // Stops the manager; what Run returned.
  Status StopAndJoin() {
    mgr_.Stop();
    return Join();
  }

 private:
  Manager& mgr_;
  Status result_ = InternalError("not run");  // written by thread_ until it is joined
  std::thread thread_;                        // last: starts once result_ exists
};

// A fake cluster, metrics of its own and loopback options: what every manager test starts from.
class ManagerTest : public ::testing::Test {
 protected:
  ManagerTest() { options_.metrics = &metrics_; }

  std::unique_ptr<Manager> NewManager() { return Manager::Create(options_, cluster_).value(); }

  FakeLeaseApi leases_;
  FakeCluster cluster_{leases_};
  Metrics metrics_;
  ManagerOptions options_ = LocalOptions();
};
using ManagerLeaderElectionTest = ManagerTest;

TEST(ParseBindAddressTest, AcceptsKubebuilderForms) {
  EXPECT_EQ(ParseBindAddress(":8080").value(),
            std::make_pair(std::string("0.0.0.0"), uint16_t{8080}));
  EXPECT_EQ(ParseBindAddress("127.0.0.1:0").value()->second, 0);
  EXPECT_EQ(ParseBindAddress("[::1]:9090").value()->first, "::1");
  EXPECT_FALSE(ParseBindAddress("0").value().has_value());
  EXPECT_FALSE(ParseBindAddress("").value().has_value());
  EXPECT_FALSE(ParseBindAddress("8080").ok());
  EXPECT_FALSE(ParseBindAddress(":99999").ok());
}

TEST_F(ManagerTest, StartsInControllerRuntimeOrderAndStopsInReverse) {
  auto mgr = NewManager();
  SharedInformer& pods = mgr->GetInformer(kPods);
  EXPECT_EQ(&pods, &mgr->GetInformer(kPods));  // one informer per resource+namespace
  EXPECT_NE(&pods, &mgr->GetInformer(kPods, "other"));
  std::vector<std::string> journal;
  std::mutex mu;
  bool synced_before_others = false;
  bool serving_before_others = false;
  mgr->Add(std::make_unique<JournalRunnable>("controller", true, journal, mu));
  mgr->Add(std::make_unique<JournalRunnable>("other", false, journal, mu, [&] {
    synced_before_others = pods.HasSynced();
    serving_before_others = mgr->health_port() != 0 && mgr->metrics_port() != 0;
  }));
  ManagerThread runner(*mgr);
  ASSERT_TRUE(mgr->WaitUntilLeading(kWait));
  EXPECT_TRUE(mgr->IsLeader());  // no election: always leads
  Status result = runner.StopAndJoin();
  EXPECT_TRUE(result.ok()) << result.ToString();
  EXPECT_TRUE(synced_before_others);
  EXPECT_TRUE(serving_before_others);
  EXPECT_EQ(journal, (std::vector<std::string>{"start other", "start controller", "stop controller",
                                               "stop other"}));
}

TEST_F(ManagerTest, ServesHealthReadinessAndMetricsOverHttp) {
  auto mgr = NewManager();
  mgr->GetInformer(kPods);
  ControllerOptions copts;
  copts.name = "pods";
  struct Noop : Reconciler {
    StatusOr<Result> Reconcile(const Request&) override { return Result::Done(); }
  } noop;
  mgr->NewController(std::move(copts), noop).For(mgr->GetInformer(kPods), {"", "Pod"});
  ManagerThread runner(*mgr);
  ASSERT_TRUE(mgr->WaitUntilLeading(kWait));
  auto healthz = Get(mgr->health_port(), "/healthz");
  EXPECT_EQ(healthz.code, 200);
  EXPECT_EQ(healthz.body, "ok");
  auto readyz = Get(mgr->health_port(), "/readyz?verbose");
  EXPECT_EQ(readyz.code, 200);
  EXPECT_NE(readyz.body.find("[+]informer-sync ok"), std::string::npos) << readyz.body;
  EXPECT_EQ(Get(mgr->health_port(), "/readyz/informer-sync").code, 200);
  auto m = Get(mgr->metrics_port(), "/metrics");
  EXPECT_EQ(m.code, 200);
  EXPECT_NE(m.body.find("controller_runtime_max_concurrent_reconciles{controller=\"pods\"} 1"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("workqueue_depth{name=\"pods\"}"), std::string::npos);
  EXPECT_EQ(Get(mgr->metrics_port(), "/nope").code, 404);
}

TEST_F(ManagerTest, ReadyzFailsUntilCachesSyncAndStopDuringSyncIsPrompt) {
  std::vector<Status> failures(1000, UnavailableError("api down"));
  cluster_.Lw("pods@").FailNextLists(failures);
  auto mgr = NewManager();
  mgr->GetInformer(kPods);
  ManagerThread runner(*mgr);
  ASSERT_TRUE(cluster_.Lw("pods@").WaitForLists(1));  // servers are up, caches are syncing
  auto readyz = Get(mgr->health_port(), "/readyz");
  EXPECT_EQ(readyz.code, 500);
  EXPECT_NE(readyz.body.find("[-]informer-sync failed"), std::string::npos) << readyz.body;
  EXPECT_EQ(Get(mgr->health_port(), "/healthz").code, 200);  // alive, just not ready
  EXPECT_EQ(runner.StopAndJoin().code(), StatusCode::kCancelled);
}

TEST_F(ManagerTest, AFailingRunnableAbortsStartUpWithItsError) {
  auto mgr = NewManager();
  struct Broken : Runnable {
    Status Start() override { return InvalidError("bad config"); }
    bool Stop(Clock::TimePoint) override { return true; }
    std::string name() const override { return "broken"; }
  };
  mgr->Add(std::make_unique<Broken>());
  Status result = mgr->Run();
  EXPECT_TRUE(result.IsInvalid());
  EXPECT_NE(result.message().find("broken"), std::string::npos);
}

TEST_F(ManagerTest, ShutdownThatOverrunsTheGracePeriodIsReportedAsAnError) {
  options_.graceful_shutdown_timeout = seconds(7);
  FakeClock clock;
  options_.clock = &clock;
  auto mgr = NewManager();
  struct Stubborn : Runnable {
    explicit Stubborn(const Clock& c) : clock(c) {}
    Status Start() override { return Status::Ok(); }
    bool Stop(Clock::TimePoint deadline) override {
      granted = deadline - clock.Now();
      return false;  // still busy at the deadline
    }
    std::string name() const override { return "stubborn"; }
    const Clock& clock;
    Clock::Duration granted{};
  };
  auto stubborn = std::make_unique<Stubborn>(clock);
  Stubborn* probe = stubborn.get();
  mgr->Add(std::move(stubborn));
  ManagerThread runner(*mgr);
  ASSERT_TRUE(mgr->WaitUntilLeading(kWait));
  EXPECT_EQ(runner.StopAndJoin().code(), StatusCode::kServerTimeout);
  EXPECT_EQ(probe->granted, seconds(7));  // the grace period bounds every stop
}

TEST_F(ManagerTest, InvalidOptionsAreRejectedAtCreate) {
  ManagerOptions options = LocalOptions();
  options.metrics_bind_address = "localhost";
  EXPECT_FALSE(Manager::Create(options, cluster_).ok());
  options = LocalOptions();
  options.leader_election = true;
  options.leader_election_namespace = "";
  EXPECT_FALSE(Manager::Create(options, cluster_).ok());
}

TEST_F(ManagerLeaderElectionTest, OnlyTheLeaderRunsControllersAndLosingTheLeaseIsAnError) {
  FakeClock clock;
  options_.clock = &clock;
  options_.leader_election = true;
  options_.leader_election_identity = "first";
  auto first = NewManager();
  std::vector<std::string> journal;
  std::mutex mu;
  first->Add(std::make_unique<JournalRunnable>("first-controller", true, journal, mu));
  options_.leader_election_identity = "second";
  Metrics second_metrics;
  options_.metrics = &second_metrics;
  auto second = NewManager();
  second->Add(std::make_unique<JournalRunnable>("second-controller", true, journal, mu));

  ManagerThread first_runner(*first);
  ASSERT_TRUE(first->WaitUntilLeading(kWait));
  const int calls_before_second = leases_.calls();
  ManagerThread second_runner(*second);
  ASSERT_TRUE(second->WaitUntilServing(kWait));
  ASSERT_TRUE(leases_.WaitForCalls(calls_before_second));  // second has looked at the lease
  EXPECT_FALSE(second->IsLeader());
  EXPECT_NE(metrics_.Serialize().find(
                "leader_election_master_status{name=\"2fa1c467.opensandbox.io\"} 1"),
            std::string::npos);
  EXPECT_NE(second_metrics.Serialize().find(
                "leader_election_master_status{name=\"2fa1c467.opensandbox.io\"} 0"),
            std::string::npos);

  leases_.SetFailing(true);  // first can no longer renew
  clock.Advance(seconds(11));
  Status first_result = first_runner.Join();
  EXPECT_EQ(first_result.code(), StatusCode::kUnavailable);
  EXPECT_NE(first_result.message().find("leader election lost"), std::string::npos);

  leases_.SetFailing(false);
  clock.Advance(seconds(16));  // the lease first held has expired for second
  ASSERT_TRUE(second->WaitUntilLeading(kWait));
  EXPECT_EQ(leases_.Record("ns/2fa1c467.opensandbox.io").holder_identity, "second");
  Status second_result = second_runner.StopAndJoin();
  EXPECT_TRUE(second_result.ok()) << second_result.ToString();
  EXPECT_EQ(leases_.Record("ns/2fa1c467.opensandbox.io").holder_identity,
            "");  // released on a clean stop
  std::lock_guard lock(mu);
  EXPECT_EQ(journal,
            (std::vector<std::string>{"start first-controller", "stop first-controller",
                                      "start second-controller", "stop second-controller"}));
}

}  // namespace
}  // namespace osbx::kube
