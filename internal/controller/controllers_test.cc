// End-to-end tests of both controllers in one process: a real Manager, real informers and work
// queues, the reconcilers, and the in-memory FakeApi standing in for the API server.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "api/v1alpha1/well_known.h"
#include "internal/controller/fake_api.h"
#include "internal/controller/metrics.h"
#include "internal/controller/setup.h"
#include "internal/scheduler/allocation_record.h"
#include "pkg/kube/meta/object.h"
#include "pkg/kube/meta/packed.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::controller {
namespace {

namespace v1 = ::osbx::api::v1alpha1;
using testing::FakeApi;

constexpr const char* kNs = "default";

Json PodTemplate(const std::string& image = "python:3.12") {
  return {{"metadata", {{"labels", {{"app", "sandbox"}}}}},
          {"spec", {{"containers", Json::array({{{"name", "main"}, {"image", image}}})}}}};
}

Json Pool(const std::string& name, int buffer_min, int buffer_max, int pool_min, int pool_max,
          const std::string& recycle = "Delete") {
  return {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
          {"kind", "Pool"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"template", PodTemplate()},
            {"capacitySpec",
             {{"bufferMin", buffer_min},
              {"bufferMax", buffer_max},
              {"poolMin", pool_min},
              {"poolMax", pool_max}}},
            {"scaleStrategy", {{"maxUnavailable", "100%"}}},
            {"recycleStrategy", {{"type", recycle}}}}}};
}

Json Batch(const std::string& name, int replicas, const std::string& pool = "") {
  Json b = {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
            {"kind", "BatchSandbox"},
            {"metadata", {{"name", name}}},
            {"spec", {{"replicas", replicas}}}};
  if (pool.empty()) {
    b["spec"]["template"] = PodTemplate();
  } else {
    b["spec"]["poolRef"] = pool;
  }
  return b;
}

std::vector<std::string> Endpoints(const Json& batch) {
  auto value = kube::GetAnnotation(batch, v1::kEndpointsAnnotation);
  if (!value) return {};
  return Json::parse(*value).get<std::vector<std::string>>();
}

bool AllSet(const std::vector<std::string>& endpoints, size_t n) {
  if (endpoints.size() != n) return false;
  for (const auto& e : endpoints) {
    if (e.empty()) return false;
  }
  return true;
}

class ControllersTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }
  void TearDown() override { Stop(); }

  void Start() {
    metrics_ = std::make_unique<kube::Metrics>();
    kube::ManagerOptions options;
    options.metrics_bind_address = "0";
    options.health_probe_bind_address = "0";
    options.metrics = metrics_.get();
    options.informer_options.indexers = RequiredIndexers();
    options.graceful_shutdown_timeout = std::chrono::seconds(5);
    auto manager = kube::Manager::Create(options, api_);
    ASSERT_TRUE(manager.ok()) << manager.status().ToString();
    manager_ = std::move(*manager);
    ControllersOptions controller_options;
    controller_options.batchsandbox_workers = 4;
    controller_options.pool_workers = 2;
    controller_options.name_seed = 7;
    controller_options.metrics = metrics_.get();
    auto controllers = RegisterControllers(*manager_, api_, controller_options);
    ASSERT_TRUE(controllers.ok()) << controllers.status().ToString();
    controllers_ = std::move(*controllers);
    runner_ = std::thread([this] { run_status_ = manager_->Run(); });
    ASSERT_TRUE(manager_->WaitUntilLeading(std::chrono::seconds(20)));
  }

  void Stop() {
    if (!manager_) return;
    manager_->Stop();
    runner_.join();
    EXPECT_TRUE(run_status_.ok()) << run_status_.ToString();
    controllers_.reset();
    manager_.reset();
  }

  Json Get(const kube::ResourceRef& r, const std::string& name) { return api_.Get(r, kNs, name); }
  Json GetBatch(const std::string& name) { return Get(BatchSandboxResource(), name); }

  void Create(const kube::ResourceRef& r, const Json& obj) {
    ASSERT_TRUE(api_.Create(r, kNs, obj).ok());
  }

  // Pods of a pool that are Ready and not held.
  int PoolPods(const std::string& pool) {
    int n = 0;
    for (const Json& pod : api_.List(PodResource())) {
      if (kube::GetLabel(pod, v1::kPoolNameLabel) == pool) ++n;
    }
    return n;
  }

  void WarmPool(const std::string& name, int buffer, const std::string& recycle = "Delete") {
    Create(PoolResource(), Pool(name, buffer, buffer, 0, 1000, recycle));
    ASSERT_TRUE(api_.WaitFor([&] {
      Json pool = Get(PoolResource(), name);
      return pool.contains("status") && pool["status"].value("available", 0) == buffer;
    }));
  }

  // Reconciles `controller` has finished, whatever their result.
  int Reconciles(const std::string& controller) {
    const std::string text = metrics_->Serialize();
    const std::string prefix = "controller_runtime_reconcile_total{";
    const std::string label = "controller=\"" + controller + "\"";
    int total = 0;
    size_t at = 0;
    while ((at = text.find(prefix, at)) != std::string::npos) {
      const size_t end = text.find('\n', at);
      const std::string line = text.substr(at, end - at);
      at = end;
      if (line.find(label) == std::string::npos) continue;
      total += static_cast<int>(std::stod(line.substr(line.rfind(' ') + 1)));
    }
    return total;
  }

  std::vector<std::string> RecordPods(const std::string& batch) {
    auto record = scheduler::ParseAllocationRecord(GetBatch(batch));
    return record.ok() ? record->pods : std::vector<std::string>{};
  }

  FakeApi api_;
  std::unique_ptr<kube::Metrics> metrics_;
  std::unique_ptr<kube::Manager> manager_;
  std::unique_ptr<Controllers> controllers_;
  std::thread runner_;
  Status run_status_;
};

