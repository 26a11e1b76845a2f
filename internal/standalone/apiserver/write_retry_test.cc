// Writes without a client precondition never fail because another write raced them: the server
// re-reads the object and re-applies the mutation itself, as kube-apiserver's GuaranteedUpdate
// does, for merge, JSON and strategic patches, server-side apply, status writes and deletes
// (with and without async_writes). A stale resourceVersion in an update or patch body, or stale
// DeleteOptions preconditions, still answer 409.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "internal/standalone/apiserver/server_test_fixture.h"
#include "internal/utils/json.h"
#include "pkg/http/test_client.h"

namespace osbx::standalone {
namespace {

namespace fs = std::filesystem;
using http::testing::CurlClient;
using http::testing::FetchOptions;
using http::testing::FetchResult;

constexpr const char* kLeases = "/apis/coordination.k8s.io/v1/namespaces/default/leases";
constexpr const char* kPods = "/api/v1/namespaces/default/pods";
constexpr const char* kMerge = "application/merge-patch+json";
constexpr const char* kJsonPatch = "application/json-patch+json";
constexpr const char* kStrategic = "application/strategic-merge-patch+json";
constexpr const char* kApply = "application/apply-patch+yaml";

class WriteRetryTest : public testing::ServerTest {
 protected:
  WriteRetryTest() : ServerTest("retry") {}

  // Creates a lease and returns it as stored.
  Json CreateLease(CurlClient& client, const std::string& name,
                   const Json& finalizers = Json::array()) const {
    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", name}, {"finalizers", finalizers}}},
                  {"spec", {{"holderIdentity", "test"}}}};
    FetchResult r = Call(client, kLeases, "POST", lease.dump());
    EXPECT_EQ(r.status, 201) << r.body << r.error;
    return Json::parse(r.body, nullptr, false);
  }

  // Runs `write(client, thread, i)` from kThreads clients kPerThread times each, all at once.
  void RunConcurrently(int threads, int per_thread,
                       const std::function<void(CurlClient&, int, int)>& write) const {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        CurlClient client;
        for (int i = 0; i < per_thread; ++i) write(client, t, i);
      });
    }
    for (std::thread& w : workers) w.join();
  }
};

// Counts answers by HTTP status; the test thread reads it after the writers joined.
struct Answers {
  void Add(const FetchResult& r) {
    std::lock_guard<std::mutex> lock(mu);
    if (r.status == 409) ++conflicts;
    if (r.status != 200 && r.status != 201) {
      if (unexpected.size() < 5) unexpected.push_back(fmt::format("{} {}", r.status, r.body));
      ++failed;
    }
  }
  std::mutex mu;
  int conflicts = 0;
  int failed = 0;
  std::vector<std::string> unexpected;
};

TEST_P(WriteRetryTest, ConcurrentPatchesWithoutPreconditionAllSucceed) {
  CurlClient client;
  CreateLease(client, "shared");
  const std::string path = std::string(kLeases) + "/shared";
  // JSON patch "add" needs the annotations map to exist.
  ASSERT_EQ(
      Call(client, path, "PATCH", R"({"metadata":{"annotations":{"base":"x"}}})", kMerge).status,
      200);
  constexpr int kThreads = 8, kPerThread = 15;
  Answers answers;
  RunConcurrently(kThreads, kPerThread, [&](CurlClient& c, int t, int i) {
    std::string key = fmt::format("k-{}-{}", t, i);
    FetchResult r;
    switch ((t + i) % 3) {
      case 0:
        r = Call(c, path, "PATCH", Json({{"metadata", {{"annotations", {{key, "merge"}}}}}}).dump(),
                 kMerge);
        break;
      case 1:
        r = Call(c, path, "PATCH",
                 Json::array(
                     {{{"op", "add"}, {"path", "/metadata/annotations/" + key}, {"value", "json"}}})
                     .dump(),
                 kJsonPatch);
        break;
      default:
        r = Call(c, path, "PATCH",
                 Json({{"metadata", {{"annotations", {{key, "strategic"}}}}}}).dump(), kStrategic);
        break;
    }
    answers.Add(r);
  });
  EXPECT_EQ(answers.conflicts, 0);
  EXPECT_EQ(answers.failed, 0) << (answers.unexpected.empty() ? "" : answers.unexpected[0]);
  // Every patch was applied to the version current when it was written: none was lost.
  Json stored = Json::parse(Call(client, path).body, nullptr, false);
  ASSERT_TRUE(stored.is_object());
  EXPECT_EQ(stored["metadata"]["annotations"].size(),
            static_cast<size_t>(kThreads * kPerThread + 1));
}

