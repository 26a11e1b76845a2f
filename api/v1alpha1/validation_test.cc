// The rules the CRD enforces, with the messages users see from `kubectl apply`.
#include <gtest/gtest.h>

#include "api/v1alpha1/batch_sandbox.h"
#include "api/v1alpha1/pool.h"

namespace osbx::api::v1alpha1 {
namespace {

Json Batch(const char* spec) {
  Json obj = {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
              {"kind", "BatchSandbox"},
              {"metadata", {{"name", "b"}, {"namespace", "ns"}}}};
  obj["spec"] = Json::parse(spec);
  DefaultBatchSandbox(obj);
  return obj;
}

Json PoolWith(const char* spec) {
  Json obj = {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
              {"kind", "Pool"},
              {"metadata", {{"name", "p"}, {"namespace", "ns"}}}};
  obj["spec"] = Json::parse(spec);
  DefaultPool(obj);
  return obj;
}

// "field: message" lines, one per error.
std::vector<std::string> Lines(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field + ": " + e.message);
  return out;
}

// True when some error is on `field` and its message contains `text`.
bool HasError(const std::vector<FieldError>& errors, const std::string& field,
              const std::string& text) {
  for (const auto& e : errors) {
    if (e.field == field && e.message.find(text) != std::string::npos) return true;
  }
  return false;
}

#define EXPECT_ERROR(errors, field, text)    \
  EXPECT_TRUE(HasError(errors, field, text)) \
      << "want " << field << ": ..." << text \
      << "...\n got: " << ::testing::PrintToString(Lines(errors))

TEST(BatchSandboxDefaultsTest, ReplicasAndTaskPolicyAreDefaulted) {
  Json obj = Batch(R"({"poolRef": "p"})");
  EXPECT_EQ(obj["spec"]["replicas"], 1);
  EXPECT_EQ(obj["spec"]["taskResourcePolicyWhenCompleted"], "Retain");
  EXPECT_TRUE(ValidateBatchSandbox(obj, nullptr).empty())
      << ::testing::PrintToString(Lines(ValidateBatchSandbox(obj, nullptr)));
}

TEST(BatchSandboxValidationTest, NegativeReplicasViolateTheMinimum) {
  auto errors = ValidateBatchSandbox(Batch(R"({"replicas": -1, "poolRef": "p"})"), nullptr);
  EXPECT_ERROR(errors, "spec.replicas", "should be greater than or equal to 0");
}

TEST(BatchSandboxValidationTest, UnknownTaskPolicyIsNotSupported) {
  auto errors = ValidateBatchSandbox(
      Batch(R"({"poolRef": "p", "taskResourcePolicyWhenCompleted": "Keep"})"), nullptr);
  EXPECT_ERROR(errors, "spec.taskResourcePolicyWhenCompleted", "Unsupported value: \"Keep\"");
}

TEST(BatchSandboxValidationTest, ExpireTimeMustBeADateTime) {
  auto errors =
      ValidateBatchSandbox(Batch(R"({"poolRef": "p", "expireTime": "tomorrow"})"), nullptr);
  EXPECT_ERROR(errors, "spec.expireTime", "date-time");
}

TEST(BatchSandboxValidationTest, NeitherPoolRefNorTemplateIsRejected) {
  auto errors = ValidateBatchSandbox(Batch(R"({"replicas": 1})"), nullptr);
  EXPECT_ERROR(errors, "spec", "either poolRef or template must be set");
  errors = ValidateBatchSandbox(Batch(R"({"replicas": 1, "poolRef": ""})"), nullptr);
  EXPECT_ERROR(errors, "spec", "either poolRef or template must be set");
  EXPECT_TRUE(ValidateBatchSandbox(Batch(R"({"template": {"spec": {}}})"), nullptr).empty());
}

TEST(BatchSandboxValidationTest, MoreShardTaskPatchesThanReplicasIsRejected) {
  const char* spec = R"({"replicas": 1, "poolRef": "p",
    "taskTemplate": {"spec": {"process": {"command": ["true"]}}},
    "shardTaskPatches": [{"spec": {}}, {"spec": {}}]})";
  auto errors = ValidateBatchSandbox(Batch(spec), nullptr);
  EXPECT_ERROR(errors, "spec", "shardTaskPatches must not have more entries than replicas");
}

TEST(BatchSandboxValidationTest, ProcessTaskNeedsACommand) {
  auto errors = ValidateBatchSandbox(
      Batch(R"({"poolRef": "p", "taskTemplate": {"spec": {"process": {"args": ["x"]}}}})"),
      nullptr);
  EXPECT_ERROR(errors, "spec.taskTemplate.spec.process.command", "Required value");
}

TEST(BatchSandboxValidationTest, ConditionStatusIsAnEnum) {
  Json obj = Batch(R"({"poolRef": "p"})");
  obj["status"] = Json::parse(R"({"replicas": 0, "allocated": 0, "ready": 0, "taskRunning": 0,
    "taskSucceed": 0, "taskFailed": 0, "taskUnknown": 0, "taskPending": 0, "phase": "Pending",
    "conditions": [{"type": "Ready", "status": "Maybe"}]})");
  auto errors = ValidateBatchSandbox(obj, nullptr);
  EXPECT_ERROR(errors, "status.conditions[0].status", "Unsupported value: \"Maybe\"");
  obj["status"]["conditions"][0]["status"] = "True";
  obj["status"]["phase"] = "Exploded";
  errors = ValidateBatchSandbox(obj, nullptr);
  EXPECT_ERROR(errors, "status.phase", "Unsupported value: \"Exploded\"");
}

