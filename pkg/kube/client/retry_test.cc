#include "pkg/kube/client/retry.h"

#include <gtest/gtest.h>

namespace osbx::kube {
namespace {

using std::chrono::seconds;

Status WithRetryAfter(StatusCode code, int s) {
  Status status(code, "x");
  status.WithRetryAfter(s);
  return status;
}

TEST(RetryDelayTest, TooManyRequestsIsRetriedForEveryVerbAfterRetryAfter) {
  RetryPolicy p;
  Status s = WithRetryAfter(StatusCode::kTooManyRequests, 3);
  for (const char* verb : {"GET", "POST", "PATCH", "PUT", "DELETE"}) {
    EXPECT_EQ(RetryDelay(p, verb, 429, s, 0), seconds(3)) << verb;
  }
}

TEST(RetryDelayTest, RetryableServerErrorsOnlyForIdempotentVerbs) {
  RetryPolicy p;
  Status unavailable(StatusCode::kUnavailable, "x");
  Status timeout(StatusCode::kServerTimeout, "x");
  EXPECT_TRUE(RetryDelay(p, "GET", 503, unavailable, 0));
  EXPECT_TRUE(RetryDelay(p, "PUT", 504, timeout, 0));
  EXPECT_FALSE(RetryDelay(p, "POST", 503, unavailable, 0));
  EXPECT_FALSE(RetryDelay(p, "PATCH", 504, timeout, 0));
}

TEST(RetryDelayTest, InternalErrorIsRetriedOnlyWithRetryAfter) {
  RetryPolicy p;
  EXPECT_FALSE(RetryDelay(p, "GET", 500, Status(StatusCode::kInternal, "x"), 0));
  EXPECT_EQ(RetryDelay(p, "GET", 500, WithRetryAfter(StatusCode::kInternal, 1), 0), seconds(1));
}

TEST(RetryDelayTest, ClientErrorsAreFinal) {
  RetryPolicy p;
  EXPECT_FALSE(RetryDelay(p, "GET", 404, Status(StatusCode::kNotFound, "x"), 0));
  EXPECT_FALSE(RetryDelay(p, "PUT", 409, Status(StatusCode::kConflict, "x"), 0));
  EXPECT_FALSE(RetryDelay(p, "GET", 410, Status(StatusCode::kGone, "x"), 0));
  EXPECT_FALSE(RetryDelay(p, "GET", 200, Status::Ok(), 0));
}

TEST(RetryDelayTest, ConnectionFailuresRetriedForIdempotentVerbs) {
  RetryPolicy p;
  Status refused(StatusCode::kUnavailable, "Couldn't connect to server");
  EXPECT_TRUE(RetryDelay(p, "GET", 0, refused, 0));
  EXPECT_FALSE(RetryDelay(p, "POST", 0, refused, 0));
  EXPECT_FALSE(RetryDelay(p, "GET", 0, Status(StatusCode::kCancelled, "x"), 0));
}

TEST(RetryDelayTest, AttemptsAreBounded) {
  RetryPolicy p;
  Status s = WithRetryAfter(StatusCode::kTooManyRequests, 1);
  EXPECT_TRUE(RetryDelay(p, "GET", 429, s, 9));
  EXPECT_FALSE(RetryDelay(p, "GET", 429, s, 10));
}

TEST(RetryDelayTest, WithoutRetryAfterTheWaitDoublesUpToTheCap) {
  RetryPolicy p;
  Status s(StatusCode::kUnavailable, "x");
  EXPECT_EQ(RetryDelay(p, "GET", 503, s, 0), seconds(1));
  EXPECT_EQ(RetryDelay(p, "GET", 503, s, 1), seconds(2));
  EXPECT_EQ(RetryDelay(p, "GET", 503, s, 3), seconds(8));
  EXPECT_EQ(RetryDelay(p, "GET", 503, s, 9), seconds(30));
  EXPECT_EQ(RetryDelay(p, "GET", 429, WithRetryAfter(StatusCode::kTooManyRequests, 3600), 0),
            seconds(30));
}

}  // namespace
}  // namespace osbx::kube
