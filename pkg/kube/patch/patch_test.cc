#include "pkg/kube/patch/patch.h"

#include <gtest/gtest.h>

namespace osbx::kube::patch {
namespace {

TEST(PatchTest, ContentTypesRoundTrip) {
  for (PatchType type : {PatchType::kJsonPatch, PatchType::kMergePatch,
                         PatchType::kStrategicMergePatch, PatchType::kApplyPatch}) {
    EXPECT_EQ(PatchTypeFromContentType(ContentTypeOf(type)), type);
  }
  EXPECT_EQ(PatchTypeFromContentType("Application/Merge-Patch+JSON; charset=utf-8"),
            PatchType::kMergePatch);
  EXPECT_EQ(PatchTypeFromContentType("application/json"), std::nullopt);
  EXPECT_EQ(PatchTypeFromContentType(""), std::nullopt);
}

TEST(PatchTest, AppliesEachTypeFromItsBody) {
  Json pod = Json::parse(R"({"metadata":{"labels":{"a":"1"}},
      "spec":{"containers":[{"name":"main","image":"x"}]}})");
  StatusOr<Json> merged =
      ApplyPatchBody(PatchType::kMergePatch, pod, R"({"metadata":{"labels":{"a":null}}})", nullptr);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ((*merged)["metadata"]["labels"], Json::object());

  StatusOr<Json> json_patched = ApplyPatchBody(
      PatchType::kJsonPatch, pod,
      R"([{"op":"replace","path":"/spec/containers/0/image","value":"y"}])", nullptr);
  ASSERT_TRUE(json_patched.ok());
  EXPECT_EQ((*json_patched)["spec"]["containers"][0]["image"], "y");

  StatusOr<Json> strategic =
      ApplyPatchBody(PatchType::kStrategicMergePatch, pod,
                     R"({"spec":{"containers":[{"name":"side","image":"z"}]}})", &PodSchema());
  ASSERT_TRUE(strategic.ok());
  EXPECT_EQ((*strategic)["spec"]["containers"].size(), 2u);
}

TEST(PatchTest, ErrorsCarryTheApiServerCodes) {
  Json obj = Json::parse(R"({"spec":{"replicas":1}})");
  StatusOr<Json> bad_json = ApplyPatchBody(PatchType::kMergePatch, obj, R"({"spec":)", nullptr);
  EXPECT_EQ(bad_json.status().code(), StatusCode::kBadRequest);
  StatusOr<Json> failed_test = ApplyPatchBody(
      PatchType::kJsonPatch, obj, R"([{"op":"test","path":"/spec/replicas","value":99}])", nullptr);
  EXPECT_EQ(failed_test.status().code(), StatusCode::kInvalid);
  StatusOr<Json> strategic_on_cr =
      ApplyPatchBody(PatchType::kStrategicMergePatch, obj, R"({"spec":{}})", nullptr);
  EXPECT_EQ(strategic_on_cr.status().code(), StatusCode::kUnsupportedMediaType);
  EXPECT_EQ(strategic_on_cr.status().message(), kCustomResourcePatchTypesMessage);
  EXPECT_EQ(ApplyPatchBody(PatchType::kApplyPatch, obj, "{}", nullptr).status().code(),
            StatusCode::kUnsupportedMediaType);
}

}  // namespace
}  // namespace osbx::kube::patch
