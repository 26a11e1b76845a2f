// RestClient::Watch against replayed watch streams over TLS: captured events split into chunks,
// bookmarks, the in-stream 410 ERROR event, error answers, malformed lines and the watchdog.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>

#include "pkg/kube/client/codec.h"
#include "pkg/kube/client/replay_test_util.h"
#include "pkg/kube/client/rest_client.h"
#include "pkg/kube/client/watch_decoder.h"

namespace osbx::kube {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kBatchSandboxes;
using testing::NewClient;
using testing::ReadTestdata;
using testing::ReplayServer;
using testing::WithClock;

// Collects what a watch reports; Wait blocks until on_close ran.
class Recorder {
 public:
  WatchCallbacks Callbacks() {
    return {[this](WatchEvent&& e) {
              std::lock_guard<std::mutex> lock(mu_);
              events_.push_back(std::move(e));
              cv_.notify_all();
            },
            [this](const Status& s) {
              std::lock_guard<std::mutex> lock(mu_);
              ++closes_;
              status_ = s;
              cv_.notify_all();
            }};
  }
  Status WaitClosed() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return closes_ > 0; });
    return status_;
  }
  void WaitEvents(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return events_.size() >= n; });
  }
  std::vector<WatchEventType> Types() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<WatchEventType> types;
    for (const WatchEvent& e : events_) types.push_back(e.type);
    return types;
  }
  std::vector<WatchEvent> Events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  int closes() {
    std::lock_guard<std::mutex> lock(mu_);
    return closes_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<WatchEvent> events_;
  int closes_ = 0;
  Status status_;
};

ListOptions WatchFrom(std::string rv) {
  ListOptions o;
  o.resource_version = std::move(rv);
  o.allow_watch_bookmarks = true;
  o.timeout_seconds = 10;
  return o;
}

// Starts a watch answer with the captured ADDED event and keeps it open past the handler: only the
// test or the client ends it.
std::shared_ptr<http::ResponseWriter> OpenStreamAfterFirstEvent(http::ResponseWriter& w) {
  w.StartStream(200, http::Headers{{"Content-Type", "application/json"}});
  w.WriteChunk(testing::FirstCapturedEventLine());
  return w.Retain();
}

class WatchTest : public testing::ReplayFixture<::testing::TestWithParam<size_t>> {};

// The captured stream, cut into chunks of GetParam() bytes, arrives as the same six events.
TEST_P(WatchTest, CapturedStreamDecodesWhateverTheChunking) {
  size_t chunk = GetParam();
  Serve([chunk](size_t, const http::Request&, http::ResponseWriter& w) {
    ReplayServer::Stream(w, 200, ReadTestdata("watch/crud_then_bookmarks.jsonl"), chunk);
  });
  auto client = NewClient(server_.Config());
  Recorder rec;
  auto watch = client->Watch(kBatchSandboxes, "wire", WatchFrom("1649"), rec.Callbacks());
  ASSERT_TRUE(watch.ok());
  EXPECT_TRUE(rec.WaitClosed().ok());  // the server ended the stream cleanly
  EXPECT_THAT(rec.Types(), ElementsAre(WatchEventType::kAdded, WatchEventType::kModified,
                                       WatchEventType::kModified, WatchEventType::kDeleted,
                                       WatchEventType::kBookmark, WatchEventType::kBookmark));
  EXPECT_EQ(rec.Events()[5].object["metadata"]["resourceVersion"], "1654");
  http::Request r = server_.requests().at(0);
  EXPECT_EQ(r.raw_query, "watch=1&resourceVersion=1649&allowWatchBookmarks=true&timeoutSeconds=10");
}

INSTANTIATE_TEST_SUITE_P(Chunking, WatchTest, ::testing::Values(1, 7, 100, 1 << 20));

class WatchReplayTest : public testing::ReplayFixture<> {};