TEST_F(ControllersTest, PoolSizesOnlyOnceItsCacheShowsThePodsItCreated) {
  api_.HoldWatchEvents("pods", true);  // the pod cache lags the Pool's own creates
  Create(PoolResource(), Pool("lag", 2, 2, 0, 2));
  ASSERT_TRUE(api_.WaitFor([&] { return api_.Writes("create", "pods") >= 2; }));
  const int before = Reconciles("pool");
  api_.Mutate(PoolResource(), kNs, "lag", [](Json& p) { p["metadata"]["labels"]["touch"] = "1"; });
  ASSERT_TRUE(api_.WaitFor([&] { return Reconciles("pool") >= before + 2; }));
  EXPECT_EQ(api_.Writes("create", "pods"), 2) << "sized from a cache missing its own creates";
  api_.HoldWatchEvents("pods", false);
  ASSERT_TRUE(api_.WaitFor([&] {
    Json pool = Get(PoolResource(), "lag");
    return pool.contains("status") && pool["status"].value("available", 0) == 2;
  }));
  EXPECT_EQ(api_.Writes("create", "pods"), 2);
  EXPECT_EQ(PoolPods("lag"), 2);
}

TEST_F(ControllersTest, PoolWarmsUpToBufferWithLabelledOwnedPods) {
  WarmPool("warm", 3);
  Json pool = Get(PoolResource(), "warm");
  int pods = 0;
  for (const Json& pod : api_.List(PodResource())) {
    if (kube::GetLabel(pod, v1::kPoolNameLabel) != "warm") continue;
    ++pods;
    EXPECT_EQ(kube::GetLabel(pod, v1::kPoolRevisionLabel), pool["status"]["revision"]);
    EXPECT_TRUE(kube::IsControlledBy(pod, kube::GetUid(pool)));
  }
  EXPECT_EQ(pods, 3);
}

TEST_F(ControllersTest, PooledBatchIsDeliveredWithTwoWrites) {
  WarmPool("p", 5);
  const int patches_before = api_.Writes("patch", "batchsandboxes");
  const int status_before = api_.Writes("patch_status", "batchsandboxes");
  Create(BatchSandboxResource(), Batch("b", 5, "p"));
  ASSERT_TRUE(api_.WaitFor([&] {
    Json b = GetBatch("b");
    return AllSet(Endpoints(b), 5) && b.contains("status") && b["status"].value("ready", 0) == 5;
  }));
  EXPECT_EQ(api_.Writes("patch", "batchsandboxes") - patches_before, 1);
  EXPECT_EQ(api_.Writes("patch_status", "batchsandboxes") - status_before, 1);
  Json b = GetBatch("b");
  EXPECT_TRUE(kube::HasFinalizer(b, v1::kPoolAllocationFinalizer));
  std::vector<std::string> pods = RecordPods("b");
  EXPECT_EQ(std::set<std::string>(pods.begin(), pods.end()).size(), 5u);
  // Steady state: no further writes to the batch once the pool has refilled.
  ASSERT_TRUE(api_.WaitFor([&] {
    Json pool = Get(PoolResource(), "p");
    return pool["status"].value("available", 0) == 5 && pool["status"].value("allocated", 0) == 5;
  }));
  EXPECT_EQ(api_.Writes("patch", "batchsandboxes") - patches_before, 1);
}

