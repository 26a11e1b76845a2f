#include "pkg/http/request.h"

#include <gtest/gtest.h>

#include "pkg/http/headers.h"

namespace osbx::http {
namespace {

TEST(HeadersTest, LookupIgnoresCaseAndKeepsRepeatedFields) {
  Headers h;
  h.Add("Content-Type", "application/json");
  h.Add("Accept", "a");
  h.Add("accept", "b");
  EXPECT_EQ(h.Get("content-type"), "application/json");
  EXPECT_EQ(h.Get("ACCEPT"), "a");
  EXPECT_EQ(h.GetAll("Accept"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_TRUE(h.Has("CONTENT-TYPE"));
  EXPECT_EQ(h.Get("Missing"), "");
  h.Set("ACCEPT", "c");
  EXPECT_EQ(h.GetAll("accept"), (std::vector<std::string_view>{"c"}));
  h.Remove("content-type");
  EXPECT_FALSE(h.Has("Content-Type"));
}

TEST(PercentDecodeTest, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(PercentDecode("a%20b%3Dc", false), "a b=c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%e2%9c%93", false), "\xe2\x9c\x93");
}

TEST(PercentDecodeTest, RejectsMalformedEscapes) {
  EXPECT_FALSE(PercentDecode("%zz", false).has_value());
  EXPECT_FALSE(PercentDecode("abc%4", false).has_value());
  EXPECT_FALSE(PercentDecode("%", true).has_value());
}

TEST(ParseQueryTest, KeepsRepeatedKeysInOrderAndDecodesValues) {
  std::optional<QueryParams> q =
      ParseQuery("labelSelector=team%3Da%2Capp+in+(x)&watch&a=1&&a=2&empty=");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->Get("labelSelector"), "team=a,app in (x)");
  EXPECT_EQ(q->Get("watch"), "");
  EXPECT_TRUE(q->Has("watch"));
  EXPECT_EQ(q->GetAll("a"), (std::vector<std::string_view>{"1", "2"}));
  EXPECT_EQ(q->Get("empty"), "");
  EXPECT_FALSE(q->Get("missing").has_value());
  EXPECT_EQ(q->GetOr("missing", "dflt"), "dflt");
  EXPECT_EQ(q->params().size(), 5u);
}

TEST(ParseTargetTest, SplitsDecodedPathFromRawQuery) {
  Request r;
  ASSERT_TRUE(ParseTarget("/api/v1/namespaces/a%20b/pods?fieldSelector=metadata.name%3Dx#frag", r));
  EXPECT_EQ(r.path, "/api/v1/namespaces/a b/pods");
  EXPECT_EQ(r.raw_query, "fieldSelector=metadata.name%3Dx");
  EXPECT_EQ(r.query.Get("fieldSelector"), "metadata.name=x");
}

TEST(ParseTargetTest, PlusInPathStaysPlus) {
  Request r;
  ASSERT_TRUE(ParseTarget("/a+b", r));
  EXPECT_EQ(r.path, "/a+b");
  EXPECT_TRUE(r.query.empty());
}

TEST(ParseTargetTest, RejectsNonOriginFormAndBadEscapes) {
  Request r;
  EXPECT_FALSE(ParseTarget("", r));
  EXPECT_FALSE(ParseTarget("http://example.com/x", r));
  EXPECT_FALSE(ParseTarget("/bad%zz", r));
  EXPECT_FALSE(ParseTarget("/ok?bad=%g0", r));
}

}  // namespace
}  // namespace osbx::http