TEST_F(WatchReplayTest, ExpiredErrorEventIsDeliveredThenClosesWithGone) {
  Serve([](size_t, const http::Request&, http::ResponseWriter& w) {
    ReplayServer::Stream(w, 200, ReadTestdata("watch/expired_410.jsonl"), 1 << 20);
  });
  auto client = NewClient(server_.Config());
  Recorder rec;
  auto watch = client->Watch(kBatchSandboxes, "wire", WatchFrom("1"), rec.Callbacks());
  ASSERT_TRUE(watch.ok());
  Status closed = rec.WaitClosed();
  EXPECT_TRUE(closed.IsGone()) << closed.ToString();
  EXPECT_EQ(closed.message(), "too old resource version: 1 (1156)");
  EXPECT_THAT(rec.Types(), ElementsAre(WatchEventType::kError));
}

TEST_F(WatchReplayTest, IdleBookmarksOnlyMoveTheResourceVersion) {
  Serve([](size_t, const http::Request&, http::ResponseWriter& w) {
    ReplayServer::Stream(w, 200, ReadTestdata("watch/idle_bookmarks.jsonl"), 50);
  });
  auto client = NewClient(server_.Config());
  Recorder rec;
  auto watch = client->Watch(kBatchSandboxes, "wire", WatchFrom("1656"), rec.Callbacks());
  ASSERT_TRUE(rec.WaitClosed().ok());
  for (const WatchEvent& e : rec.Events()) {
    EXPECT_EQ(e.type, WatchEventType::kBookmark);
    EXPECT_EQ(e.object["metadata"], Json::parse(R"({"resourceVersion":"1678"})"));
  }
  EXPECT_EQ(rec.Events().size(), 3u);
}

TEST_F(WatchReplayTest, ErrorAnswerClosesWithTheDecodedStatus) {
  ServeReply(403, ReadTestdata("errors/403_forbidden.body"));
  auto client = NewClient(server_.Config());
  Recorder rec;
  auto watch = client->Watch(kBatchSandboxes, "wire", WatchFrom("1"), rec.Callbacks());
  Status closed = rec.WaitClosed();
  EXPECT_EQ(closed.code(), StatusCode::kForbidden);
  EXPECT_THAT(closed.message(), HasSubstr("cannot list resource"));
  EXPECT_TRUE(rec.Events().empty());
}

TEST_F(WatchReplayTest, MalformedLineEndsTheWatchWithAnError) {
  std::promise<void> client_gone;
  Serve([&](size_t, const http::Request&, http::ResponseWriter& w) {
    auto held = OpenStreamAfterFirstEvent(w);
    held->WriteChunk("{\"type\":\"ADDED\",\"object\":{\"metadata\":\n");
    held->SetOnClose([&client_gone, held] { client_gone.set_value(); });
  });
  auto client = NewClient(server_.Config());
  Recorder rec;
  auto watch = client->Watch(kBatchSandboxes, "wire", WatchFrom("1649"), rec.Callbacks());
  Status closed = rec.WaitClosed();
  EXPECT_FALSE(closed.ok());
  EXPECT_THAT(closed.message(), HasSubstr("malformed watch event"));
  EXPECT_THAT(rec.Types(), ElementsAre(WatchEventType::kAdded));
  client_gone.get_future().wait();  // the client dropped the connection
}

TEST_F(WatchReplayTest, WatchdogClosesASilentStream) {
  std::shared_ptr<http::ResponseWriter> held;
  Serve([&](size_t, const http::Request&, http::ResponseWriter& w) {
    held = OpenStreamAfterFirstEvent(w);  // then silence, as from a dead peer
  });
  FakeClock clock;
  auto client = NewClient(server_.Config(), WithClock(&clock));
  Recorder rec;
  auto watch = client->Watch(kBatchSandboxes, "wire", WatchFrom("1649"), rec.Callbacks());
  rec.WaitEvents(1);
  // timeoutSeconds (10) + slack (30): one second less is still alive...
  clock.Advance(std::chrono::seconds(39));
  client->transport().Wakeup();
  EXPECT_EQ(rec.closes(), 0);
  // ...one more second and the stream is declared dead.
  clock.Advance(std::chrono::seconds(2));
  client->transport().Wakeup();
  Status closed = rec.WaitClosed();
  EXPECT_EQ(closed.code(), StatusCode::kServerTimeout);
  EXPECT_THAT(closed.message(), HasSubstr("no data for 40s"));
}

