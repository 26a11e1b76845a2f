#include "pkg/kube/patch/json_patch.h"

#include <gtest/gtest.h>

namespace osbx::kube::patch {
namespace {

Json J(const char* text) { return Json::parse(text); }

struct PatchCase {
  const char* name;
  const char* doc;
  const char* patch;
  const char* result;
};

TEST(JsonPatchTest, AppliesEveryOperation) {
  const PatchCase cases[] = {
      {"add key", R"({"a":1})", R"([{"op":"add","path":"/b","value":2}])", R"({"a":1,"b":2})"},
      {"add replaces existing key", R"({"a":1})", R"([{"op":"add","path":"/a","value":3}])",
       R"({"a":3})"},
      {"add inserts into array", R"({"l":[1,3]})", R"([{"op":"add","path":"/l/1","value":2}])",
       R"({"l":[1,2,3]})"},
      {"add at end index", R"({"l":[1]})", R"([{"op":"add","path":"/l/1","value":2}])",
       R"({"l":[1,2]})"},
      {"dash appends", R"({"l":[1]})", R"([{"op":"add","path":"/l/-","value":{"d":4}}])",
       R"({"l":[1,{"d":4}]})"},
      {"negative index counts from the end", R"({"l":[1,2,3]})",
       R"([{"op":"remove","path":"/l/-1"}])", R"({"l":[1,2]})"},
      {"remove key", R"({"a":1,"b":2})", R"([{"op":"remove","path":"/a"}])", R"({"b":2})"},
      {"remove array item", R"({"l":[1,2,3]})", R"([{"op":"remove","path":"/l/0"}])",
       R"({"l":[2,3]})"},
      {"replace", R"({"a":{"b":1}})", R"([{"op":"replace","path":"/a/b","value":[1]}])",
       R"({"a":{"b":[1]}})"},
      {"move", R"({"a":{"b":1},"c":{}})", R"([{"op":"move","from":"/a/b","path":"/c/d"}])",
       R"({"a":{},"c":{"d":1}})"},
      {"move within array", R"({"l":[1,2,3]})", R"([{"op":"move","from":"/l/0","path":"/l/-"}])",
       R"({"l":[2,3,1]})"},
      {"copy", R"({"a":{"b":1}})", R"([{"op":"copy","from":"/a","path":"/c"}])",
       R"({"a":{"b":1},"c":{"b":1}})"},
      {"test then replace", R"({"spec":{"replicas":1}})",
       R"([{"op":"test","path":"/spec/replicas","value":1},{"op":"replace","path":"/spec/replicas","value":4}])",
       R"({"spec":{"replicas":4}})"},
      {"test null on a missing path passes", R"({})", R"([{"op":"test","path":"/x","value":null}])",
       R"({})"},
      {"escapes", R"({"metadata":{"labels":{}}})",
       R"([{"op":"add","path":"/metadata/labels/x~1y","value":"slash"},{"op":"add","path":"/metadata/labels/t~0","value":"tilde"}])",
       R"({"metadata":{"labels":{"x/y":"slash","t~":"tilde"}}})"},
      {"null patch is a no-op", R"({"a":1})", "null", R"({"a":1})"},
      {"test without value on a missing path passes", R"({})", R"([{"op":"test","path":"/x"}])",
       R"({})"},
      {"finalizer removal as controllers do it", R"({"metadata":{"finalizers":["a","b"]}})",
       R"([{"op":"test","path":"/metadata/finalizers","value":["a","b"]},{"op":"remove","path":"/metadata/finalizers/0"}])",
       R"({"metadata":{"finalizers":["b"]}})"},
  };
  for (const PatchCase& c : cases) {
    StatusOr<Json> result = ApplyJsonPatch(J(c.doc), J(c.patch));
    ASSERT_TRUE(result.ok()) << c.name << ": " << result.status().message();
    EXPECT_EQ(*result, J(c.result)) << c.name;
  }
}

struct FailCase {
  const char* name;
  const char* doc;
  const char* patch;
  StatusCode code;
  const char* message;  // "" = any
};

TEST(JsonPatchTest, FailuresAreInvalidAndLeaveNoPartialResult) {
  const FailCase cases[] = {
      {"failing test", R"({"spec":{"replicas":1}})",
       R"([{"op":"test","path":"/spec/replicas","value":99}])", StatusCode::kInvalid,
       "testing value /spec/replicas failed: test failed"},
      {"remove missing path", R"({"metadata":{}})",
       R"([{"op":"remove","path":"/metadata/finalizers"}])", StatusCode::kInvalid,
       "remove operation does not apply: doc is missing path: \"/metadata/finalizers\": missing "
       "value"},
      {"replace missing key", R"({})", R"([{"op":"replace","path":"/a","value":1}])",
       StatusCode::kInvalid,
       "replace operation does not apply: doc is missing key: /a: missing value"},
      {"add under missing parent", R"({})", R"([{"op":"add","path":"/a/b","value":1}])",
       StatusCode::kInvalid, ""},
      {"index past the end", R"({"l":[1]})", R"([{"op":"add","path":"/l/5","value":1}])",
       StatusCode::kInvalid, "Unable to access invalid index: 5: invalid index referenced"},
      {"non-numeric index", R"({"l":[1]})", R"([{"op":"remove","path":"/l/x"}])",
       StatusCode::kInvalid, ""},
      {"unknown op", R"({})", R"([{"op":"frobnicate","path":"/a"}])", StatusCode::kInvalid,
       "Unexpected kind: frobnicate"},
      {"missing value", R"({})", R"([{"op":"add","path":"/a"}])", StatusCode::kInvalid, ""},
      {"root path", R"({})", R"([{"op":"add","path":"","value":1}])", StatusCode::kInvalid, ""},
      {"move into own child", R"({"a":{"b":{}}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])",
       StatusCode::kInvalid, ""},
      {"copy from missing", R"({})", R"([{"op":"copy","from":"/x","path":"/y"}])",
       StatusCode::kInvalid, ""},
      {"not an array", R"({})", R"({"op":"replace"})", StatusCode::kBadRequest,
       "error decoding patch: json: cannot unmarshal object into Go value of type "
       "[]handlers.jsonPatchOp"},
      {"operation not an object", R"({})", R"(["add"])", StatusCode::kBadRequest, ""},
  };
  for (const FailCase& c : cases) {
    StatusOr<Json> result = ApplyJsonPatch(J(c.doc), J(c.patch));
    ASSERT_FALSE(result.ok()) << c.name;
    EXPECT_EQ(result.status().code(), c.code) << c.name;
    if (*c.message != '\0') {
      EXPECT_EQ(result.status().message(), c.message) << c.name;
    }
  }
}

TEST(JsonPatchTest, TooManyOperationsAreRefused) {
  Json patch = Json::array();
  for (size_t i = 0; i <= kMaxJsonPatchOperations; ++i) {
    patch.push_back({{"op", "test"}, {"path", "/a"}, {"value", 1}});
  }
  StatusOr<Json> result = ApplyJsonPatch(J(R"({"a":1})"), patch);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kRequestEntityTooLarge);
  EXPECT_EQ(result.status().message(),
            "The allowed maximum operations in a JSON patch is 10000, got 10001");
}

}  // namespace
}  // namespace osbx::kube::patch