// The controllers' caches keep what only decoders read as text (memory at 100,000 sandboxes);
// delivery above shows that they still read it.
TEST_F(ControllersTest, CachesKeepConditionsTemplatesAndPodStatusPacked) {
  WarmPool("p", 2);
  Json batch = Batch("b", 2, "p");
  batch["spec"]["template"] = PodTemplate();  // a pooled batch may carry a compatible template
  Create(BatchSandboxResource(), batch);
  const kube::Indexer& batches = manager_->GetInformer(BatchSandboxResource()).indexer();
  ASSERT_TRUE(api_.WaitFor([&] {
    kube::ObjectPtr b = batches.Get("default/b");
    if (!b || !b->contains("status")) return false;
    Json storage;
    const Json& status = kube::Unpacked(b->at("status"), storage);
    return status.contains("conditions") && status.value("ready", 0) == 2;
  }));
  kube::ObjectPtr cached = batches.Get("default/b");
  EXPECT_TRUE(kube::IsPacked(cached->at("status")));
  EXPECT_TRUE(kube::IsPacked(cached->at("spec").at("template")));
  EXPECT_EQ(cached->at("spec").value("poolRef", ""), "p");  // what predicates read stays a tree
  const Json full = kube::UnpackedCopy(*cached);
  EXPECT_TRUE(full["status"]["conditions"].is_array());
  for (const kube::ObjectPtr& pod : manager_->GetInformer(PodResource()).indexer().List()) {
    ASSERT_TRUE(pod->contains("status")) << kube::GetName(*pod);
    EXPECT_TRUE(kube::IsPacked(pod->at("status"))) << kube::GetName(*pod);
  }
}

TEST_F(ControllersTest, NonPooledScalesUpDownAndRecreatesLostPods) {
  Create(BatchSandboxResource(), Batch("np", 3));
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("np")), 3); }));
  for (int i = 0; i < 3; ++i) {
    Json pod = Get(PodResource(), "np-" + std::to_string(i));
    ASSERT_FALSE(pod.is_null());
    EXPECT_EQ(kube::GetLabel(pod, v1::kPodIndexLabel), std::to_string(i));
  }
  const std::string lost_uid(kube::GetUid(Get(PodResource(), "np-1")));
  ASSERT_TRUE(api_.Delete(PodResource(), kNs, "np-1", "").ok());
  ASSERT_TRUE(api_.WaitFor([&] {
    Json pod = Get(PodResource(), "np-1");
    return !pod.is_null() && kube::GetUid(pod) != lost_uid;
  }));
  api_.Mutate(BatchSandboxResource(), kNs, "np", [](Json& b) {
    b["spec"]["replicas"] = 1;
    b["metadata"]["generation"] = 2;
  });
  ASSERT_TRUE(api_.WaitFor([&] {
    return Get(PodResource(), "np-1").is_null() && Get(PodResource(), "np-2").is_null();
  }));
  EXPECT_FALSE(Get(PodResource(), "np-0").is_null());
  ASSERT_TRUE(api_.WaitFor([&] { return Endpoints(GetBatch("np")).size() == 1; }));
}

TEST_F(ControllersTest, ExpiredBatchIsDeletedWithItsPods) {
  Json batch = Batch("ttl", 2);
  batch["spec"]["expireTime"] = "2020-01-01T00:00:00Z";
  Create(BatchSandboxResource(), batch);
  ASSERT_TRUE(api_.WaitFor([&] { return GetBatch("ttl").is_null(); }));
  EXPECT_TRUE(api_.WaitFor([&] { return !api_.Events("Expired").empty(); }));
}