TEST_F(WatchReplayTest, StopEndsTheStreamWithoutFurtherCallbacks) {
  std::promise<void> client_gone;
  std::shared_ptr<http::ResponseWriter> held;
  Serve([&](size_t, const http::Request&, http::ResponseWriter& w) {
    held = OpenStreamAfterFirstEvent(w);
    held->SetOnClose([&client_gone] { client_gone.set_value(); });
  });
  auto client = NewClient(server_.Config());
  Recorder rec;
  auto watch = client->Watch(kBatchSandboxes, "wire", WatchFrom("1649"), rec.Callbacks());
  rec.WaitEvents(1);
  (*watch)->Stop();
  client_gone.get_future().wait();
  // A chunk written after Stop must never reach the callbacks.
  held->WriteChunk("{\"type\":\"DELETED\",\"object\":{}}\n");
  watch->reset();
  client.reset();  // joins the I/O thread: every callback that could run has run
  EXPECT_EQ(rec.Events().size(), 1u);
  EXPECT_EQ(rec.closes(), 0);
}

TEST_F(WatchReplayTest, WatchesAreNotThrottled) {
  Serve([](size_t i, const http::Request& r, http::ResponseWriter& w) {
    if (r.query.Has("watch")) {
      return ReplayServer::Stream(w, 200, ReadTestdata("watch/idle_bookmarks.jsonl"), 1 << 20);
    }
    (void)i;
    ReplayServer::Reply(w, 200, "{}");
  });
  FakeClock clock;
  RestConfig config = server_.Config();
  config.qps = 0.001;
  config.burst = 1;
  auto client = NewClient(config, WithClock(&clock));
  ASSERT_TRUE(client->Request("GET", "/version").ok());  // uses the only token
  Recorder rec;
  std::vector<std::unique_ptr<WatchHandle>> watches;
  for (int i = 0; i < 3; ++i) {
    auto watch = client->Watch(kBatchSandboxes, "wire", WatchFrom("1"), rec.Callbacks());
    ASSERT_TRUE(watch.ok());
    watches.push_back(std::move(*watch));
  }
  rec.WaitEvents(9);  // three watches served without any simulated time passing
}

TEST_F(WatchReplayTest, ListerWatcherListsEverythingAndWatchesTheNamespace) {
  Serve([](size_t i, const http::Request& r, http::ResponseWriter& w) {
    if (r.query.Has("watch")) {
      return ReplayServer::Stream(w, 200, ReadTestdata("watch/crud_then_bookmarks.jsonl"), 64);
    }
    if (i == 0) {
      return ReplayServer::Reply(
          w, 200,
          R"({"apiVersion":"sandbox.opensandbox.io/v1alpha1","items":[{"metadata":{"name":"a"}}],"kind":"BatchSandboxList","metadata":{"continue":"t1","resourceVersion":"1649"}})"
          "\n");
    }
    ReplayServer::Reply(
        w, 200,
        R"({"apiVersion":"sandbox.opensandbox.io/v1alpha1","items":[{"metadata":{"name":"b"}}],"kind":"BatchSandboxList","metadata":{"continue":"","resourceVersion":"1649"}})"
        "\n");
  });
  auto client = NewClient(server_.Config());
  std::unique_ptr<ListerWatcher> lw = client->NewListerWatcher(kBatchSandboxes, "wire");
  StatusOr<ListResult> list = lw->List(ListOptions{});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 2u);
  EXPECT_EQ(list->resource_version, "1649");
  Recorder rec;
  auto watch = lw->Watch(WatchFrom(list->resource_version), rec.Callbacks());
  ASSERT_TRUE(watch.ok());
  EXPECT_TRUE(rec.WaitClosed().ok());
  EXPECT_EQ(rec.Events().size(), 6u);
  EXPECT_EQ(server_.requests().at(2).path,
            "/apis/sandbox.opensandbox.io/v1alpha1/namespaces/wire/batchsandboxes");
}

