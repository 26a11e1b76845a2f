#include "pkg/kube/patch/merge_patch.h"

#include <gtest/gtest.h>

namespace osbx::kube::patch {
namespace {

Json J(const char* text) { return Json::parse(text); }

struct MergeCase {
  const char* name;
  const char* target;
  const char* patch;
  const char* result;
};

// RFC 7386 appendix A, plus the behaviour kube-apiserver showed (kube-wire/semantics.md §4).
TEST(MergePatchTest, AppliesRfc7386Examples) {
  const MergeCase cases[] = {
      {"replace value", R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {"add key", R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {"null deletes", R"({"a":"b"})", R"({"a":null})", R"({})"},
      {"delete one of two", R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {"array replaced", R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {"value becomes array", R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {"nested merge", R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {"array of objects replaced", R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {"non-object patch replaces", R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {"object replaces array", R"(["a","b"])", R"({"a":"b"})", R"({"a":"b"})"},
      {"nulls pruned in new objects", R"({})", R"({"a":{"bb":{"ccc":null}}})",
       R"({"a":{"bb":{}}})"},
      {"kube-wire example",
       R"({"metadata":{"labels":{"keep":"1","drop":"1"}},"spec":{"shardTaskPatches":[{"a":1},{"b":2}],"template":{"x":{"y":1,"z":2}}}})",
       R"({"metadata":{"labels":{"drop":null,"new":"1"}},"spec":{"shardTaskPatches":[{"c":3}],"template":{"x":{"z":null}}}})",
       R"({"metadata":{"labels":{"keep":"1","new":"1"}},"spec":{"shardTaskPatches":[{"c":3}],"template":{"x":{"y":1}}}})"},
  };
  for (const MergeCase& c : cases) {
    EXPECT_EQ(ApplyMergePatch(J(c.target), J(c.patch)), J(c.result)) << c.name;
  }
}

TEST(MergePatchTest, CreateProducesMinimalPatch) {
  Json original = J(R"({"metadata":{"name":"x","labels":{"a":"1","b":"2"}},
      "spec":{"replicas":1,"list":[1,2],"same":{"k":"v"}},"status":{"ready":0}})");
  Json modified = J(R"({"metadata":{"name":"x","labels":{"a":"1","c":"3"}},
      "spec":{"replicas":2,"list":[1,2,3],"same":{"k":"v"}}})");
  Json patch = CreateMergePatch(original, modified);
  EXPECT_EQ(patch, J(R"({"metadata":{"labels":{"b":null,"c":"3"}},
      "spec":{"replicas":2,"list":[1,2,3]},"status":null})"));
  EXPECT_EQ(ApplyMergePatch(original, patch), modified);
}

TEST(MergePatchTest, CreateOfEqualDocumentsIsEmpty) {
  Json doc = J(R"({"a":{"b":[1,{"c":2}]}})");
  EXPECT_EQ(CreateMergePatch(doc, doc), Json::object());
}

TEST(MergePatchTest, CreateReplacesWhenKindsDiffer) {
  EXPECT_EQ(CreateMergePatch(J(R"({"a":{"b":1}})"), J(R"({"a":[1]})")), J(R"({"a":[1]})"));
  EXPECT_EQ(CreateMergePatch(J(R"({"a":1})"), J(R"({"a":{"b":1}})")), J(R"({"a":{"b":1}})"));
}

TEST(MergePatchTest, DecodeReportsMalformedBodiesLikeKube) {
  StatusOr<Json> truncated = DecodeObjectPatchBody(R"({"spec":)");
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::kBadRequest);
  EXPECT_EQ(truncated.status().message(), "error decoding patch: unexpected end of JSON input");

  StatusOr<Json> garbage = DecodePatchBody("xyz");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().message(),
            "error decoding patch: invalid character 'x' looking for beginning of value");

  StatusOr<Json> list = DecodeObjectPatchBody("[1]");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().message(),
            "error decoding patch: json: cannot unmarshal array into Go value of type "
            "map[string]interface {}");

  EXPECT_EQ(*DecodeObjectPatchBody("null"), Json::object());
  EXPECT_FALSE(DecodePatchBody("").ok());
}

TEST(MergePatchTest, GoValueStringMatchesGoFormatting) {
  EXPECT_EQ(GoValueString(J(R"({"b":[1,"x",true,null],"a":{"c":1.5}})")),
            "map[a:map[c:1.5] b:[1 x true <nil>]]");
  EXPECT_EQ(GoValueString(J("0.1")), "0.1");
}

}  // namespace
}  // namespace osbx::kube::patch
