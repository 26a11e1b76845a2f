#include "pkg/kube/meta/field_selector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace osbx::kube {
namespace {

FieldSelector MustParse(std::string_view s) {
  StatusOr<FieldSelector> sel = FieldSelector::Parse(s);
  EXPECT_TRUE(sel.ok()) << s << ": " << sel.status().message();
  return sel.ok() ? *sel : FieldSelector();
}

TEST(FieldSelectorTest, ParsesAllOperators) {
  FieldSelector sel = MustParse("metadata.name=a,status.phase==Running,spec.nodeName!=n1");
  ASSERT_EQ(sel.requirements().size(), 3u);
  // Terms are sorted by their text, as kube sorts them.
  EXPECT_EQ(sel.requirements()[0], (FieldRequirement{"metadata.name", "a", true}));
  EXPECT_EQ(sel.requirements()[1], (FieldRequirement{"spec.nodeName", "n1", false}));
  EXPECT_EQ(sel.requirements()[2], (FieldRequirement{"status.phase", "Running", true}));
  EXPECT_EQ(sel.Fields(),
            (std::vector<std::string>{"metadata.name", "spec.nodeName", "status.phase"}));
  EXPECT_EQ(sel.RequiresExactMatch("metadata.name"), "a");
  EXPECT_EQ(sel.RequiresExactMatch("spec.nodeName"), std::nullopt);
}

TEST(FieldSelectorTest, EscapedValuesRoundTrip) {
  FieldSelector sel = MustParse(R"(metadata.name=a\,b\=c\\d)");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0].value, R"(a,b=c\d)");
  EXPECT_EQ(sel.String(), R"(metadata.name=a\,b\=c\\d)");
  EXPECT_EQ(EscapeFieldSelectorValue("x=y,z"), R"(x\=y\,z)");
}

TEST(FieldSelectorTest, EmptyTermsAreSkipped) {
  EXPECT_TRUE(MustParse("").Empty());
  EXPECT_EQ(MustParse(",a=b,,").requirements().size(), 1u);
}

TEST(FieldSelectorTest, ErrorsReadLikeKube) {
  StatusOr<FieldSelector> no_op = FieldSelector::Parse("a=b,cd");
  ASSERT_FALSE(no_op.ok());
  EXPECT_EQ(no_op.status().code(), StatusCode::kBadRequest);
  EXPECT_EQ(no_op.status().message(), "invalid selector: 'a=b,cd'; can't understand 'cd'");

  StatusOr<FieldSelector> bad_escape = FieldSelector::Parse(R"(a=b\x)");
  ASSERT_FALSE(bad_escape.ok());
  EXPECT_EQ(bad_escape.status().message(),
            R"(invalid field selector: invalid escape sequence: \x)");

  StatusOr<FieldSelector> trailing = FieldSelector::Parse(R"(a=b\)");
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.status().message(), R"(invalid field selector: invalid escape sequence: \)");

  StatusOr<FieldSelector> unescaped = FieldSelector::Parse("a=b=c");
  ASSERT_FALSE(unescaped.ok());
  EXPECT_EQ(unescaped.status().message(),
            "invalid field selector: unescaped character in value: 61");
}

TEST(FieldSelectorTest, MatchesThroughGetterWithMissingFieldsAsEmpty) {
  FieldSelector sel = MustParse("spec.nodeName=,status.phase!=Failed");
  auto getter = [](std::string_view field) -> std::optional<std::string> {
    if (field == "status.phase") return "Running";
    return std::nullopt;
  };
  EXPECT_TRUE(sel.Matches(getter));
  EXPECT_FALSE(MustParse("status.phase=Failed").Matches(getter));
}

TEST(FieldSelectorTest, MatchesJsonObjectsByDottedPath) {
  Json event = Json::parse(R"({"metadata":{"name":"e1","namespace":"wire"},
      "involvedObject":{"kind":"BatchSandbox","name":"bsx","uid":"u-1"},"count":3})");
  EXPECT_TRUE(MustParse("involvedObject.kind=BatchSandbox,involvedObject.name=bsx").Matches(event));
  EXPECT_FALSE(MustParse("involvedObject.uid=u-2").Matches(event));
  EXPECT_TRUE(MustParse("count=3").Matches(event));
  EXPECT_EQ(JsonFieldByPath(event, "metadata.namespace"), "wire");
  EXPECT_EQ(JsonFieldByPath(event, "involvedObject"), std::nullopt);
  EXPECT_EQ(JsonFieldByPath(event, "metadata.name.x"), std::nullopt);
  EXPECT_EQ(JsonFieldByPath(Json(), "a"), std::nullopt);
}

}  // namespace
}  // namespace osbx::kube