TEST_F(ControllersTest, BatchExpiresAtItsExpireTime) {
  Json batch = Batch("later", 1);
  batch["spec"]["expireTime"] =
      kube::FormatTime(std::chrono::system_clock::now() + std::chrono::seconds(2));
  Create(BatchSandboxResource(), batch);
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("later")), 1); }));
  ASSERT_TRUE(api_.WaitFor([&] { return GetBatch("later").is_null(); }));
}

TEST_F(ControllersTest, DeletingPooledBatchRecyclesPodsByDelete) {
  WarmPool("d", 2);
  Create(BatchSandboxResource(), Batch("b", 2, "d"));
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("b")), 2); }));
  std::vector<std::string> held = RecordPods("b");
  ASSERT_TRUE(api_.Delete(BatchSandboxResource(), kNs, "b", "").ok());
  ASSERT_TRUE(api_.WaitFor([&] { return GetBatch("b").is_null(); }));
  for (const std::string& pod : held) EXPECT_TRUE(Get(PodResource(), pod).is_null()) << pod;
}

TEST_F(ControllersTest, NoopRecycleReturnsPodsForReuse) {
  // The pool refills to bufferMax (4) and keeps up to 4 idle pods, so the 2 returned pods fit.
  Create(PoolResource(), Pool("n", 1, 4, 0, 100, "Noop"));
  ASSERT_TRUE(api_.WaitFor([&] { return PoolPods("n") == 4; }));
  Create(BatchSandboxResource(), Batch("b1", 2, "n"));
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("b1")), 2); }));
  // Two idle pods remain, above bufferMin: nothing is created until the batch gives its back.
  std::vector<std::string> held = RecordPods("b1");
  ASSERT_TRUE(api_.Delete(BatchSandboxResource(), kNs, "b1", "").ok());
  ASSERT_TRUE(api_.WaitFor([&] { return GetBatch("b1").is_null(); }));
  for (const std::string& pod : held) EXPECT_FALSE(Get(PodResource(), pod).is_null()) << pod;
  // The returned pods serve the next batch.
  Create(BatchSandboxResource(), Batch("b2", 4, "n"));
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("b2")), 4); }));
}

TEST_F(ControllersTest, BatchWaitingOnFullNoopPoolIsServedWhenPodsAreGivenBack) {
  // A full pool (poolMax 2) whose pods come back unchanged: no pod event announces them, so the
  // Pool itself must wake the batch waiting for them.
  Create(PoolResource(), Pool("full", 2, 2, 2, 2, "Noop"));
  ASSERT_TRUE(api_.WaitFor([&] { return PoolPods("full") == 2; }));
  Create(BatchSandboxResource(), Batch("first", 2, "full"));
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("first")), 2); }));
  Create(BatchSandboxResource(), Batch("second", 2, "full"));
  ASSERT_TRUE(api_.WaitFor([&] { return !api_.Events("PoolExhausted").empty(); }));
  std::vector<std::string> held = RecordPods("first");
  ASSERT_TRUE(api_.Delete(BatchSandboxResource(), kNs, "first", "").ok());
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("second")), 2); }));
  std::vector<std::string> reused = RecordPods("second");
  EXPECT_EQ(std::set<std::string>(reused.begin(), reused.end()),
            std::set<std::string>(held.begin(), held.end()));
}

TEST_F(ControllersTest, PoolExhaustedThenDeliveredWhenPodsBecomeReady) {
  api_.SetAutoReady(false);
  Create(PoolResource(), Pool("slow", 2, 2, 0, 10));
  ASSERT_TRUE(api_.WaitFor([&] { return PoolPods("slow") == 2; }));
  Create(BatchSandboxResource(), Batch("w", 2, "slow"));
  ASSERT_TRUE(api_.WaitFor([&] {
    Json b = GetBatch("w");
    if (!b.contains("status")) return false;
    for (const auto& c : b["status"].value("conditions", Json::array())) {
      if (c.value("type", "") == "PoolExhausted" && c.value("status", "") == "True") return true;
    }
    return false;
  }));
  EXPECT_TRUE(api_.WaitFor([&] { return !api_.Events("PoolExhausted").empty(); }));
  for (const Json& pod : api_.List(PodResource())) {
    api_.SetPodReady(kNs, std::string(kube::GetName(pod)), true);
  }
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("w")), 2); }));
}

