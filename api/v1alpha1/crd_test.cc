// The committed CRDs are exactly what the generator produces from schema.yaml, and they carry the
// names, printer columns and subresources kubectl users see.
#include <gtest/gtest.h>

#include <stdlib.h>  // mkdtemp

#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

#include "api/v1alpha1/crds_generated.h"
#include "api/v1alpha1/test_util.h"

namespace osbx::api::v1alpha1 {
namespace {

namespace fs = std::filesystem;
using testing::ReadRepoFile;
using testing::YamlFileToJson;

constexpr const char* kBatchFile = "config/crd/bases/sandbox.opensandbox.io_batchsandboxes.yaml";
constexpr const char* kPoolFile = "config/crd/bases/sandbox.opensandbox.io_pools.yaml";

// "line N: generated `a`, committed `b`" for the first line where the texts differ.
std::string FirstDifference(const std::string& generated, const std::string& committed) {
  std::istringstream a(generated), b(committed);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "none";
    if (!more_a || !more_b || la != lb) {
      return "line " + std::to_string(line) + ": generated `" + (more_a ? la : "<eof>") +
             "`, committed `" + (more_b ? lb : "<eof>") + "`";
    }
  }
}

TEST(CrdDriftTest, CommittedCrdsAreByteForByteTheGeneratorOutput) {
  const char* build_dir = std::getenv("OSBX_BUILD_DIR");
  ASSERT_NE(build_dir, nullptr) << "run through ctest, or set OSBX_BUILD_DIR";
  std::string tmpl = (fs::temp_directory_path() / "crdgen-drift-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const fs::path out = tmpl;
  const std::string cmd = std::string(build_dir) +
                          "/bin/crdgen --schema api/v1alpha1/schema.yaml --out " + out.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::set<std::string> generated;
  for (const auto& entry : fs::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    generated.insert(name);
    const std::string want = ReadRepoFile(entry.path().string());
    const std::string got = ReadRepoFile("config/crd/bases/" + name);
    EXPECT_TRUE(want == got) << "config/crd/bases/" << name
                             << " differs from what api/v1alpha1/schema.yaml generates (run "
                                "`make manifests`); first difference: "
                             << FirstDifference(want, got);
  }
  std::set<std::string> committed;
  for (const auto& entry : fs::directory_iterator("config/crd/bases")) {
    committed.insert(entry.path().filename().string());
  }
  EXPECT_EQ(generated, committed) << "config/crd/bases holds files the generator does not make";
  fs::remove_all(out);
}

TEST(CrdDriftTest, EmbeddedCrdsEqualTheCommittedFiles) {
  EXPECT_EQ(Json::parse(BatchSandboxCrdJson()), YamlFileToJson(kBatchFile));
  EXPECT_EQ(Json::parse(PoolCrdJson()), YamlFileToJson(kPoolFile));
}

TEST(CrdTest, GeneratorAnnotationsNeverReachTheCrds) {
  EXPECT_EQ(ReadRepoFile(kBatchFile).find("x-cpp-"), std::string::npos);
  EXPECT_EQ(ReadRepoFile(kPoolFile).find("x-cpp-"), std::string::npos);
}

struct Column {
  std::string name;
  std::string type;
  std::string json_path;
  int priority;
};

std::vector<Column> Columns(const Json& crd) {
  std::vector<Column> out;
  for (const auto& c : crd["spec"]["versions"][0]["additionalPrinterColumns"]) {
    out.push_back({c.value("name", ""), c.value("type", ""), c.value("jsonPath", ""),
                   c.value("priority", 0)});
    EXPECT_TRUE(c.value("name", "") == "AGE" || !c.value("description", "").empty()) << c.dump();
  }
  return out;
}

void ExpectColumns(const std::vector<Column>& got, const std::vector<Column>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].name, want[i].name) << i;
    EXPECT_EQ(got[i].type, want[i].type) << want[i].name;
    EXPECT_EQ(got[i].json_path, want[i].json_path) << want[i].name;
    EXPECT_EQ(got[i].priority, want[i].priority) << want[i].name;
  }
}

TEST(CrdTest, BatchSandboxPrinterColumnsMatchKubectlOutput) {
  ExpectColumns(Columns(YamlFileToJson(kBatchFile)),
                {{"DESIRED", "integer", ".spec.replicas", 0},
                 {"TOTAL", "integer", ".status.replicas", 0},
                 {"ALLOCATED", "integer", ".status.allocated", 0},
                 {"READY", "integer", ".status.ready", 0},
                 {"TASK_RUNNING", "integer", ".status.taskRunning", 1},
                 {"TASK_SUCCEED", "integer", ".status.taskSucceed", 1},
                 {"TASK_FAILED", "integer", ".status.taskFailed", 1},
                 {"TASK_UNKNOWN", "integer", ".status.taskUnknown", 1},
                 {"EXPIRE", "string", ".spec.expireTime", 0},
                 {"AGE", "date", ".metadata.creationTimestamp", 0}});
}

TEST(CrdTest, PoolPrinterColumnsMatchKubectlOutput) {
  ExpectColumns(Columns(YamlFileToJson(kPoolFile)),
                {{"TOTAL", "integer", ".status.total", 0},
                 {"ALLOCATED", "integer", ".status.allocated", 0},
                 {"AVAILABLE", "integer", ".status.available", 0},
                 {"UPDATED", "integer", ".status.updated", 0},
                 {"AGE", "date", ".metadata.creationTimestamp", 0}});
}

TEST(CrdTest, NamesScopeAndSubresources) {
  const Json batch = YamlFileToJson(kBatchFile);
  EXPECT_EQ(batch["metadata"]["name"], "batchsandboxes.sandbox.opensandbox.io");
  EXPECT_EQ(batch["spec"]["names"]["shortNames"], Json::array({"bsbx"}));
  EXPECT_EQ(batch["spec"]["names"]["singular"], "batchsandbox");
  EXPECT_EQ(batch["spec"]["names"]["listKind"], "BatchSandboxList");
  EXPECT_EQ(batch["spec"]["scope"], "Namespaced");
  EXPECT_EQ(batch["spec"]["versions"][0]["subresources"], Json::parse(R"({"status": {}})"));
  EXPECT_EQ(batch["spec"]["versions"][0]["name"], "v1alpha1");
  EXPECT_TRUE(batch["spec"]["versions"][0]["served"].get<bool>());
  EXPECT_TRUE(batch["spec"]["versions"][0]["storage"].get<bool>());

  const Json pool = YamlFileToJson(kPoolFile);
  EXPECT_EQ(pool["metadata"]["name"], "pools.sandbox.opensandbox.io");
  EXPECT_FALSE(pool["spec"]["names"].contains("shortNames"));
  EXPECT_EQ(pool["spec"]["scope"], "Namespaced");
  EXPECT_EQ(pool["spec"]["versions"][0]["subresources"], Json::parse(R"({"status": {}})"));
}

}  // namespace
}  // namespace osbx::api::v1alpha1
