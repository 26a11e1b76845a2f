#include "hack/crdgen/yaml_json.h"

#include <gtest/gtest.h>

namespace osbx::crdgen {
namespace {

TEST(YamlToJsonTest, ResolvesPlainScalarsAndKeepsQuotedOnesAsStrings) {
  auto doc = YamlToJson("a: 1\nb: \"1\"\nc: True\nd: 'True'\ne: ~\nf: 25%\ng: 1.5\n");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ((*doc)["a"], 1);
  EXPECT_EQ((*doc)["b"], "1");
  EXPECT_EQ((*doc)["c"], true);
  EXPECT_EQ((*doc)["d"], "True");
  EXPECT_TRUE((*doc)["e"].is_null());
  EXPECT_EQ((*doc)["f"], "25%");
  EXPECT_EQ((*doc)["g"], 1.5);
}

TEST(YamlToJsonTest, ReportsInvalidYamlAsStatus) {
  auto doc = YamlToJson("a: [1, 2\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_TRUE(doc.status().IsInvalid());
}

TEST(EmitYamlTest, OutputParsesBackToTheSameDocument) {
  OrderedJson doc = OrderedJson::parse(R"({
    "z": "True", "a": "25%", "n": "1", "s": "- item", "colon": "a: b", "hash": "a #b",
    "rule": "!has(self.x) || self.y <= 1", "empty": "", "lead": " x", "multi": "a\nb",
    "quote": "it's \"q\"", "num": 3, "neg": -2, "f": true, "nil": null,
    "list": [{"k": 1, "nested": [1, [2, 3], {}]}, [], {}, "x"],
    "map": {"inner": {"deep": []}}, "star": "*"
  })");
  auto back = YamlToJson(EmitYaml(doc));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, doc) << EmitYaml(doc);
}

TEST(EmitYamlTest, KeepsKeyOrderAndIndentsListsUnderTheirKey) {
  OrderedJson doc = OrderedJson::parse(R"({"b": 1, "a": [{"x": 1, "w": 2}]})");
  EXPECT_EQ(EmitYaml(doc), "b: 1\na:\n- x: 1\n  w: 2\n");
}

TEST(IsPlainSafeTest, QuotesWhatWouldReadBackDifferently) {
  EXPECT_TRUE(IsPlainSafe("Retain"));
  EXPECT_TRUE(IsPlainSafe("self.bufferMin <= self.bufferMax"));
  EXPECT_FALSE(IsPlainSafe("true"));
  EXPECT_FALSE(IsPlainSafe("No"));
  EXPECT_FALSE(IsPlainSafe("0"));
  EXPECT_FALSE(IsPlainSafe(".inf"));
  EXPECT_FALSE(IsPlainSafe("a: b"));
  EXPECT_FALSE(IsPlainSafe("*"));
}

}  // namespace
}  // namespace osbx::crdgen
