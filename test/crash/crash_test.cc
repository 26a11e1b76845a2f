// Crash test of allocation integrity (design invariant 1): the standalone API server runs alone
// (`opensandbox-controller standalone --no-controllers`, with its simulated node), the controllers
// run as a separate `opensandbox-controller --kubeconfig ...` process, and while pooled
// BatchSandboxes of various sizes are created, scaled and deleted on a Delete pool and a Noop
// pool, the controller process is killed with SIGKILL at random moments and started again.
// An auditor fed by watches records every allocation record of the run and fails the test if a
// pod is ever in two live records, or serves again after a Delete recycle or its deletion.
// Afterwards, with the controller left alone, every batch converges and deleting everything
// leaves no pod behind and nothing stuck Terminating.
//
// The schedule comes from a seeded PRNG; the seed is printed, and OSBX_CRASH_SEED replays it.
// OSBX_CRASH_SECONDS changes the length of the churn (default 30 s).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pkg/kube/client/config.h"
#include "pkg/kube/client/rest_client.h"
#include "pkg/kube/meta/object.h"
#include "test/crash/allocation_auditor.h"
#include "test/crash/child_process.h"
#include "test/crash/resource_watch.h"
#include "test/e2e/e2e_util.h"

namespace osbx::crash {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

const kube::ResourceRef kPods{"", "v1", "pods", "Pod", true};
const kube::ResourceRef kBatches{"sandbox.opensandbox.io", "v1alpha1", "batchsandboxes",
                                 "BatchSandbox", true};
const kube::ResourceRef kPools{"sandbox.opensandbox.io", "v1alpha1", "pools", "Pool", true};
constexpr const char* kNs = "default";
constexpr const char* kEndpoints = "sandbox.opensandbox.io/endpoints";
constexpr int kPoolMax = 24;
constexpr int kMaxDemandPerPool = 16;  // live replicas per pool, below poolMax

Json PodTemplate() {
  return {{"spec",
           {{"containers",
             Json::array({{{"name", "sandbox-container"}, {"image", "nginx:latest"}}})}}}};
}

Json PoolObject(const std::string& name, const std::string& strategy) {
  return {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
          {"kind", "Pool"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"template", PodTemplate()},
            {"capacitySpec",
             {{"bufferMin", 4}, {"bufferMax", 10}, {"poolMin", 6}, {"poolMax", kPoolMax}}},
            {"recycleStrategy", {{"type", strategy}}}}}};
}

Json BatchObject(const std::string& name, const std::string& pool, int replicas) {
  return {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
          {"kind", "BatchSandbox"},
          {"metadata", {{"name", name}}},
          {"spec", {{"replicas", replicas}, {"poolRef", pool}, {"template", PodTemplate()}}}};
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// Polls `done` every 200 ms until it holds or `limit` passes; returns whether it held.
bool PollUntil(Clock::duration limit, const std::function<bool()>& done) {
  const auto deadline = Clock::now() + limit;
  while (true) {
    if (done()) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(200));
  }
}

// Why a batch is not delivered yet ("" when it is: every index allocated, ready, with endpoint).
std::string Undelivered(const Json& batch) {
  const int64_t replicas = batch["spec"].value("replicas", int64_t{1});
  const Json status = batch.value("status", Json::object());
  if (status.value("allocated", int64_t{-1}) != replicas) return "allocated != replicas";
  if (status.value("ready", int64_t{-1}) != replicas) return "ready != replicas";
  auto endpoints_text = kube::GetAnnotation(batch, kEndpoints);
  if (!endpoints_text) return "no endpoints";
  Json endpoints = Json::parse(*endpoints_text, nullptr, false);
  if (!endpoints.is_array() || static_cast<int64_t>(endpoints.size()) != replicas) {
    return "endpoints size != replicas";
  }
  for (const Json& e : endpoints) {
    if (!e.is_string() || e.get<std::string>().empty()) return "an endpoint is empty";
  }
  return "";
}

