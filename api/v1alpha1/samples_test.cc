// Every example of the README, as committed under config/samples, is accepted by the CRD schema
// and survives the typed codec unchanged.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "api/v1alpha1/batch_sandbox.h"
#include "api/v1alpha1/pool.h"
#include "api/v1alpha1/test_util.h"

namespace osbx::api::v1alpha1 {
namespace {

namespace fs = std::filesystem;
using testing::YamlFileToJson;

std::vector<std::string> SampleFiles() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator("config/samples")) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".yaml" && name != "kustomization.yaml") {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Describe(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.field + ": " + e.message + "\n";
  return out;
}

TEST(SamplesTest, EveryReadmeExampleIsASample) {
  std::set<std::string> names;
  for (const auto& file : SampleFiles()) names.insert(fs::path(file).filename().string());
  for (const char* want :
       {"basic-batch-sandbox.yaml", "pool-example.yaml", "pooled-batch-sandbox.yaml",
        "task-example-pool.yaml", "task-batch-sandbox.yaml"}) {
    EXPECT_TRUE(names.count(want)) << want;
  }
}

TEST(SamplesTest, EverySampleDefaultsValidatesAndRoundTrips) {
  const auto files = SampleFiles();
  ASSERT_GE(files.size(), 5u);
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    Json obj = YamlFileToJson(file);
    ASSERT_TRUE(obj.is_object());
    const std::string kind = obj.value("kind", "");
    if (kind == "BatchSandbox") {
      DefaultBatchSandbox(obj);
      EXPECT_EQ(Describe(ValidateBatchSandbox(obj, nullptr)), "");
      auto typed = DecodeBatchSandbox(obj);
      ASSERT_TRUE(typed.ok()) << typed.status().ToString();
      EXPECT_EQ(Encode(*typed), obj);
    } else if (kind == "Pool") {
      DefaultPool(obj);
      EXPECT_EQ(Describe(ValidatePool(obj, nullptr)), "");
      auto typed = DecodePool(obj);
      ASSERT_TRUE(typed.ok()) << typed.status().ToString();
      EXPECT_EQ(Encode(*typed), obj);
    } else {
      ADD_FAILURE() << "unexpected kind " << kind;
    }
  }
}

TEST(SamplesTest, TaskBatchSampleCarriesOneShardTaskPatchPerReplica) {
  auto bsx = DecodeBatchSandbox(YamlFileToJson("config/samples/task-batch-sandbox.yaml"));
  ASSERT_TRUE(bsx.ok()) << bsx.status().ToString();
  EXPECT_EQ(bsx->spec.shard_task_patches.size(), static_cast<size_t>(bsx->spec.replicas));
  ASSERT_TRUE(bsx->spec.task_template && bsx->spec.task_template->spec &&
              bsx->spec.task_template->spec->process);
  EXPECT_EQ(bsx->spec.task_template->spec->process->command,
            (std::vector<std::string>{"echo", "Default task"}));
}

}  // namespace
}  // namespace osbx::api::v1alpha1