TEST_P(WriteRetryTest, ConcurrentAppliesOfDisjointFieldsAllSucceed) {
  CurlClient client;
  CreateLease(client, "applied");
  constexpr int kThreads = 8, kPerThread = 15;
  const std::string path = std::string(kLeases) + "/applied";
  Answers answers;
  RunConcurrently(kThreads, kPerThread, [&](CurlClient& c, int t, int i) {
    Json config = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata",
         {{"name", "applied"}, {"labels", {{fmt::format("m-{}", t), fmt::format("v{}", i)}}}}}};
    answers.Add(
        Call(c, path + fmt::format("?fieldManager=manager-{}", t), "PATCH", config.dump(), kApply));
  });
  EXPECT_EQ(answers.conflicts, 0);
  EXPECT_EQ(answers.failed, 0) << (answers.unexpected.empty() ? "" : answers.unexpected[0]);
  Json stored = Json::parse(Call(client, path).body, nullptr, false);
  ASSERT_TRUE(stored.is_object());
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(stored["metadata"]["labels"].value(fmt::format("m-{}", t), ""),
              fmt::format("v{}", kPerThread - 1));
  }
}

TEST_P(WriteRetryTest, StatusAndMainResourcePatchesRaceWithoutConflict) {
  CurlClient client;
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "p"}}},
              {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  ASSERT_EQ(Call(client, kPods, "POST", pod.dump()).status, 201);
  const std::string path = std::string(kPods) + "/p";
  constexpr int kThreads = 8, kPerThread = 20;
  Answers answers;
  RunConcurrently(kThreads, kPerThread, [&](CurlClient& c, int t, int i) {
    std::string key = fmt::format("k-{}-{}", t, i);
    if (t % 2 == 0) {
      answers.Add(Call(c, path + "/status", "PATCH", Json({{"status", {{"message", key}}}}).dump(),
                       kMerge));
    } else {
      answers.Add(
          Call(c, path, "PATCH", Json({{"metadata", {{"labels", {{key, "x"}}}}}}).dump(), kMerge));
    }
  });
  EXPECT_EQ(answers.conflicts, 0);
  EXPECT_EQ(answers.failed, 0) << (answers.unexpected.empty() ? "" : answers.unexpected[0]);
  Json stored = Json::parse(Call(client, path).body, nullptr, false);
  ASSERT_TRUE(stored.is_object());
  EXPECT_EQ(stored["metadata"]["labels"].size(), static_cast<size_t>(kThreads / 2 * kPerThread));
}