class CrashTest : public testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<e2e::ApiServerProcess>(
        dir_.path() + "/data",
        std::vector<std::string>{"opensandbox-controller", "standalone", "--no-controllers"});
    ASSERT_TRUE(server_->Start()) << "the standalone API server did not start";
    auto config = kube::ResolveConfig(server_->kubeconfig());
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config->qps = 0;  // the test's own calls are never throttled
    auto client = kube::RestClient::New(*config);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }

  void TearDown() override {
    controller_.reset();
    batch_watch_.reset();
    pod_watch_.reset();
    client_.reset();
    server_.reset();
  }

  std::vector<Json> List(const kube::ResourceRef& resource) {
    auto list = client_->ListAll(resource, kNs, {});
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? list->items : std::vector<Json>{};
  }

  // Starts the auditor's watches before anything exists, so it sees every version.
  void StartAuditor() {
    auto list = client_->List(kPods, "", {});
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    pod_watch_ = std::make_unique<ResourceWatch>(
        *client_, kPods,
        [this](const Json& pod, bool deleted) { auditor_.ObservePod(pod, deleted); });
    ASSERT_TRUE(pod_watch_->Start(list->resource_version).ok());
    batch_watch_ = std::make_unique<ResourceWatch>(
        *client_, kBatches,
        [this](const Json& batch, bool deleted) { auditor_.ObserveBatch(batch, deleted); });
    ASSERT_TRUE(batch_watch_->Start(list->resource_version).ok());
  }

  void StartController() {
    controller_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{e2e::BuiltBinary("opensandbox-controller"), "--kubeconfig",
                                 server_->kubeconfig(), "--metrics-bind-address", "0",
                                 "--health-probe-bind-address", "0"},
        dir_.path() + "/controller.log");
    ASSERT_TRUE(controller_->Start());
  }

  // The controllers' events naming a pod of a violation, to tell what the controller did.
  std::string EventsAbout(const std::vector<std::string>& violations) {
    std::set<std::string> pods;
    for (const std::string& v : violations) {
      size_t at = v.find("pod default/");
      if (at != std::string::npos) pods.insert(v.substr(at + 12, v.find(' ', at + 12) - at - 12));
    }
    const kube::ResourceRef events{"", "v1", "events", "Event", true};
    std::string out;
    for (const Json& e : List(events)) {
      const std::string message = e.value("message", "");
      for (const std::string& pod : pods) {
        if (message.find(pod) == std::string::npos) continue;
        out += "  event " + e["involvedObject"].value("name", "") + " " + e.value("reason", "") +
               ": " + message + "\n";
        break;
      }
    }
    return out;
  }

  std::string ControllerLogTail() {
    auto r = e2e::RunShell("tail -n 40 " + dir_.path() + "/controller.log");
    return r.out;
  }

  e2e::TempDir dir_;
  std::unique_ptr<e2e::ApiServerProcess> server_;
  std::unique_ptr<kube::RestClient> client_;
  std::unique_ptr<ChildProcess> controller_;
  AllocationAuditor auditor_;
  std::unique_ptr<ResourceWatch> pod_watch_;
  std::unique_ptr<ResourceWatch> batch_watch_;
};

// Runs a write that carries no precondition and counts a 409 answer to it. Like kube-apiserver,
// the standalone server retries such writes internally when they race another write, so the
// count must stay at zero.
template <typename Write>
auto CountConflicts(int& conflicts, Write write) {
  auto result = write();
  if (!result.ok() && result.status().code() == StatusCode::kConflict) ++conflicts;
  return result;
}

// The churn: random creates, scales and deletes of pooled batches, with the controller killed
// (SIGKILL) and restarted at random moments.
struct Churn {
  struct Live {
    std::string pool;
    int replicas = 0;
  };
  std::mt19937_64 rng;
  std::map<std::string, Live> live;   // batch name -> what it asks for
  std::map<std::string, int> demand;  // pool -> live replicas
  int created = 0, deleted = 0, scaled = 0, kills = 0, conflicts = 0;

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
};

