#include "internal/utils/log.h"

#include <gtest/gtest.h>

#include "internal/utils/json.h"

namespace osbx::log {
namespace {

TEST(LogTest, VerbosityGatesChattyRecords) {
  Init({.verbosity = 2, .format = Format::kText});
  EXPECT_TRUE(V(0));
  EXPECT_TRUE(V(2));
  EXPECT_FALSE(V(3));
  Init({.verbosity = 0, .format = Format::kText});
  EXPECT_FALSE(V(1));
}

TEST(LogTest, FormatNamesParseAndUnknownIsRejected) {
  Format f = Format::kText;
  EXPECT_TRUE(ParseFormat("json", &f));
  EXPECT_EQ(f, Format::kJson);
  EXPECT_TRUE(ParseFormat("text", &f));
  EXPECT_EQ(f, Format::kText);
  EXPECT_FALSE(ParseFormat("xml", &f));
}

TEST(LogTest, JsonRecordsAreWrittenToStderrAsOneLine) {
  Init({.verbosity = 0, .format = Format::kJson});
  testing::internal::CaptureStderr();
  OSBX_LOG_INFO("pool scaled", {"pool", "default/example"}, {"created", "3"});
  std::string out = testing::internal::GetCapturedStderr();
  Init({});
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.find('\n'), out.size() - 1);
  auto record = Json::parse(out);
  EXPECT_EQ(record["msg"], "pool scaled");
  EXPECT_EQ(record["pool"], "default/example");
  EXPECT_EQ(record["level"], "info");
}

}  // namespace
}  // namespace osbx::log