// Deletes race annotation writes and each other while a finalizer holds the object; the last
// finalizer removal (itself racing annotation writes) then removes it. No answer is a 409.
TEST_P(WriteRetryTest, DeletesRacingFinalizerAndAnnotationWritesNeverConflict) {
  constexpr int kRounds = 6, kThreads = 8, kPerThread = 6;
  CurlClient client;
  for (int round = 0; round < kRounds; ++round) {
    std::string name = fmt::format("held-{}", round);
    std::string path = std::string(kLeases) + "/" + name;
    CreateLease(client, name, Json::array({"test.io/hold"}));
    Answers answers;
    RunConcurrently(kThreads, kPerThread, [&](CurlClient& c, int t, int i) {
      if (t % 2 == 0) {
        const char* policy = (i % 2 == 0) ? "Foreground" : "Background";
        answers.Add(Call(c, path, "DELETE", Json({{"propagationPolicy", policy}}).dump()));
      } else {
        std::string key = fmt::format("k-{}-{}", t, i);
        answers.Add(Call(c, path, "PATCH",
                         Json({{"metadata", {{"annotations", {{key, "x"}}}}}}).dump(), kMerge));
      }
    });
    EXPECT_EQ(answers.conflicts, 0) << name;
    EXPECT_EQ(answers.failed, 0) << (answers.unexpected.empty() ? "" : answers.unexpected[0]);

    // Now drop the finalizers while annotation patches race the removal: a patch may find the
    // object gone (404), never a conflict.
    std::atomic<int> conflicts{0}, other{0};
    RunConcurrently(kThreads, kPerThread, [&](CurlClient& c, int t, int i) {
      FetchResult r;
      if (t == 0 && i == 0) {
        r = Call(c, path, "PATCH", R"({"metadata":{"finalizers":null}})", kMerge);
        if (r.status != 200) ++other;
      } else {
        std::string key = fmt::format("late-{}-{}", t, i);
        r = Call(c, path, "PATCH", Json({{"metadata", {{"annotations", {{key, "x"}}}}}}).dump(),
                 kMerge);
        if (r.status != 200 && r.status != 404) ++other;
      }
      if (r.status == 409) ++conflicts;
    });
    EXPECT_EQ(conflicts.load(), 0) << name;
    EXPECT_EQ(other.load(), 0) << name;
    EXPECT_EQ(Call(client, path).status, 404) << name;
  }
}

TEST_P(WriteRetryTest, StaleResourceVersionInBodyStillConflicts) {
  CurlClient client;
  Json created = CreateLease(client, "stale");
  const std::string path = std::string(kLeases) + "/stale";
  std::string old_rv = created["metadata"]["resourceVersion"];
  ASSERT_EQ(Call(client, path, "PATCH", R"({"spec":{"holderIdentity":"other"}})", kMerge).status,
            200);
  Json update = created;
  update["spec"]["holderIdentity"] = "third";
  EXPECT_EQ(Call(client, path, "PUT", update.dump()).status, 409);
  Json stale_patch = {{"metadata", {{"resourceVersion", old_rv}}},
                      {"spec", {{"holderIdentity", "third"}}}};
  EXPECT_EQ(Call(client, path, "PATCH", stale_patch.dump(), kMerge).status, 409);
  EXPECT_EQ(Call(client, path, "PATCH", stale_patch.dump(), kStrategic).status, 409);
  Json stored = Json::parse(Call(client, path).body, nullptr, false);
  EXPECT_EQ(stored["spec"].value("holderIdentity", ""), "other");
}

TEST_P(WriteRetryTest, StaleDeletePreconditionsStillConflict) {
  CurlClient client;
  Json created = CreateLease(client, "guarded");
  const std::string path = std::string(kLeases) + "/guarded";
  std::string old_rv = created["metadata"]["resourceVersion"];
  ASSERT_EQ(Call(client, path, "PATCH", R"({"spec":{"holderIdentity":"other"}})", kMerge).status,
            200);
  Json stale_rv = {{"preconditions", {{"resourceVersion", old_rv}}}};
  EXPECT_EQ(Call(client, path, "DELETE", stale_rv.dump()).status, 409);
  Json wrong_uid = {{"preconditions", {{"uid", "not-the-uid"}}}};
  EXPECT_EQ(Call(client, path, "DELETE", wrong_uid.dump()).status, 409);
  ASSERT_EQ(Call(client, path).status, 200);  // still there

  Json current = Json::parse(Call(client, path).body, nullptr, false);
  Json fresh = {{"preconditions",
                 {{"resourceVersion", current["metadata"]["resourceVersion"]},
                  {"uid", current["metadata"]["uid"]}}}};
  EXPECT_EQ(Call(client, path, "DELETE", fresh.dump()).status, 200);
  EXPECT_EQ(Call(client, path).status, 404);
}

INSTANTIATE_TEST_SUITE_P(WriteModes, WriteRetryTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Async" : "Sync";
                         });

}  // namespace
}  // namespace osbx::standalone
