#include "internal/utils/status.h"

#include <gtest/gtest.h>

namespace osbx {
namespace {

TEST(StatusTest, ConflictAndAlreadyExistsShareHttp409ButKeepTheirReason) {
  EXPECT_EQ(StatusCodeHttp(StatusCode::kConflict), 409);
  EXPECT_EQ(StatusCodeHttp(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(StatusCodeFromHttp(409, "AlreadyExists"), StatusCode::kAlreadyExists);
  EXPECT_EQ(StatusCodeFromHttp(409, "Conflict"), StatusCode::kConflict);
  EXPECT_EQ(StatusCodeFromHttp(410, "Expired"), StatusCode::kGone);
  EXPECT_EQ(StatusCodeFromHttp(422, "Invalid"), StatusCode::kInvalid);
  EXPECT_EQ(StatusCodeFromHttp(429, ""), StatusCode::kTooManyRequests);
  EXPECT_EQ(StatusCodeFromHttp(201, ""), StatusCode::kOk);
}

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidError("odd");
  return x / 2;
}

Status Quarter(int x, int* out) {
  OSBX_ASSIGN_OR_RETURN(int h, Half(x));
  OSBX_ASSIGN_OR_RETURN(int q, Half(h));
  *out = q;
  return Status::Ok();
}

TEST(StatusTest, AssignOrReturnPropagatesTheFirstError) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status s = Quarter(6, &out);
  EXPECT_TRUE(s.IsInvalid());
  EXPECT_EQ(s.ToString(), "Invalid: odd");
}

TEST(StatusTest, CausesAndRetryAfterAreKept) {
  Status s = InvalidError("bad");
  s.WithCause({"FieldValueInvalid", "must be >= 0", "spec.replicas"}).WithRetryAfter(3);
  ASSERT_EQ(s.causes().size(), 1u);
  EXPECT_EQ(s.causes()[0].field, "spec.replicas");
  EXPECT_EQ(s.retry_after_seconds(), 3);
}

}  // namespace
}  // namespace osbx