TEST(BatchSandboxValidationTest, PoolRefIsImmutableOnceSet) {
  const Json old = Batch(R"({"poolRef": "a"})");
  auto errors = ValidateBatchSandbox(Batch(R"({"poolRef": "b"})"), &old);
  EXPECT_ERROR(errors, "spec", "poolRef is immutable once set");
  errors = ValidateBatchSandbox(Batch(R"({"template": {}})"), &old);
  EXPECT_ERROR(errors, "spec", "poolRef is immutable once set");
  EXPECT_TRUE(ValidateBatchSandbox(Batch(R"({"poolRef": "a", "replicas": 5})"), &old).empty());
}

TEST(BatchSandboxValidationTest, PoolRefMaySetOnceFromEmptyOrAutoAssign) {
  const Json unset = Batch(R"({"template": {}})");
  EXPECT_TRUE(ValidateBatchSandbox(Batch(R"({"template": {}, "poolRef": "a"})"), &unset).empty());
  const Json star = Batch(R"({"poolRef": "*"})");
  EXPECT_TRUE(ValidateBatchSandbox(Batch(R"({"poolRef": "chosen"})"), &star).empty());
}

TEST(PoolDefaultsTest, StrategiesAreDefaultedWhenPresent) {
  Json obj = PoolWith(R"({"capacitySpec": {"bufferMax": 1, "bufferMin": 0, "poolMax": 1,
    "poolMin": 0}, "scaleStrategy": {}, "updateStrategy": {}, "recycleStrategy": {}})");
  EXPECT_EQ(obj["spec"]["scaleStrategy"]["maxUnavailable"], "25%");
  EXPECT_EQ(obj["spec"]["updateStrategy"]["maxUnavailable"], "25%");
  EXPECT_EQ(obj["spec"]["recycleStrategy"]["type"], "Delete");
  EXPECT_TRUE(ValidatePool(obj, nullptr).empty())
      << ::testing::PrintToString(Lines(ValidatePool(obj, nullptr)));
}

TEST(PoolValidationTest, CapacitySpecIsRequiredWithEveryBound) {
  auto errors = ValidatePool(PoolWith(R"({"template": {}})"), nullptr);
  EXPECT_ERROR(errors, "spec.capacitySpec", "Required value");
  errors = ValidatePool(PoolWith(R"({"capacitySpec": {"bufferMax": 1, "bufferMin": 0}})"), nullptr);
  EXPECT_ERROR(errors, "spec.capacitySpec.poolMax", "Required value");
  EXPECT_ERROR(errors, "spec.capacitySpec.poolMin", "Required value");
}

TEST(PoolValidationTest, NegativeBoundsViolateTheMinimum) {
  auto errors = ValidatePool(PoolWith(R"({"capacitySpec": {"bufferMax": 1, "bufferMin": -1,
    "poolMax": 1, "poolMin": 0}})"),
                             nullptr);
  EXPECT_ERROR(errors, "spec.capacitySpec.bufferMin", "should be greater than or equal to 0");
}

TEST(PoolValidationTest, BufferMinAboveBufferMaxIsRejected) {
  auto errors = ValidatePool(PoolWith(R"({"capacitySpec": {"bufferMax": 1, "bufferMin": 2,
    "poolMax": 5, "poolMin": 0}})"),
                             nullptr);
  EXPECT_ERROR(errors, "spec.capacitySpec", "bufferMin must be less than or equal to bufferMax");
}

TEST(PoolValidationTest, PoolMinAbovePoolMaxIsRejected) {
  auto errors = ValidatePool(PoolWith(R"({"capacitySpec": {"bufferMax": 1, "bufferMin": 0,
    "poolMax": 2, "poolMin": 3}})"),
                             nullptr);
  EXPECT_ERROR(errors, "spec.capacitySpec", "poolMin must be less than or equal to poolMax");
}

TEST(PoolValidationTest, UnknownRecycleStrategyIsNotSupported) {
  auto errors = ValidatePool(PoolWith(R"({"capacitySpec": {"bufferMax": 0, "bufferMin": 0,
    "poolMax": 0, "poolMin": 0}, "recycleStrategy": {"type": "Reuse"}})"),
                             nullptr);
  EXPECT_ERROR(errors, "spec.recycleStrategy.type", "Unsupported value: \"Reuse\"");
}

TEST(PoolValidationTest, MaxUnavailableAcceptsIntegersAndPercentages) {
  Json obj = PoolWith(R"({"capacitySpec": {"bufferMax": 0, "bufferMin": 0, "poolMax": 0,
    "poolMin": 0}, "scaleStrategy": {"maxUnavailable": 3},
    "updateStrategy": {"maxUnavailable": "50%"}})");
  EXPECT_TRUE(ValidatePool(obj, nullptr).empty())
      << ::testing::PrintToString(Lines(ValidatePool(obj, nullptr)));
}

TEST(InvalidStatusTest, ReadsLikeTheApiServer) {
  auto errors = ValidateBatchSandbox(Batch(R"({"replicas": -1, "poolRef": "p"})"), nullptr);
  Status status = kube::schema::InvalidStatus(kBatchSandboxKind, kGroup, "b", errors);
  EXPECT_TRUE(status.IsInvalid());
  EXPECT_NE(status.message().find("BatchSandbox.sandbox.opensandbox.io \"b\" is invalid"),
            std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace osbx::api::v1alpha1