void ChurnStep(Churn& churn, kube::RestClient& client) {
  const std::vector<std::string> pools = {"pool-delete", "pool-noop"};
  const int action = churn.Uniform(0, 9);
  if (action < 5 || churn.live.size() < 3) {  // create
    const std::string pool = pools[static_cast<size_t>(churn.Uniform(0, 1))];
    const int replicas = churn.Uniform(1, 6);
    if (churn.demand[pool] + replicas > kMaxDemandPerPool) return;
    const std::string name = "batch-" + std::to_string(churn.created++);
    auto created = client.Create(kBatches, kNs, BatchObject(name, pool, replicas));
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    churn.live[name] = {pool, replicas};
    churn.demand[pool] += replicas;
    return;
  }
  auto it = churn.live.begin();
  std::advance(it, churn.Uniform(0, static_cast<int>(churn.live.size()) - 1));
  if (action < 8) {  // delete
    auto deleted =
        CountConflicts(churn.conflicts, [&] { return client.Delete(kBatches, kNs, it->first); });
    ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
    churn.demand[it->second.pool] -= it->second.replicas;
    churn.live.erase(it);
    ++churn.deleted;
    return;
  }
  // scale up or down
  const int replicas = churn.Uniform(1, 6);
  if (churn.demand[it->second.pool] - it->second.replicas + replicas > kMaxDemandPerPool) return;
  Json patch = {{"spec", {{"replicas", replicas}}}};
  auto scaled = CountConflicts(churn.conflicts, [&] {
    return client.Patch(kBatches, kNs, it->first, kube::PatchType::kMerge, patch.dump());
  });
  ASSERT_TRUE(scaled.ok()) << scaled.status().ToString();
  churn.demand[it->second.pool] += replicas - it->second.replicas;
  it->second.replicas = replicas;
  ++churn.scaled;
}