TEST_F(ControllersTest, MissingPoolIsReportedThenServedWhenCreated) {
  Create(BatchSandboxResource(), Batch("orphan", 1, "later"));
  ASSERT_TRUE(api_.WaitFor([&] { return !api_.Events("PoolNotFound").empty(); }));
  Create(PoolResource(), Pool("later", 1, 1, 0, 5));
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("orphan")), 1); }));
}

TEST_F(ControllersTest, DeadAllocatedPodIsReplacedAtTheSameIndex) {
  WarmPool("r", 3);
  Create(BatchSandboxResource(), Batch("b", 2, "r"));
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("b")), 2); }));
  std::vector<std::string> before = RecordPods("b");
  api_.Mutate(PodResource(), kNs, before[1], [](Json& pod) { pod["status"]["phase"] = "Failed"; });
  ASSERT_TRUE(api_.WaitFor([&] {
    std::vector<std::string> now = RecordPods("b");
    return now.size() == 2 && !now[1].empty() && now[1] != before[1] &&
           AllSet(Endpoints(GetBatch("b")), 2);
  }));
  EXPECT_EQ(RecordPods("b")[0], before[0]);
}

TEST_F(ControllersTest, PoolDeletedFirstNothingStuck) {
  WarmPool("gone", 2);
  Create(BatchSandboxResource(), Batch("b", 2, "gone"));
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("b")), 2); }));
  ASSERT_TRUE(api_.Delete(PoolResource(), kNs, "gone", "").ok());
  // The Pool waits for the batch, with a condition saying why.
  ASSERT_TRUE(api_.WaitFor([&] { return !api_.Events("WaitingForSandboxes").empty(); }));
  EXPECT_FALSE(Get(PoolResource(), "gone").is_null());
  ASSERT_TRUE(api_.Delete(BatchSandboxResource(), kNs, "b", "").ok());
  ASSERT_TRUE(api_.WaitFor([&] {
    return GetBatch("b").is_null() && Get(PoolResource(), "gone").is_null() &&
           PoolPods("gone") == 0;
  })) << GetBatch("b").dump()
      << "\n"
      << Get(PoolResource(), "gone").dump() << "\n"
      << PoolPods("gone");
}

TEST_F(ControllersTest, BatchDeletedFirstThenPoolNothingStuck) {
  WarmPool("g2", 2);
  Create(BatchSandboxResource(), Batch("b", 1, "g2"));
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("b")), 1); }));
  ASSERT_TRUE(api_.Delete(BatchSandboxResource(), kNs, "b", "").ok());
  ASSERT_TRUE(api_.Delete(PoolResource(), kNs, "g2", "").ok());
  ASSERT_TRUE(api_.WaitFor([&] {
    return GetBatch("b").is_null() && Get(PoolResource(), "g2").is_null() && PoolPods("g2") == 0;
  }));
}

TEST_F(ControllersTest, MalformedRecordIsQuarantinedAndOthersServed) {
  WarmPool("q", 3);
  Json bad = Batch("bad", 1, "q");
  bad["metadata"]["annotations"] = {{std::string(v1::kAllocStatusAnnotation), "{not json"}};
  Create(BatchSandboxResource(), bad);
  Create(BatchSandboxResource(), Batch("good", 2, "q"));
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("good")), 2); }));
  ASSERT_TRUE(api_.WaitFor([&] { return !api_.Events("RecordMalformed").empty(); }));
  EXPECT_TRUE(manager_->IsLeader());
}

TEST_F(ControllersTest, RestartRebuildsLedgerAndNeverHandsOutAPodTwice) {
  WarmPool("rs", 4, "Noop");
  Create(BatchSandboxResource(), Batch("first", 2, "rs"));
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("first")), 2); }));
  Stop();
  Start();
  Create(BatchSandboxResource(), Batch("second", 4, "rs"));
  ASSERT_TRUE(api_.WaitFor([&] { return AllSet(Endpoints(GetBatch("second")), 4); }));
  std::vector<std::string> a = RecordPods("first"), b = RecordPods("second");
  std::set<std::string> all(a.begin(), a.end());
  for (const auto& pod : b) EXPECT_TRUE(all.insert(pod).second) << pod << " handed out twice";
}

}  // namespace
}  // namespace osbx::controller
