#include "pkg/kube/meta/timestamp.h"

#include <gtest/gtest.h>

namespace osbx::kube {
namespace {

using namespace std::chrono;

Time At(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days{year{y} / mo / d} + hours{h} + minutes{mi} + seconds{s};
}

std::string ParseTimeError(std::string_view text) {
  StatusOr<Time> t = ParseTime(text);
  EXPECT_FALSE(t.ok()) << text;
  return t.ok() ? "" : t.status().message();
}

TEST(TimestampTest, FormatsTimeWithSecondPrecisionInUtc) {
  Time t = At(2026, 11, 29, 18, 4, 28) + milliseconds{987};
  EXPECT_EQ(FormatTime(t), "2026-11-29T18:04:28Z");
  EXPECT_EQ(FormatTime(At(1999, 1, 2, 3, 4, 5)), "1999-01-02T03:04:05Z");
}

TEST(TimestampTest, FormatsMicroTimeWithSixDigits) {
  EXPECT_EQ(FormatMicroTime(At(2026, 11, 29, 18, 0, 1) + milliseconds{500}),
            "2026-11-29T18:00:01.500000Z");
  EXPECT_EQ(FormatMicroTime(At(2026, 11, 29, 18, 0, 0) + microseconds{123456}),
            "2026-11-29T18:00:00.123456Z");
}

TEST(TimestampTest, ParsesUtcOffsetsAndFractions) {
  EXPECT_EQ(*ParseTime("2026-11-29T18:04:28Z"), At(2026, 11, 29, 18, 4, 28));
  EXPECT_EQ(*ParseTime("2026-11-29T20:04:28+02:00"), At(2026, 11, 29, 18, 4, 28));
  EXPECT_EQ(*ParseTime("2026-11-29T17:34:28-00:30"), At(2026, 11, 29, 18, 4, 28));
  EXPECT_EQ(*ParseTime("2026-11-29T18:04:28.5Z"), At(2026, 11, 29, 18, 4, 28) + milliseconds{500});
  EXPECT_EQ(*ParseTime("2024-02-29T00:00:00Z"), At(2024, 2, 29, 0, 0, 0));
}

TEST(TimestampTest, RoundTripsThroughFormat) {
  Time t = At(2030, 6, 15, 12, 30, 45);
  EXPECT_EQ(*ParseTime(FormatTime(t)), t);
  Time micro = t + microseconds{42};
  EXPECT_EQ(*ParseMicroTime(FormatMicroTime(micro)), micro);
  EXPECT_EQ(TruncateToSeconds(micro), t);
}

TEST(TimestampTest, MicroTimeRequiresExactlySixDigits) {
  // Captured from kube-apiserver (kube-wire/semantics.md).
  StatusOr<Time> t = ParseMicroTime("2026-11-29T18:00:01.5Z");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kBadRequest);
  EXPECT_EQ(t.status().message(),
            "parsing time \"2026-11-29T18:00:01.5Z\" as \"2006-01-02T15:04:05.000000Z07:00\": "
            "cannot parse \".5Z\" as \".000000\"");
  EXPECT_FALSE(ParseMicroTime("2026-11-29T18:00:01Z").ok());
  EXPECT_TRUE(ParseMicroTime("2026-11-29T18:00:01.500000Z").ok());
}

TEST(TimestampTest, ParseErrorsNameTheFailingElement) {
  EXPECT_EQ(ParseTimeError("tomorrow"),
            "parsing time \"tomorrow\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
            "\"tomorrow\" as \"2006\"");
  EXPECT_EQ(ParseTimeError("2026-11-29 18:04:28Z"),
            "parsing time \"2026-11-29 18:04:28Z\" as \"2006-01-02T15:04:05Z07:00\": cannot "
            "parse \" 18:04:28Z\" as \"T\"");
  EXPECT_EQ(ParseTimeError("2026-1-29T18:04:28Z"),
            "parsing time \"2026-1-29T18:04:28Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
            "\"1-29T18:04:28Z\" as \"01\"");
  EXPECT_EQ(ParseTimeError("2026-11-29T18:04:28"),
            "parsing time \"2026-11-29T18:04:28\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
            "\"\" as \"Z07:00\"");
  EXPECT_EQ(ParseTimeError("2026-11-29T18:04:28Zjunk"),
            "parsing time \"2026-11-29T18:04:28Zjunk\": extra text: \"junk\"");
}

TEST(TimestampTest, RangeErrorsMatchGo) {
  EXPECT_EQ(ParseTimeError("2026-13-01T00:00:00Z"),
            "parsing time \"2026-13-01T00:00:00Z\": month out of range");
  EXPECT_EQ(ParseTimeError("2026-02-30T00:00:00Z"),
            "parsing time \"2026-02-30T00:00:00Z\": day out of range");
  EXPECT_EQ(ParseTimeError("2026-02-01T24:00:00Z"),
            "parsing time \"2026-02-01T24:00:00Z\": hour out of range");
  EXPECT_EQ(ParseTimeError("2026-02-01T00:60:00Z"),
            "parsing time \"2026-02-01T00:60:00Z\": minute out of range");
}

TEST(TimestampTest, EmptyAndTruncatedInputsFailCleanly) {
  const char* inputs[] = {"", "2", "2026-", "2026-11-29T", "2026-11-29T18:04:28+0", "-", "ZZZZ"};
  for (const char* input : inputs) EXPECT_FALSE(ParseTime(input).ok()) << input;
}

}  // namespace
}  // namespace osbx::kube
