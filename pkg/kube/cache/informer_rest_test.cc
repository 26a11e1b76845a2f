// A pod informer over the real REST client against a replayed API server: the bytes of the list
// answer and of the watch stream, split into chunks of any size, are decoded by the informer's
// WatchEventDecoder straight into PodCacheProjection on the client's I/O thread, and the
// informer does not trim them a second time. Bookmarks advance the resume point and an in-stream
// 410 ERROR event makes the informer relist.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>

#include "pkg/kube/cache/shared_informer.h"
#include "pkg/kube/cache/transform.h"
#include "pkg/kube/client/rest_client.h"
#include "pkg/kube/client/testing/replay_server.h"
#include "pkg/kube/client/testing/testdata.h"

namespace osbx::kube {
namespace {

using testing::ReadTestdata;
using testing::ReplayServer;

const ResourceRef kPods{"", "v1", "pods", "Pod", true};

// The pod kube-apiserver v1.36 returned for GET .../pods/sandbox-pod, managedFields included.
Json RecordedPod() {
  std::ifstream in("pkg/kube/cache/testdata/pod.json");
  EXPECT_TRUE(in.good()) << "tests run from the repository root";
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
}

Json Pod(const std::string& name, const std::string& rv) {
  Json pod = RecordedPod();
  pod["metadata"]["name"] = name;
  pod["metadata"]["resourceVersion"] = rv;
  return pod;
}

Json Trimmed(Json pod) {
  TrimPodForCache(pod);
  return pod;
}

// A PodList as kube-apiserver sends it: items without apiVersion and kind.
std::string PodList(const std::string& rv, std::vector<Json> pods) {
  Json items = Json::array();
  for (Json& pod : pods) {
    pod.erase("apiVersion");
    pod.erase("kind");
    items.push_back(std::move(pod));
  }
  return Json{{"kind", "PodList"},
              {"apiVersion", "v1"},
              {"metadata", {{"resourceVersion", rv}}},
              {"items", std::move(items)}}
      .dump();
}

std::string Line(const char* type, const Json& object) {
  return Json{{"type", type}, {"object", object}}.dump() + "\n";
}

std::string Bookmark(const std::string& rv) {
  return Line("BOOKMARK",
              {{"kind", "Pod"}, {"apiVersion", "v1"}, {"metadata", {{"resourceVersion", rv}}}});
}

// Wakes the test whenever the informer's handlers ran.
class Notifier {
 public:
  EventHandler Handler() {
    auto notify = [this] {
      std::lock_guard<std::mutex> lock(mu_);
      ++events_;
      cv_.notify_all();
    };
    return {[notify](const ObjectPtr&) { notify(); },
            [notify](const ObjectPtr&, const ObjectPtr&) { notify(); },
            [notify](const ObjectPtr&, bool) { notify(); }};
  }
  // Waits (up to 20 s) until `done` holds, re-checking after each handler call.
  bool WaitUntil(const std::function<bool()>& done) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return done(); });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int events_ = 0;
};

class InformerRestTest : public ::testing::TestWithParam<size_t> {
 protected:
  void TearDown() override { server_.Stop(); }
  ReplayServer server_;
};

TEST_P(InformerRestTest, PodInformerCachesPodsDecodedIntoTheProjectionFromTheStream) {
  const size_t chunk = GetParam();
  // 0: list; 1: watch, ended by a 410 ERROR event; 2: relist; later watches: nothing new.
  ASSERT_TRUE(server_
                  .Start([chunk](size_t i, const http::Request& r, http::ResponseWriter& w) {
                    const bool watch = r.query.Has("watch");
                    if (!watch && i == 0) {
                      return ReplayServer::Reply(w, 200, PodList("100", {Pod("a", "100")}));
                    }
                    if (watch && i == 1) {
                      return ReplayServer::Stream(
                          w, 200,
                          Line("ADDED", Pod("b", "101")) + Line("MODIFIED", Pod("a", "102")) +
                              Bookmark("103") + ReadTestdata("watch/expired_410.jsonl"),
                          chunk);
                    }
                    if (!watch) {
                      return ReplayServer::Reply(
                          w, 200, PodList("104", {Pod("a", "104"), Pod("c", "104")}));
                    }
                    ReplayServer::Stream(w, 200, "", chunk);
                  })
                  .ok());
  StatusOr<std::unique_ptr<RestClient>> client = RestClient::New(server_.Config());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  std::unique_ptr<ListerWatcher> lw = (*client)->NewListerWatcher(kPods, "wire");

  InformerOptions options;
  options.projection = DefaultProjectionFor(kPods);
  options.reflector.backoff_initial = std::chrono::milliseconds(1);
  options.reflector.backoff_max = std::chrono::milliseconds(100);
  std::mutex mu;
  std::vector<Json> seen;  // what reached the cache, as the decoder built it; guarded by mu
  options.transform = [&](Json& obj) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(obj);
  };
  SharedInformer informer(*lw, RealClock::Get(), options);
  EXPECT_TRUE(informer.ProjectsWhileDecoding());
  Notifier notifier;
  informer.AddEventHandler(notifier.Handler());
  informer.Run();

  const Indexer& cache = informer.indexer();
  auto relisted = [&] {
    ObjectPtr a = cache.Get("wire/a");
    return cache.Size() == 2 && cache.Get("wire/c") != nullptr && a != nullptr &&
           (*a)["metadata"]["resourceVersion"] == "104";
  };
  ASSERT_TRUE(notifier.WaitUntil(relisted));
  informer.Stop();

  EXPECT_EQ(*cache.Get("wire/a"), Trimmed(Pod("a", "104")));
  EXPECT_EQ(*cache.Get("wire/c"), Trimmed(Pod("c", "104")));
  std::lock_guard<std::mutex> lock(mu);
  // a@100 (list), b@101 and a@102 (watch), then the relist's a@104 and c@104.
  ASSERT_GE(seen.size(), 5u);
  EXPECT_EQ(seen[1], Trimmed(Pod("b", "101")));
  EXPECT_EQ(seen[2], Trimmed(Pod("a", "102")));
  for (const Json& obj : seen) {
    EXPECT_FALSE(obj["metadata"].contains("managedFields"));
    EXPECT_FALSE(obj.contains("kind"));
    EXPECT_EQ(obj["spec"].size(), 1u) << obj.dump();  // nodeName only
  }
  // The second list followed the in-stream 410; the first watch resumed from the list.
  const std::vector<http::Request> requests = server_.requests();
  ASSERT_GE(requests.size(), 3u);
  EXPECT_TRUE(requests[1].query.Has("watch"));
  EXPECT_NE(requests[1].raw_query.find("resourceVersion=100&"), std::string::npos);
  EXPECT_FALSE(requests[2].query.Has("watch"));
}

INSTANTIATE_TEST_SUITE_P(Chunking, InformerRestTest, ::testing::Values(1, 7, 100, 1 << 20));

}  // namespace
}  // namespace osbx::kube
