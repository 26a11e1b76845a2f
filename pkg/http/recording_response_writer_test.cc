#include "pkg/http/recording_response_writer.h"

#include <thread>

#include <gtest/gtest.h>

namespace osbx::http {
namespace {

TEST(RecordingResponseWriterTest, RecordsACompleteResponseOnce) {
  RecordingResponseWriter w;
  ASSERT_TRUE(SendText(w, 201, "application/json", "{}"));
  EXPECT_FALSE(SendText(w, 500, "text/plain", "again"));
  EXPECT_EQ(w.status(), 201);
  EXPECT_EQ(w.headers().Get("content-type"), "application/json");
  EXPECT_EQ(w.body(), "{}");
  EXPECT_TRUE(w.done());
}

TEST(RecordingResponseWriterTest, RecordsChunksAndPlaysTheClientGoingAway) {
  RecordingResponseWriter w;
  ASSERT_TRUE(w.StartStream(200, {}));
  ASSERT_TRUE(w.WriteChunk("a\n"));
  ASSERT_TRUE(w.WriteChunk("b\n"));
  int closes = 0;
  w.SetOnClose([&] { ++closes; });
  w.SimulateClientGone();
  EXPECT_EQ(closes, 1);
  EXPECT_TRUE(w.closed());
  EXPECT_FALSE(w.WriteChunk("c\n"));
  EXPECT_EQ(w.chunks(), (std::vector<std::string>{"a\n", "b\n"}));
  EXPECT_EQ(w.body(), "a\nb\n");
}

TEST(RecordingResponseWriterTest, WaitDoneReturnsOnceAnotherThreadAnswers) {
  RecordingResponseWriter w;
  std::shared_ptr<ResponseWriter> kept = w.Retain();
  std::thread answer([kept] { SendText(*kept, 200, "text/plain", "late"); });
  w.WaitDone();
  answer.join();
  EXPECT_EQ(w.body(), "late");
}

}  // namespace
}  // namespace osbx::http
