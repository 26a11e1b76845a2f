#include "internal/standalone/store/stamp.h"

#include <gtest/gtest.h>

namespace osbx::standalone {
namespace {

std::string WithPlaceholder() {
  return std::string(R"({"metadata":{"name":"a","resourceVersion":")") +
         std::string(kResourceVersionPlaceholder) + R"("},"spec":{}})";
}

TEST(StampTest, ReplacesPlaceholderWithDecimalRv) {
  std::string json = WithPlaceholder();
  size_t pos = StampResourceVersion(json, 12345);
  EXPECT_EQ(json, R"({"metadata":{"name":"a","resourceVersion":"12345"},"spec":{}})");
  EXPECT_EQ(json.substr(pos, 5), "12345");
  EXPECT_TRUE(HasResourceVersionAt(json, pos, 12345));
}

TEST(StampTest, WithoutPlaceholderLeavesBytesAlone) {
  std::string json = R"({"metadata":{"resourceVersion":"7"}})";
  EXPECT_EQ(StampResourceVersion(json, 9), std::string::npos);
  EXPECT_EQ(json, R"({"metadata":{"resourceVersion":"7"}})");
}

TEST(StampTest, UnquotedPlaceholderInsideAStringIsNotStamped) {
  std::string json = R"({"note":"x)" + std::string(kResourceVersionPlaceholder) + R"(y"})";
  EXPECT_EQ(StampResourceVersion(json, 9), std::string::npos);
}

TEST(StampTest, RestampHandlesLongerAndShorterNumbers) {
  std::string json = WithPlaceholder();
  size_t pos = StampResourceVersion(json, 99);
  RestampResourceVersion(json, pos, 99, 100);
  EXPECT_EQ(json, R"({"metadata":{"name":"a","resourceVersion":"100"},"spec":{}})");
  RestampResourceVersion(json, pos, 100, 7);
  EXPECT_EQ(json, R"({"metadata":{"name":"a","resourceVersion":"7"},"spec":{}})");
  EXPECT_TRUE(HasResourceVersionAt(json, pos, 7));
}

TEST(StampTest, HasResourceVersionAtRejectsPrefixesAndBadOffsets) {
  std::string json = R"({"resourceVersion":"123"})";
  size_t pos = json.find("123");
  EXPECT_TRUE(HasResourceVersionAt(json, pos, 123));
  EXPECT_FALSE(HasResourceVersionAt(json, pos, 12));
  EXPECT_FALSE(HasResourceVersionAt(json, pos + 1, 23));
  EXPECT_FALSE(HasResourceVersionAt(json, 1000, 123));
}

}  // namespace
}  // namespace osbx::standalone
