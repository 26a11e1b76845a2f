#include "pkg/kube/client/watch_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "pkg/kube/client/testing/testdata.h"

namespace osbx::kube {
namespace {

using ::testing::HasSubstr;

struct Collected {
  std::vector<WatchEvent> events;
  WatchDecoder::Sink sink() {
    return [this](WatchEvent&& e) { events.push_back(std::move(e)); };
  }
};

std::string ResourceVersion(const WatchEvent& e) {
  return e.object["metadata"]["resourceVersion"].get<std::string>();
}

TEST(WatchDecoderTest, DecodesCapturedStreamFedInOneChunk) {
  std::string stream = testing::ReadTestdata("watch/crud_then_bookmarks.jsonl");
  Collected c;
  WatchDecoder decoder;
  ASSERT_TRUE(decoder.Feed(stream, c.sink()).ok());
  ASSERT_TRUE(decoder.Finish(c.sink()).ok());
  ASSERT_EQ(c.events.size(), 6u);
  EXPECT_EQ(c.events[0].type, WatchEventType::kAdded);
  EXPECT_EQ(c.events[1].type, WatchEventType::kModified);
  EXPECT_EQ(c.events[2].type, WatchEventType::kModified);
  EXPECT_EQ(c.events[3].type, WatchEventType::kDeleted);
  EXPECT_EQ(c.events[4].type, WatchEventType::kBookmark);
  EXPECT_EQ(c.events[5].type, WatchEventType::kBookmark);
  EXPECT_EQ(ResourceVersion(c.events[0]), "1651");
  EXPECT_EQ(ResourceVersion(c.events[3]), "1654");
  EXPECT_EQ(c.events[2].object["spec"]["replicas"], 2);
  EXPECT_EQ(ResourceVersion(c.events[5]), "1654");
}

// Every split point of the captured stream, including inside multi-byte escapes and right at
// the newline, yields exactly the events of the unsplit stream.
TEST(WatchDecoderTest, EventsSplitAtEveryByteDecodeIdentically) {
  std::string stream = testing::ReadTestdata("watch/crud_then_bookmarks.jsonl");
  Collected whole;
  WatchDecoder reference;
  ASSERT_TRUE(reference.Feed(stream, whole.sink()).ok());
  for (size_t split = 0; split <= stream.size(); ++split) {
    Collected c;
    WatchDecoder decoder;
    ASSERT_TRUE(decoder.Feed(std::string_view(stream).substr(0, split), c.sink()).ok());
    ASSERT_TRUE(decoder.Feed(std::string_view(stream).substr(split), c.sink()).ok());
    ASSERT_EQ(c.events.size(), whole.events.size()) << "split at " << split;
    for (size_t i = 0; i < c.events.size(); ++i) {
      EXPECT_EQ(c.events[i].object, whole.events[i].object) << "split at " << split;
    }
  }
}

TEST(WatchDecoderTest, OneByteChunksDecodeAndHoldNoMoreThanOneLine) {
  std::string stream = testing::ReadTestdata("watch/crud_then_bookmarks.jsonl");
  Collected c;
  WatchDecoder decoder;
  size_t max_buffered = 0;
  for (char ch : stream) {
    ASSERT_TRUE(decoder.Feed(std::string_view(&ch, 1), c.sink()).ok());
    max_buffered = std::max(max_buffered, decoder.buffered());
  }
  EXPECT_EQ(c.events.size(), 6u);
  EXPECT_EQ(decoder.buffered(), 0u);
  EXPECT_LT(max_buffered, 1200u);  // the longest line, never the whole stream
}

TEST(WatchDecoderTest, ExpiredErrorEventBecomesGone) {
  Collected c;
  WatchDecoder decoder;
  ASSERT_TRUE(decoder.Feed(testing::ReadTestdata("watch/expired_410.jsonl"), c.sink()).ok());
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.events[0].type, WatchEventType::kError);
  Status s = WatchErrorStatus(c.events[0]);
  EXPECT_TRUE(s.IsGone());
  EXPECT_EQ(s.message(), "too old resource version: 1 (1156)");
}

TEST(WatchDecoderTest, BookmarksKeepOnlyResourceVersionAndAnnotations) {
  Collected c;
  WatchDecoder decoder;
  std::string line =
      R"({"type":"BOOKMARK","object":{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"k8s.io/initial-events-end":"true"},"resourceVersion":"1656","name":"stray"},"spec":{"x":1}}})"
      "\n";
  ASSERT_TRUE(decoder.Feed(line, c.sink()).ok());
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(
      c.events[0].object,
      Json::parse(
          R"({"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"k8s.io/initial-events-end":"true"},"resourceVersion":"1656"}})"));
}

TEST(WatchDecoderTest, SkipsBlankLinesAndCarriageReturns) {
  Collected c;
  WatchDecoder decoder;
  ASSERT_TRUE(decoder.Feed("\n\r\n{\"type\":\"ADDED\",\"object\":{}}\r\n\n", c.sink()).ok());
  EXPECT_EQ(c.events.size(), 1u);
}

TEST(WatchDecoderTest, MalformedLineEndsTheStreamForGood) {
  Collected c;
  WatchDecoder decoder;
  Status s = decoder.Feed(
      "{\"type\":\"ADDED\",\"object\":{}}\n{not json}\n"
      "{\"type\":\"ADDED\",\"object\":{}}\n",
      c.sink());
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("malformed watch event"));
  EXPECT_EQ(c.events.size(), 1u);  // nothing after the bad line
  EXPECT_FALSE(decoder.Feed("{\"type\":\"ADDED\",\"object\":{}}\n", c.sink()).ok());
  EXPECT_EQ(c.events.size(), 1u);
}

TEST(WatchDecoderTest, RejectsEventsWithoutTypeOrObject) {
  for (std::string_view line :
       {R"({"object":{}})", R"({"type":"ADDED"})", R"({"type":"RENAMED","object":{}})",
        R"({"type":7,"object":{}})", R"({"type":"ADDED","object":[]})", R"([1,2])"}) {
    Collected c;
    WatchDecoder decoder;
    EXPECT_FALSE(decoder.Feed(std::string(line) + "\n", c.sink()).ok()) << line;
    EXPECT_TRUE(c.events.empty());
  }
}

TEST(WatchDecoderTest, FinishDecodesAnUnterminatedCompleteEvent) {
  Collected c;
  WatchDecoder decoder;
  ASSERT_TRUE(decoder.Feed("{\"type\":\"DELETED\",\"object\":{}}", c.sink()).ok());
  EXPECT_TRUE(c.events.empty());
  EXPECT_TRUE(decoder.Finish(c.sink()).ok());
  EXPECT_EQ(c.events.size(), 1u);
}

TEST(WatchDecoderTest, StreamCutInsideAnEventIsAnError) {
  Collected c;
  WatchDecoder decoder;
  ASSERT_TRUE(decoder.Feed("{\"type\":\"ADDED\",\"obj", c.sink()).ok());
  Status s = decoder.Finish(c.sink());
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("ended inside an event"));
}

TEST(WatchDecoderTest, OversizedLineIsRejected) {
  Collected c;
  WatchDecoder decoder(/*max_line=*/64);
  EXPECT_TRUE(decoder.Feed(std::string(40, ' '), c.sink()).ok());
  EXPECT_FALSE(decoder.Feed(std::string(40, ' '), c.sink()).ok());
}

}  // namespace
}  // namespace osbx::kube