// Decodes as the client would, and marks every object it built, so that a test can tell which
// decoder built what it received.
class MarkingDecoder final : public ObjectDecoder {
 public:
  explicit MarkingDecoder(std::atomic<int>* calls) : calls_(calls) {}
  StatusOr<WatchEvent> DecodeEvent(std::string_view line) override {
    ++*calls_;
    OSBX_ASSIGN_OR_RETURN(WatchEvent event, DecodeWatchEvent(line));
    if (event.type != WatchEventType::kError) event.object["decodedBy"] = "marking";
    return event;
  }
  StatusOr<ListResult> DecodeList(std::string_view body, const ResourceRef& resource) override {
    ++*calls_;
    OSBX_ASSIGN_OR_RETURN(ListResult list, ParseListBody(body, resource));
    for (Json& item : list.items) item["decodedBy"] = "marking";
    return list;
  }

 private:
  std::atomic<int>* calls_;
};

// The informers' seam: a ListerWatcher given decoders builds every list item and every event of
// a split stream with them, and still ends the stream on an in-stream 410 ERROR event.
TEST_F(WatchReplayTest, ListerWatcherDecodesWithTheDecodersItIsGiven) {
  Serve([](size_t, const http::Request& r, http::ResponseWriter& w) {
    if (r.query.Has("watch")) {
      return ReplayServer::Stream(
          w, 200,
          ReadTestdata("watch/crud_then_bookmarks.jsonl") + ReadTestdata("watch/expired_410.jsonl"),
          7);
    }
    ReplayServer::Reply(
        w, 200,
        R"({"kind":"BatchSandboxList","apiVersion":"sandbox.opensandbox.io/v1alpha1",)"
        R"("metadata":{"resourceVersion":"1649"},"items":[{"metadata":{"name":"a"}}]})");
  });
  auto client = NewClient(server_.Config());
  std::unique_ptr<ListerWatcher> lw = client->NewListerWatcher(kBatchSandboxes, "wire");
  std::atomic<int> decoders{0};
  std::atomic<int> calls{0};
  ASSERT_TRUE(lw->UseDecoder([&]() -> std::unique_ptr<ObjectDecoder> {
    ++decoders;
    return std::make_unique<MarkingDecoder>(&calls);
  }));
  StatusOr<ListResult> list = lw->List(ListOptions{});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0]["decodedBy"], "marking");
  EXPECT_EQ(list->items[0]["kind"], "BatchSandbox");
  Recorder rec;
  auto watch = lw->Watch(WatchFrom("1649"), rec.Callbacks());
  ASSERT_TRUE(watch.ok());
  EXPECT_TRUE(rec.WaitClosed().IsGone());
  std::vector<WatchEvent> events = rec.Events();
  ASSERT_EQ(events.size(), 7u);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(events[i].object["decodedBy"], "marking") << i;
  EXPECT_EQ(events[6].type, WatchEventType::kError);
  EXPECT_EQ(decoders.load(), 2);  // one for the list call, one for the stream
  EXPECT_EQ(calls.load(), 8);     // the list answer and the seven lines
}

TEST(WatchDecoderTest, GivenDecoderDecodesEveryLineOfASplitStream) {
  std::atomic<int> calls{0};
  WatchDecoder decoder(std::make_unique<MarkingDecoder>(&calls));
  const std::string stream = ReadTestdata("watch/crud_then_bookmarks.jsonl");
  std::vector<WatchEvent> events;
  for (size_t i = 0; i < stream.size(); i += 3) {
    ASSERT_TRUE(decoder
                    .Feed(std::string_view(stream).substr(i, 3),
                          [&](WatchEvent&& e) { events.push_back(std::move(e)); })
                    .ok());
  }
  ASSERT_TRUE(decoder.Finish([&](WatchEvent&& e) { events.push_back(std::move(e)); }).ok());
  ASSERT_EQ(events.size(), 6u);
  for (const WatchEvent& e : events) EXPECT_EQ(e.object["decodedBy"], "marking");
  EXPECT_EQ(calls.load(), 6);
}

}  // namespace
}  // namespace osbx::kube