TEST_F(CrashTest, ControllerKilledAtRandomNeverHandsOutAPodTwiceAndConverges) {
  const uint64_t seed = EnvInt("OSBX_CRASH_SEED", 0) != 0
                            ? static_cast<uint64_t>(EnvInt("OSBX_CRASH_SEED", 0))
                            : std::random_device{}() % 1000000 + 1;
  const int churn_seconds = EnvInt("OSBX_CRASH_SECONDS", 30);
  std::cout << "crash test seed " << seed << " (replay with OSBX_CRASH_SEED=" << seed << ")\n";
  RecordProperty("seed", std::to_string(seed));
  Churn churn{std::mt19937_64(seed), {}, {}};

  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  auditor_.SetPoolStrategy(std::string(kNs) + "/pool-delete", "Delete");
  auditor_.SetPoolStrategy(std::string(kNs) + "/pool-noop", "Noop");
  for (const auto& [name, strategy] : std::vector<std::pair<std::string, std::string>>{
           {"pool-delete", "Delete"}, {"pool-noop", "Noop"}}) {
    auto created = client_->Create(kPools, kNs, PoolObject(name, strategy));
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }
  ASSERT_NO_FATAL_FAILURE(StartController());

  const auto end = Clock::now() + seconds(churn_seconds);
  auto next_kill = Clock::now() + milliseconds(churn.Uniform(500, 4000));
  while (Clock::now() < end) {
    ASSERT_NO_FATAL_FAILURE(ChurnStep(churn, *client_));
    if (Clock::now() >= next_kill) {
      controller_->Kill();
      ++churn.kills;
      // Sometimes straight back, sometimes after the world moved on without a controller.
      std::this_thread::sleep_for(
          milliseconds(churn.Uniform(0, 1) == 0 ? 0 : churn.Uniform(0, 800)));
      ASSERT_TRUE(controller_->Start());
      next_kill = Clock::now() + milliseconds(churn.Uniform(300, 4000));
    }
    std::this_thread::sleep_for(milliseconds(churn.Uniform(20, 250)));  // the workload's pace
  }
  std::cout << "churn: " << churn.created << " created, " << churn.deleted << " deleted, "
            << churn.scaled << " scaled, " << churn.kills << " controller kills, "
            << churn.conflicts << " unconditional writes refused with 409\n";
  EXPECT_EQ(churn.conflicts, 0) << "a write without a precondition was refused with 409";
  ASSERT_GE(churn.kills, 3) << "the schedule killed the controller too rarely to mean anything";
  ASSERT_TRUE(controller_->Alive()) << ControllerLogTail();

  // The controller now runs undisturbed: every live batch is delivered.
  std::string pending;
  const bool converged = PollUntil(seconds(90), [&] {
    for (const Json& batch : List(kBatches)) {
      std::string why = Undelivered(batch);
      if (!why.empty()) {
        pending = std::string(kube::GetName(batch)) + ": " + why + "\n" + batch.dump(2);
        return false;
      }
    }
    return true;
  });
  EXPECT_TRUE(converged) << "not delivered: " << pending << "\n" << ControllerLogTail();
  std::set<std::string> endpoints;
  size_t endpoint_count = 0;
  for (const Json& batch : List(kBatches)) {
    Json list = Json::parse(kube::GetAnnotation(batch, kEndpoints).value_or("[]"), nullptr, false);
    for (const Json& e : list) {
      endpoints.insert(e.dump());
      ++endpoint_count;
    }
  }
  EXPECT_EQ(endpoints.size(), endpoint_count) << "two sandboxes share an endpoint";

  // Deleting every batch leaves only the pools' own idle pods, and nothing stuck Terminating.
  for (const auto& [name, live] : churn.live) {
    auto deleted =
        CountConflicts(churn.conflicts, [&] { return client_->Delete(kBatches, kNs, name); });
    EXPECT_TRUE(deleted.ok()) << deleted.status().ToString();
  }
  EXPECT_TRUE(PollUntil(seconds(60), [&] { return List(kBatches).empty(); }))
      << "BatchSandboxes stuck: " << Json(List(kBatches)).dump(2) << "\n"
      << ControllerLogTail();
  std::string leak;
  EXPECT_TRUE(PollUntil(seconds(60), [&] {
    for (const Json& pod : List(kPods)) {
      const Json owners = pod["metadata"].value("ownerReferences", Json::array());
      const bool pool_owned = owners.size() == 1 && owners[0].value("kind", "") == "Pool";
      if (!pool_owned || kube::IsBeingDeleted(pod)) {
        leak = std::string(kube::GetName(pod)) + (pool_owned ? " is terminating" : " has no Pool");
        return false;
      }
    }
    for (const Json& pool : List(kPools)) {
      if (pool.value("status", Json::object()).value("allocated", int64_t{-1}) != 0) {
        leak = std::string(kube::GetName(pool)) + " still counts allocated pods";
        return false;
      }
    }
    return true;
  })) << leak;
  EXPECT_LE(List(kPods).size(), static_cast<size_t>(2 * kPoolMax));

  // Deleting the pools takes their pods with them.
  for (const char* pool : {"pool-delete", "pool-noop"}) {
    auto deleted =
        CountConflicts(churn.conflicts, [&] { return client_->Delete(kPools, kNs, pool); });
    EXPECT_TRUE(deleted.ok()) << deleted.status().ToString();
  }
  EXPECT_TRUE(PollUntil(seconds(60), [&] { return List(kPools).empty() && List(kPods).empty(); }))
      << "left behind: " << List(kPools).size() << " pools, " << List(kPods).size() << " pods";

  // The auditor's verdict over the whole run.
  EXPECT_EQ(batch_watch_->error(), "");
  EXPECT_EQ(pod_watch_->error(), "");
  EXPECT_TRUE(PollUntil(seconds(20), [&] { return auditor_.Holdings().empty(); }))
      << "the watch never saw every batch go";
  std::vector<std::string> violations = auditor_.Violations();
  std::string report;
  for (const std::string& v : violations) report += "  " + v + "\n";
  if (!violations.empty()) report += EventsAbout(violations);
  EXPECT_TRUE(violations.empty()) << "allocation integrity violated (seed " << seed << "):\n"
                                  << report;
  std::cout << "auditor: " << auditor_.records_observed() << " record states, "
            << auditor_.allocations_observed() << " allocations observed\n";
  EXPECT_GT(auditor_.allocations_observed(), 20);
}

// The allocation record's write precondition: a merge patch carrying a resourceVersion the
// object has moved past is refused with 409, so a stale writer cannot overwrite a newer record.
TEST_F(CrashTest, RecordWriteWithStaleResourceVersionIsRefused) {
  auto created = client_->Create(kBatches, kNs, BatchObject("stale", "no-such-pool", 1));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const std::string old_rv(kube::GetResourceVersion(*created));
  auto record = [](const std::string& rv, const std::string& pod) {
    Json patch = {{"metadata",
                   {{"resourceVersion", rv},
                    {"annotations",
                     {{"sandbox.opensandbox.io/alloc-status", Json{{"pods", {pod}}}.dump()}}}}}};
    return patch.dump();
  };
  auto first = client_->Patch(kBatches, kNs, "stale", kube::PatchType::kMerge, record(old_rv, "a"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second =
      client_->Patch(kBatches, kNs, "stale", kube::PatchType::kMerge, record(old_rv, "b"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kConflict) << second.status().ToString();
  auto now = client_->Get(kBatches, kNs, "stale");
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(kube::GetAnnotation(*now, "sandbox.opensandbox.io/alloc-status").value_or(""),
            R"({"pods":["a"]})");
}

}  // namespace
}  // namespace osbx::crash
