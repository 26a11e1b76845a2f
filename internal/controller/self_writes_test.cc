#include "internal/controller/self_writes.h"

#include <gtest/gtest.h>

namespace osbx::controller {
namespace {

Json Object(const std::string& uid, const std::string& rv, const Json& status = Json()) {
  Json obj = {{"metadata", {{"name", "b"}, {"uid", uid}, {"resourceVersion", rv}}}};
  if (!status.is_null()) obj["status"] = status;
  return obj;
}

TEST(SelfWritesTest, EchoOfOwnWriteIsConsumedOnceAndOtherVersionsAreNot) {
  SelfWrites writes;
  writes.Record(Object("u1", "10"));
  EXPECT_FALSE(writes.Consume(Object("u1", "9")));   // an earlier change by someone else
  EXPECT_FALSE(writes.Consume(Object("u2", "10")));  // another object
  EXPECT_TRUE(writes.Consume(Object("u1", "10")));
  EXPECT_FALSE(writes.Consume(Object("u1", "10")));  // only once
}

TEST(SelfWritesTest, ForgottenObjectHasNoEcho) {
  SelfWrites writes;
  writes.Record(Object("u1", "10"));
  writes.Forget("u1");
  EXPECT_FALSE(writes.Consume(Object("u1", "10")));
}

TEST(SelfWritesTest, StatusIsNotRewrittenWhileTheCacheLagsBehindOurWrite) {
  SelfWrites writes;
  const Json status = {{"ready", 3}};
  writes.RecordStatus(Object("u1", "12"), status);
  EXPECT_TRUE(writes.StatusAlreadyWritten(Object("u1", "11"), status));
  EXPECT_FALSE(writes.StatusAlreadyWritten(Object("u1", "11"), Json{{"ready", 2}}));
}

TEST(SelfWritesTest, StatusIsWrittenAgainOnceTheCacheCaughtUp) {
  SelfWrites writes;
  const Json status = {{"ready", 3}};
  writes.RecordStatus(Object("u1", "12"), status);
  // The cache shows our write (or later): what it holds is the truth again, e.g. a reset status.
  EXPECT_FALSE(writes.StatusAlreadyWritten(Object("u1", "12"), status));
  EXPECT_FALSE(writes.StatusAlreadyWritten(Object("u1", "11"), status));
}

TEST(SelfWritesTest, NonNumericResourceVersionsNeverSkipAWrite) {
  SelfWrites writes;
  const Json status = {{"ready", 3}};
  writes.RecordStatus(Object("u1", "abc"), status);
  EXPECT_FALSE(writes.StatusAlreadyWritten(Object("u1", "11"), status));
}

TEST(SelfWritesTest, WritesTheCacheHasPassedAreForgotten) {
  SelfWrites writes;
  writes.Record(Object("u1", "10"));
  EXPECT_FALSE(writes.Consume(Object("u1", "12")));  // the echo was passed over
  writes.Record(Object("u1", "10"));
  EXPECT_FALSE(writes.Consume(Object("u1", "12")));
  EXPECT_FALSE(writes.Consume(Object("u1", "10"))) << "forgotten once the cache was past it";

  const Json status = {{"ready", 1}};
  writes.RecordStatus(Object("u2", "20"), status);
  EXPECT_TRUE(writes.StatusAlreadyWritten(Object("u2", "19"), status));
  EXPECT_FALSE(writes.Consume(Object("u2", "20")));  // the status echo: the cache caught up
  writes.RecordStatus(Object("u2", "20"), status);
  EXPECT_FALSE(writes.Consume(Object("u2", "21")));
  EXPECT_FALSE(writes.StatusAlreadyWritten(Object("u2", "19"), status))
      << "a stale cache after the entry was forgotten counts as not written (the safe side)";
}

}  // namespace
}  // namespace osbx::controller
