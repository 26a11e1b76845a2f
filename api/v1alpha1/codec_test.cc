#include "api/v1alpha1/codec.h"

#include <gtest/gtest.h>

#include "api/v1alpha1/batch_sandbox.h"
#include "api/v1alpha1/pool.h"

namespace osbx::api::v1alpha1 {
namespace {

Json MinimalBatch() {
  return Json::parse(R"({"apiVersion": "sandbox.opensandbox.io/v1alpha1", "kind": "BatchSandbox",
    "metadata": {"name": "b", "namespace": "ns"}, "spec": {"replicas": 2, "poolRef": "p"}})");
}

TEST(IntOrStringTest, ScalesPercentagesAndKeepsIntegers) {
  EXPECT_EQ(*IntOrString::FromString("25%").Scaled(2, /*round_up=*/true), 1);
  EXPECT_EQ(*IntOrString::FromString("25%").Scaled(2, /*round_up=*/false), 0);
  EXPECT_EQ(*IntOrString::FromString("100%").Scaled(7, true), 7);
  EXPECT_EQ(*IntOrString::FromInt(3).Scaled(100, true), 3);
  EXPECT_FALSE(IntOrString::FromString("abc").Scaled(10, true).ok());
  EXPECT_FALSE(IntOrString::FromString("%").Scaled(10, true).ok());
  EXPECT_FALSE(IntOrString::FromInt(-1).Scaled(10, true).ok());
}

TEST(IntOrStringTest, RoundTripsBothForms) {
  IntOrString v;
  ASSERT_TRUE(DecodeJson(Json(5), "x", &v).ok());
  EXPECT_TRUE(v.is_int());
  EXPECT_EQ(EncodeJson(v), Json(5));
  ASSERT_TRUE(DecodeJson(Json("30%"), "x", &v).ok());
  EXPECT_FALSE(v.is_int());
  EXPECT_EQ(EncodeJson(v), Json("30%"));
  EXPECT_FALSE(DecodeJson(Json(true), "x", &v).ok());
}

TEST(CodecTest, DecodesTypedFieldsOfABatchSandbox) {
  auto bsx = DecodeBatchSandbox(MinimalBatch());
  ASSERT_TRUE(bsx.ok()) << bsx.status().ToString();
  EXPECT_EQ(bsx->spec.replicas, 2);
  EXPECT_EQ(bsx->spec.pool_ref, "p");
  EXPECT_EQ(bsx->spec.task_resource_policy_when_completed, kTaskResourcePolicyRetain);
  EXPECT_EQ(bsx->metadata["name"], "b");
  EXPECT_FALSE(bsx->status.has_value());
}

TEST(CodecTest, WrongTypeIsInvalidAndNamesTheField) {
  Json obj = MinimalBatch();
  obj["spec"]["replicas"] = "two";
  auto bsx = DecodeBatchSandbox(obj);
  ASSERT_FALSE(bsx.ok());
  EXPECT_TRUE(bsx.status().IsInvalid());
  EXPECT_NE(bsx.status().message().find("spec.replicas"), std::string::npos)
      << bsx.status().message();
}

TEST(CodecTest, OutOfRangeInt32IsInvalid) {
  Json obj = MinimalBatch();
  obj["spec"]["replicas"] = 1LL << 40;
  EXPECT_FALSE(DecodeBatchSandbox(obj).ok());
}

TEST(CodecTest, MissingRequiredFieldIsInvalidAndNamesTheField) {
  Json pool = Json::parse(R"({"metadata": {"name": "p"}, "spec": {"template": {}}})");
  auto decoded = DecodePool(pool);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("spec.capacitySpec: Required value"), std::string::npos)
      << decoded.status().message();
}

TEST(CodecTest, NullReadsAsAbsent) {
  Json obj = MinimalBatch();
  obj["spec"]["expireTime"] = nullptr;
  auto bsx = DecodeBatchSandbox(obj);
  ASSERT_TRUE(bsx.ok()) << bsx.status().ToString();
  EXPECT_FALSE(bsx->spec.expire_time.has_value());
}

TEST(CodecTest, UnknownFieldsInsideTemplateAndTaskTemplateSurviveRoundTrip) {
  Json obj = MinimalBatch();
  obj["spec"]["template"] = Json::parse(R"({"metadata": {"labels": {"a": "b"}},
    "spec": {"futureField": {"x": [1, 2]}, "containers": [{"name": "c", "image": "i"}]}})");
  obj["spec"]["taskTemplate"] = Json::parse(R"({"metadata": {"name": "t"}, "extra": null,
    "spec": {"newKnob": 3, "timeoutSeconds": 60,
      "process": {"command": ["sh"], "rlimit": {"nofile": 10},
                  "env": [{"name": "A", "value": "1", "valueFrom": {"fieldRef": {"x": 1}}}]}}})");
  obj["spec"]["shardPatches"] = Json::parse(R"([{"spec": {"anything": true}}])");
  obj["spec"]["shardTaskPatches"] = Json::parse(R"([{"spec": {"process": {"args": ["x"]}}}])");
  auto bsx = DecodeBatchSandbox(obj);
  ASSERT_TRUE(bsx.ok()) << bsx.status().ToString();
  ASSERT_TRUE(bsx->spec.task_template && bsx->spec.task_template->spec);
  EXPECT_EQ(bsx->spec.task_template->spec->timeout_seconds, 60);
  EXPECT_EQ(bsx->spec.task_template->spec->process->command, std::vector<std::string>{"sh"});
  Json expected = obj;
  expected["spec"]["taskResourcePolicyWhenCompleted"] = "Retain";  // a defaulted field
  EXPECT_EQ(Encode(*bsx), expected);
}

TEST(CodecTest, EncodeFillsApiVersionAndKind) {
  Pool pool;
  pool.metadata = {{"name", "p"}};
  pool.spec.capacity_spec.pool_max = 3;
  Json out = Encode(pool);
  EXPECT_EQ(out["apiVersion"], "sandbox.opensandbox.io/v1alpha1");
  EXPECT_EQ(out["kind"], "Pool");
  EXPECT_EQ(out["spec"]["capacitySpec"]["poolMax"], 3);
  EXPECT_FALSE(out.contains("status"));
}

TEST(CodecTest, StatusCountersAreAlwaysWrittenAndConditionsOnlyWhenPresent) {
  BatchSandboxStatus status;
  status.ready = 2;
  Json out = EncodeJson(status);
  EXPECT_EQ(out["ready"], 2);
  EXPECT_EQ(out["taskPending"], 0);
  EXPECT_FALSE(out.contains("conditions"));
  status.conditions.push_back(Condition{.type = "Ready",
                                        .status = std::string(kConditionStatusTrue),
                                        .reason = "PodsReady",
                                        .message = {},
                                        .last_transition_time = {},
                                        .observed_generation = 4});
  out = EncodeJson(status);
  EXPECT_EQ(
      out["conditions"][0],
      Json::parse(
          R"({"type": "Ready", "status": "True", "reason": "PodsReady", "observedGeneration": 4})"));
}

}  // namespace
}  // namespace osbx::api::v1alpha1
