#include "pkg/http/exchange.h"

#include <gtest/gtest.h>

namespace osbx::http::internal {
namespace {

class FakeSink : public ExchangeSink {
 public:
  void ScheduleFlush() override { ++flushes; }
  int flushes = 0;
};

class ExchangeTest : public ::testing::Test {
 protected:
  std::shared_ptr<Exchange> Make(ExchangeOptions options = {}) {
    return Exchange::Create(sink_, options);
  }
  // Everything queued so far, as the connection would write it.
  std::string Drain(Exchange& e, Exchange::Output* out = nullptr) {
    std::string bytes;
    Exchange::Output o = e.TakeOutput(bytes);
    e.OnWritten(bytes.size());
    if (out) *out = o;
    return bytes;
  }

  std::shared_ptr<FakeSink> sink_ = std::make_shared<FakeSink>();
};

TEST_F(ExchangeTest, CompleteResponseCarriesContentLength) {
  auto e = Make();
  ASSERT_TRUE(SendText(*e, 200, "text/plain", "hello"));
  Exchange::Output out;
  EXPECT_EQ(Drain(*e, &out),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_TRUE(out.complete);
  EXPECT_FALSE(SendText(*e, 200, "text/plain", "again"));
}

TEST_F(ExchangeTest, ServerOwnsFramingHeadersAndDropsInjectedLines) {
  auto e = Make({.head_request = false, .keep_alive = false});
  Headers h{{"Content-Length", "99"}, {"X-Evil", "a\r\nSet-Cookie: x"}, {"X-Ok", "1"}};
  ASSERT_TRUE(e->Send(404, h, "nf"));
  EXPECT_EQ(
      Drain(*e),
      "HTTP/1.1 404 Not Found\r\nX-Ok: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nnf");
}

TEST_F(ExchangeTest, HeadAndNoContentResponsesHaveNoBodyBytes) {
  auto head = Make({.head_request = true});
  ASSERT_TRUE(head->Send(200, {}, "abc"));
  EXPECT_EQ(Drain(*head), "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n");
  auto none = Make();
  ASSERT_TRUE(none->Send(204, {}, "ignored"));
  EXPECT_EQ(Drain(*none), "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST_F(ExchangeTest, StreamFramesEachChunkAndFinishWritesTheLastChunk) {
  auto e = Make();
  ASSERT_TRUE(e->StartStream(200, {{"Content-Type", "application/json"}}));
  EXPECT_EQ(
      Drain(*e),
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_TRUE(e->WriteChunk("{\"type\":\"ADDED\"}\n"));
  ASSERT_TRUE(e->WriteChunk(std::string(300, 'x')));
  EXPECT_TRUE(e->WriteChunk(""));
  EXPECT_EQ(Drain(*e), "11\r\n{\"type\":\"ADDED\"}\n\r\n12c\r\n" + std::string(300, 'x') + "\r\n");
  e->Finish();
  Exchange::Output out;
  EXPECT_EQ(Drain(*e, &out), "0\r\n\r\n");
  EXPECT_TRUE(out.complete);
  EXPECT_FALSE(e->WriteChunk("late"));
}

TEST_F(ExchangeTest, WakesTheConnectionOnceUntilItFindsTheQueueEmpty) {
  auto e = Make();
  ASSERT_TRUE(e->StartStream(200, {}));
  ASSERT_TRUE(e->WriteChunk("a"));
  ASSERT_TRUE(e->WriteChunk("b"));
  EXPECT_EQ(sink_->flushes, 1);
  Drain(*e);
  ASSERT_TRUE(e->WriteChunk("c"));
  EXPECT_EQ(sink_->flushes, 1);  // the connection will come back after its write
  Drain(*e);
  Drain(*e);  // finds nothing: the next write must wake it again
  ASSERT_TRUE(e->WriteChunk("d"));
  EXPECT_EQ(sink_->flushes, 2);
}

TEST_F(ExchangeTest, QueuedBytesCountUntilWritten) {
  auto e = Make();
  ASSERT_TRUE(e->StartStream(200, {}));
  Drain(*e);
  ASSERT_TRUE(e->WriteChunk("abc"));
  EXPECT_EQ(e->queued_bytes(), 8u);  // "3\r\nabc\r\n"
  std::string bytes;
  (void)e->TakeOutput(bytes);
  EXPECT_EQ(e->queued_bytes(), 8u);
  e->OnWritten(bytes.size());
  EXPECT_EQ(e->queued_bytes(), 0u);
}

TEST_F(ExchangeTest, HandlerThatNeitherAnswersNorRetainsYields500) {
  auto e = Make();
  e->EndHandler();
  EXPECT_NE(Drain(*e).find("HTTP/1.1 500 Internal Server Error"), std::string::npos);
}

TEST_F(ExchangeTest, RetainedWriterAnswersAfterTheHandlerReturns) {
  auto e = Make();
  std::shared_ptr<ResponseWriter> kept = e->Retain();
  e->EndHandler();
  EXPECT_EQ(Drain(*e), "");
  ASSERT_TRUE(SendText(*kept, 202, "text/plain", "later"));
  EXPECT_NE(Drain(*e).find("202 Accepted"), std::string::npos);
}

TEST_F(ExchangeTest, DroppingAnUnfinishedStreamFinishesIt) {
  auto e = Make();
  std::shared_ptr<ResponseWriter> kept = e->Retain();
  ASSERT_TRUE(kept->StartStream(200, {}));
  e->EndHandler();
  Drain(*e);
  kept.reset();
  Exchange::Output out;
  EXPECT_EQ(Drain(*e, &out), "0\r\n\r\n");
  EXPECT_TRUE(out.complete);
}

TEST_F(ExchangeTest, ConnectionCloseRunsOnCloseOnceAndDropsWrites) {
  auto e = Make();
  int calls = 0;
  ASSERT_TRUE(e->StartStream(200, {}));
  e->SetOnClose([&] { ++calls; });
  e->CloseFromConnection();
  e->CloseFromConnection();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(e->closed());
  EXPECT_FALSE(e->WriteChunk("x"));
  e->SetOnClose([&] { calls += 10; });  // registered late: runs at once
  EXPECT_EQ(calls, 11);
}

TEST_F(ExchangeTest, OnCloseDoesNotRunForAFinishedResponse) {
  auto e = Make();
  int calls = 0;
  e->SetOnClose([&] { ++calls; });
  ASSERT_TRUE(SendText(*e, 200, "text/plain", "ok"));
  e->CloseFromConnection();
  EXPECT_EQ(calls, 0);
}

TEST_F(ExchangeTest, SlowReaderOverflowAbortsTheStream) {
  auto e = Make({.max_queued_bytes = 64});
  bool closed = false;
  ASSERT_TRUE(e->StartStream(200, {}));
  e->SetOnClose([&] { closed = true; });
  EXPECT_TRUE(e->WriteChunk(std::string(10, 'a')));
  EXPECT_FALSE(e->WriteChunk(std::string(60, 'b')));
  EXPECT_TRUE(closed);
  EXPECT_TRUE(e->closed());
  Exchange::Output out;
  Drain(*e, &out);
  EXPECT_TRUE(out.abort);
}

TEST_F(ExchangeTest, ShutdownEndsAStreamCleanlyAndAbortsAPendingReply) {
  auto stream = Make();
  ASSERT_TRUE(stream->StartStream(200, {}));
  Drain(*stream);
  stream->FinishForShutdown();
  Exchange::Output out;
  EXPECT_EQ(Drain(*stream, &out), "0\r\n\r\n");
  EXPECT_TRUE(out.complete);
  EXPECT_TRUE(stream->closed());

  auto pending = Make();
  bool closed = false;
  pending->SetOnClose([&] { closed = true; });
  pending->FinishForShutdown();
  Drain(*pending, &out);
  EXPECT_TRUE(out.abort);
  EXPECT_TRUE(closed);
}

TEST_F(ExchangeTest, AbortCutsTheConnection) {
  auto e = Make();
  ASSERT_TRUE(e->StartStream(200, {}));
  e->Abort();
  Exchange::Output out;
  Drain(*e, &out);
  EXPECT_TRUE(out.abort);
  EXPECT_TRUE(e->closed());
}

}  // namespace
}  // namespace osbx::http::internal
