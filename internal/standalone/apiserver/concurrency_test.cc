// The API server under concurrent use over its real HTTPS front end, with and without
// async_writes: creates from many clients (all acknowledged, all durable; with async_writes
// answered from the commit callback), ownerReference garbage collection driven by the owner
// index, and watch streams that keep resourceVersion order while writers race.

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

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
constexpr const char* kLeasePrefix = "/coordination.k8s.io/leases/default/";
// Only a guard against hanging: every wait below ends as soon as its condition holds.
constexpr auto kGuard = std::chrono::seconds(60);

class ConcurrencyTest : public testing::ServerTest {
 protected:
  ConcurrencyTest() : ServerTest("concurrency") {}

  static std::string Lease(const std::string& name, const Json& owner = nullptr) {
    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", name}}},
                  {"spec", {{"holderIdentity", "test"}}}};
    if (!owner.is_null()) {
      lease["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "coordination.k8s.io/v1"},
                                                           {"kind", "Lease"},
                                                           {"name", owner["metadata"]["name"]},
                                                           {"uid", owner["metadata"]["uid"]}}});
    }
    return lease.dump();
  }
};

TEST_P(ConcurrencyTest, ConcurrentCreatesAreAllAcknowledgedAndDurable) {
  constexpr int kThreads = 8, kPerThread = 40;
  std::mutex mu;
  std::set<std::string> rvs;
  int created = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      CurlClient client;
      for (int i = 0; i < kPerThread; ++i) {
        FetchResult r = Call(client, kLeases, "POST", Lease(fmt::format("l-{}-{}", t, i)));
        Json body = Json::parse(r.body, nullptr, false);
        std::lock_guard<std::mutex> lock(mu);
        EXPECT_EQ(r.status, 201) << r.body << r.error;
        if (r.status == 201) ++created;
        if (body.is_object()) rvs.insert(body["metadata"].value("resourceVersion", ""));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created, kThreads * kPerThread);
  EXPECT_EQ(rvs.size(), static_cast<size_t>(kThreads * kPerThread));  // one RV per write
  server_->Stop();
  server_.reset();
  auto store = Store::Open((dir_ / "store").string());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->ObjectCount(kLeasePrefix), static_cast<size_t>(kThreads * kPerThread));
}

TEST_P(ConcurrencyTest, CreateAnswersConflictValidationAndDryRun) {
  CurlClient client;
  EXPECT_EQ(Call(client, kLeases, "POST", Lease("dup")).status, 201);
  FetchResult again = Call(client, kLeases, "POST", Lease("dup"));
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find("AlreadyExists"), std::string::npos) << again.body;
  EXPECT_EQ(Call(client, kLeases, "POST", Lease("Not_A_Name")).status, 422);
  FetchResult dry = Call(client, std::string(kLeases) + "?dryRun=All", "POST", Lease("dry"));
  EXPECT_EQ(dry.status, 201);
  EXPECT_EQ(Call(client, std::string(kLeases) + "/dry").status, 404);
}

// Waits on the store (not on time) for the DELETED events of `keys`.
bool WaitDeleted(Watcher& watcher, std::set<std::string> keys) {
  auto deadline = std::chrono::steady_clock::now() + kGuard;
  while (!keys.empty() && std::chrono::steady_clock::now() < deadline) {
    std::vector<Event> events;
    if (!watcher.Wait(&events, deadline).ok()) return false;
    for (const Event& e : events) {
      if (e.type == EventType::kDeleted) keys.erase(e.object->key);
    }
  }
  return keys.empty();
}

TEST_P(ConcurrencyTest, GarbageCollectorDeletesTheDependentsOfADeletedOwner) {
  CurlClient client;
  FetchResult owner = Call(client, kLeases, "POST", Lease("owner"));
  ASSERT_EQ(owner.status, 201);
  Json owner_object = Json::parse(owner.body);
  std::set<std::string> dependents;
  for (int i = 0; i < 20; ++i) {
    std::string name = fmt::format("dep-{}", i);
    ASSERT_EQ(Call(client, kLeases, "POST", Lease(name, owner_object)).status, 201);
    dependents.insert(kLeasePrefix + name);
  }
  ASSERT_EQ(Call(client, kLeases, "POST", Lease("unrelated")).status, 201);
  WatchRequest request;
  request.prefix = kLeasePrefix;
  auto watcher = server_->api().store().Watch(request);
  ASSERT_TRUE(watcher.ok());
  ASSERT_EQ(Call(client, std::string(kLeases) + "/owner", "DELETE").status, 200);
  EXPECT_TRUE(WaitDeleted(**watcher, dependents));
  EXPECT_EQ(Call(client, std::string(kLeases) + "/unrelated").status, 200);
}

