#include "pkg/kube/meta/label_selector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace osbx::kube {
namespace {

LabelSelector MustParse(std::string_view s) {
  StatusOr<LabelSelector> sel = LabelSelector::Parse(s);
  EXPECT_TRUE(sel.ok()) << s << ": " << sel.status().message();
  return sel.ok() ? *sel : LabelSelector::Nothing();
}

std::string ParseError(std::string_view s) {
  StatusOr<LabelSelector> sel = LabelSelector::Parse(s);
  EXPECT_FALSE(sel.ok()) << s;
  if (sel.ok()) return "";
  EXPECT_EQ(sel.status().code(), StatusCode::kBadRequest);
  return sel.status().message();
}

TEST(LabelSelectorTest, ParsesEveryOperatorIntoCanonicalSortedForm) {
  LabelSelector sel = MustParse("x in (foo,,baz),y,z notin (),!w,a=b,c==d,e!=f,g>1,h<2");
  EXPECT_EQ(sel.String(), "a=b,c==d,e!=f,g>1,h<2,!w,x in (,baz,foo),y,z notin ()");
  EXPECT_EQ(sel.requirements().size(), 9u);
}

TEST(LabelSelectorTest, WhitespaceAndKeywordsAsValues) {
  LabelSelector sel = MustParse("  env  in ( in , notin ) ,  tier = in ");
  ASSERT_EQ(sel.requirements().size(), 2u);
  EXPECT_EQ(sel.requirements()[0].values, (std::vector<std::string>{"in", "notin"}));
  EXPECT_EQ(sel.requirements()[1].values, (std::vector<std::string>{"in"}));
}

TEST(LabelSelectorTest, EmptyStringSelectsEverything) {
  LabelSelector sel = MustParse("");
  EXPECT_TRUE(sel.Empty());
  EXPECT_TRUE(sel.Matches(Json()));
  EXPECT_TRUE(sel.Matches(Json{{"a", "b"}}));
}

struct MatchCase {
  const char* selector;
  Json labels;
  bool matches;
};

TEST(LabelSelectorTest, MatchesFollowKubeSemantics) {
  const MatchCase cases[] = {
      {"a=b", {{"a", "b"}}, true},
      {"a=b", {{"a", "c"}}, false},
      {"a=b", Json::object(), false},
      {"a!=b", Json::object(), true},  // absent keys satisfy !=
      {"a!=b", {{"a", "b"}}, false},
      {"a in (x,y)", {{"a", "y"}}, true},
      {"a in (x,y)", Json(), false},
      {"a notin (x)", Json(), true},
      {"a notin (x)", {{"a", "x"}}, false},
      {"a", {{"a", ""}}, true},
      {"!a", {{"a", ""}}, false},
      {"!a", {{"b", "1"}}, true},
      {"a=", {{"a", ""}}, true},
      {"a>5", {{"a", "6"}}, true},
      {"a>5", {{"a", "5"}}, false},
      {"a<5", {{"a", "-3"}}, true},
      {"a>5", {{"a", "six"}}, false},
      {"a=b,c=d", {{"a", "b"}, {"c", "d"}}, true},
      {"a=b,c=d", {{"a", "b"}}, false},
  };
  for (const MatchCase& c : cases) {
    EXPECT_EQ(MustParse(c.selector).Matches(c.labels), c.matches)
        << c.selector << " on " << c.labels.dump();
  }
}

TEST(LabelSelectorTest, MatchesStdMapLabels) {
  LabelSelector sel = MustParse("team=a,!gone");
  EXPECT_TRUE(sel.Matches(std::map<std::string, std::string>{{"team", "a"}}));
  EXPECT_FALSE(sel.Matches(std::map<std::string, std::string>{{"team", "a"}, {"gone", "1"}}));
}

TEST(LabelSelectorTest, ErrorsReadLikeKubeApiServer) {
  // Both captured from a real kube-apiserver (kube-wire/errors.md).
  EXPECT_EQ(ParseError("team===a"), "unable to parse requirement: found '=', expected: identifier");
  EXPECT_EQ(ParseError("team in (a"),
            "unable to parse requirement: found '', expected: ',' or ')'");
  EXPECT_EQ(ParseError("a=b c"), "found 'c', expected: ',' or 'end of string'");
  EXPECT_EQ(ParseError("a=b,"), "found '', expected: identifier after ','");
  EXPECT_EQ(ParseError(",a"), "found ',', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(ParseError("a in b"), "unable to parse requirement: found 'b' expected: '('");
  EXPECT_EQ(ParseError("a in (=)"),
            "unable to parse requirement: found '=', expected: ',', ')' or identifier");
  EXPECT_EQ(ParseError("a in (b,=)"),
            "unable to parse requirement: found '=', expected: ',', or identifier");
  EXPECT_EQ(ParseError("a b"),
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(ParseError("!=a"), "found '!=', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(ParseError("!"), "unable to parse requirement: found '', expected: identifier");
}

TEST(LabelSelectorTest, InvalidKeysAndValuesCarryFieldPaths) {
  EXPECT_THAT(ParseError("a/b/c=d"),
              ::testing::StartsWith("unable to parse requirement: <nil>: Invalid value: "
                                    "\"a/b/c\": a qualified name must consist of"));
  EXPECT_THAT(ParseError("team=a@b"),
              ::testing::StartsWith("unable to parse requirement: values[0][team]: Invalid "
                                    "value: \"a@b\": a valid label must be an empty string"));
  EXPECT_THAT(ParseError("n>x"),
              ::testing::HasSubstr("values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, "
                                   "the value must be an integer"));
}

TEST(LabelSelectorTest, MalformedInputNeverCrashes) {
  const char* inputs[] = {"(",  ")",  "!",   "!!", "a in", "a in (",     "a notin (b,,",
                          "<>", "a<", "a==", "=",  ",,,",  "a in ((b))", "\t\n"};
  for (const char* input : inputs) {
    StatusOr<LabelSelector> sel = LabelSelector::Parse(input);
    if (!sel.ok()) {
      EXPECT_FALSE(sel.status().message().empty()) << input;
    }
  }
}

TEST(LabelSelectorTest, FromJsonNullMatchesNothingAndEmptyMatchesEverything) {
  StatusOr<LabelSelector> nothing = LabelSelector::FromJson(Json());
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->MatchesNothing());
  EXPECT_FALSE(nothing->Empty());
  EXPECT_FALSE(nothing->Matches(Json{{"a", "b"}}));

  StatusOr<LabelSelector> everything = LabelSelector::FromJson(Json::object());
  ASSERT_TRUE(everything.ok());
  EXPECT_TRUE(everything->Empty());
  EXPECT_TRUE(everything->Matches(Json::object()));
}

TEST(LabelSelectorTest, FromJsonCombinesMatchLabelsAndExpressions) {
  Json spec = Json::parse(R"({
    "matchLabels": {"app": "sandbox"},
    "matchExpressions": [
      {"key": "tier", "operator": "In", "values": ["a", "b"]},
      {"key": "zone", "operator": "NotIn", "values": ["bad"]},
      {"key": "pool", "operator": "Exists"},
      {"key": "gone", "operator": "DoesNotExist"}
    ]})");
  StatusOr<LabelSelector> sel = LabelSelector::FromJson(spec);
  ASSERT_TRUE(sel.ok()) << sel.status().message();
  EXPECT_EQ(sel->String(), "app=sandbox,!gone,pool,tier in (a,b),zone notin (bad)");
  EXPECT_TRUE(sel->Matches(Json{{"app", "sandbox"}, {"tier", "b"}, {"pool", "p"}}));
  EXPECT_FALSE(sel->Matches(Json{{"app", "sandbox"}, {"tier", "b"}}));
  EXPECT_FALSE(sel->Matches(Json{{"app", "sandbox"}, {"tier", "b"}, {"pool", "p"}, {"gone", "1"}}));
  EXPECT_EQ(sel->RequiresExactMatch("app"), "sandbox");
  EXPECT_EQ(sel->RequiresExactMatch("zone"), std::nullopt);
}

TEST(LabelSelectorTest, FromJsonRejectsBadOperatorsAndValues) {
  StatusOr<LabelSelector> bad_op = LabelSelector::FromJson(
      Json::parse(R"({"matchExpressions":[{"key":"a","operator":"Equals","values":["b"]}]})"));
  ASSERT_FALSE(bad_op.ok());
  EXPECT_EQ(bad_op.status().message(), "\"Equals\" is not a valid label selector operator");

  StatusOr<LabelSelector> empty_in = LabelSelector::FromJson(
      Json::parse(R"({"matchExpressions":[{"key":"a","operator":"In","values":[]}]})"));
  ASSERT_FALSE(empty_in.ok());
  EXPECT_EQ(empty_in.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(empty_in.status().message(),
            "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't "
            "be empty");

  StatusOr<LabelSelector> exists_with_values = LabelSelector::FromJson(
      Json::parse(R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})"));
  ASSERT_FALSE(exists_with_values.ok());
  EXPECT_EQ(exists_with_values.status().message(),
            "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does "
            "not exist");

  StatusOr<LabelSelector> bad_label =
      LabelSelector::FromJson(Json{{"matchLabels", {{"a b", "c d"}}}});
  ASSERT_FALSE(bad_label.ok());
  EXPECT_THAT(bad_label.status().message(), ::testing::StartsWith("[key: Invalid value: \"a b\""));
}

TEST(LabelSelectorTest, FromSetIsExactMatchOfEveryPair) {
  LabelSelector sel = LabelSelector::FromSet({{"a", "1"}, {"b", "2"}});
  EXPECT_EQ(sel.String(), "a=1,b=2");
  EXPECT_TRUE(sel.Matches(Json{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_FALSE(sel.Matches(Json{{"a", "1"}}));
  EXPECT_TRUE(LabelSelector::FromSet({}).Empty());
}

}  // namespace
}  // namespace osbx::kube