TEST_P(ConcurrencyTest, ForegroundDeletionWaitsForDependentsThenRemovesTheOwner) {
  CurlClient client;
  FetchResult owner = Call(client, kLeases, "POST", Lease("fg-owner"));
  ASSERT_EQ(owner.status, 201);
  Json owner_object = Json::parse(owner.body);
  std::set<std::string> keys = {std::string(kLeasePrefix) + "fg-owner"};
  for (int i = 0; i < 5; ++i) {
    std::string name = fmt::format("fg-dep-{}", i);
    ASSERT_EQ(Call(client, kLeases, "POST", Lease(name, owner_object)).status, 201);
    keys.insert(kLeasePrefix + name);
  }
  WatchRequest request;
  request.prefix = kLeasePrefix;
  auto watcher = server_->api().store().Watch(request);
  ASSERT_TRUE(watcher.ok());
  FetchResult deleted = Call(client, std::string(kLeases) + "/fg-owner", "DELETE",
                             R"({"propagationPolicy":"Foreground"})");
  ASSERT_EQ(deleted.status, 200);
  EXPECT_NE(deleted.body.find("foregroundDeletion"), std::string::npos) << deleted.body;
  EXPECT_TRUE(WaitDeleted(**watcher, keys));
}

// The lines of one watch stream, as they arrive.
struct Stream {
  std::mutex mu;
  std::condition_variable cv;
  std::string text;
  std::vector<Json> lines;

  void Append(std::string_view data) {
    std::lock_guard<std::mutex> lock(mu);
    text.append(data);
    for (size_t nl; (nl = text.find('\n')) != std::string::npos; text.erase(0, nl + 1)) {
      lines.push_back(Json::parse(text.substr(0, nl), nullptr, false));
    }
    cv.notify_all();
  }
  bool WaitFor(size_t count) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, kGuard, [&] { return lines.size() >= count; });
  }
};

TEST_P(ConcurrencyTest, WatchStreamsKeepResourceVersionOrderUnderConcurrentWrites) {
  constexpr int kStreams = 6, kWriters = 4, kPerWriter = 50;
  CurlClient lister;
  FetchResult list = Call(lister, kLeases);
  ASSERT_EQ(list.status, 200);
  std::string from_rv = Json::parse(list.body)["metadata"]["resourceVersion"];
  std::vector<std::unique_ptr<Stream>> streams;
  std::vector<std::thread> readers;
  for (int s = 0; s < kStreams; ++s) {
    streams.push_back(std::make_unique<Stream>());
    Stream* stream = streams.back().get();
    FetchOptions options = Options();
    options.on_data = [stream](std::string_view data) {
      stream->Append(data);
      return true;
    };
    std::string url = server_->url() + kLeases + "?watch=true&resourceVersion=" + from_rv;
    readers.emplace_back([url, options] { CurlClient().Fetch(url, options); });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      CurlClient client;
      for (int i = 0; i < kPerWriter; ++i) {
        EXPECT_EQ(Call(client, kLeases, "POST", Lease(fmt::format("w-{}-{}", w, i))).status, 201);
      }
    });
  }
  for (auto& t : writers) t.join();
  std::vector<std::vector<Json>> received;
  for (auto& stream : streams) {
    ASSERT_TRUE(stream->WaitFor(kWriters * kPerWriter));
    std::lock_guard<std::mutex> lock(stream->mu);
    received.push_back(stream->lines);
  }
  for (const std::vector<Json>& lines : received) {
    int64_t last = 0;
    std::set<std::string> names;
    for (const Json& line : lines) {
      ASSERT_TRUE(line.is_object());
      EXPECT_EQ(line["type"], "ADDED");
      int64_t rv = std::stoll(line["object"]["metadata"]["resourceVersion"].get<std::string>());
      EXPECT_GT(rv, last);
      last = rv;
      names.insert(line["object"]["metadata"]["name"].get<std::string>());
    }
    EXPECT_EQ(names.size(), static_cast<size_t>(kWriters * kPerWriter));
    EXPECT_EQ(lines, received[0]);  // every stream saw the same events
  }
  server_->Stop();  // ends the streams
  for (auto& t : readers) t.join();
}

INSTANTIATE_TEST_SUITE_P(SyncWrites, ConcurrencyTest, ::testing::Values(false));
INSTANTIATE_TEST_SUITE_P(AsyncWrites, ConcurrencyTest, ::testing::Values(true));

}  // namespace
}  // namespace osbx::standalone
