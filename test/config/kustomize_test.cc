// Renders the kustomize tree with the real kubectl (v1.32, kustomize built in) and checks what a
// cluster would receive from `make deploy`: namespace, CRDs, least-privilege RBAC, the manager.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hack/crdgen/yaml_json.h"
#include "internal/utils/json.h"

namespace osbx {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string out;
};

// Runs a shell command from the repository root and captures its standard output.
CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.out.append(buf.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string Kubectl() {
  const char* k = std::getenv("KUBECTL");
  return k != nullptr ? k : "kubectl";
}

// Splits a multi-document YAML stream into JSON objects.
std::vector<Json> Documents(const std::string& stream) {
  std::vector<Json> out;
  size_t pos = 0;
  while (pos <= stream.size()) {
    size_t end = stream.find("\n---\n", pos);
    const std::string doc = stream.substr(pos, end == std::string::npos ? end : end - pos);
    auto parsed = crdgen::YamlToJson(doc);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    if (parsed.ok() && parsed->is_object()) out.push_back(Json::parse(parsed->dump()));
    if (end == std::string::npos) break;
    pos = end + 5;
  }
  return out;
}

const Json* Find(const std::vector<Json>& docs, const std::string& kind, const std::string& name) {
  for (const auto& d : docs) {
    if (d.value("kind", "") == kind && d["metadata"].value("name", "") == name) return &d;
  }
  return nullptr;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

class KustomizeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    CommandResult r = RunCommand(Kubectl() + " kustomize config/default");
    ASSERT_EQ(r.exit_code, 0) << "`kubectl kustomize config/default` failed; the tests need "
                                 "kubectl v1.32+ on PATH (or KUBECTL=...)";
    docs_ = new std::vector<Json>(Documents(r.out));
  }
  static void TearDownTestSuite() {
    delete docs_;
    docs_ = nullptr;
  }
  const std::vector<Json>& docs() const { return *docs_; }

  // The rules of a (Cluster)Role granting `resource` in `group`, merged into one verb list.
  static std::vector<std::string> Verbs(const Json& role, const std::string& group,
                                        const std::string& resource) {
    std::vector<std::string> verbs;
    for (const auto& rule : role["rules"]) {
      bool group_ok = false, resource_ok = false;
      for (const auto& g : rule["apiGroups"]) group_ok |= g == group;
      for (const auto& r : rule["resources"]) resource_ok |= r == resource;
      if (!group_ok || !resource_ok) continue;
      for (const auto& v : rule["verbs"]) verbs.push_back(v.get<std::string>());
    }
    std::sort(verbs.begin(), verbs.end());
    return verbs;
  }

  static std::vector<Json>* docs_;
};

std::vector<Json>* KustomizeTest::docs_ = nullptr;

using Strings = std::vector<std::string>;

TEST_F(KustomizeTest, RendersTheNamespaceAndPutsEveryNamespacedObjectInIt) {
  ASSERT_NE(Find(docs(), "Namespace", "opensandbox-system"), nullptr);
  for (const auto& d : docs()) {
    const std::string kind = d.value("kind", "");
    if (kind == "Namespace" || kind == "CustomResourceDefinition" || kind == "ClusterRole" ||
        kind == "ClusterRoleBinding") {
      EXPECT_FALSE(d["metadata"].contains("namespace")) << kind;
      continue;
    }
    EXPECT_EQ(d["metadata"].value("namespace", ""), "opensandbox-system") << kind;
    EXPECT_EQ(d["metadata"].value("name", "").rfind("opensandbox-", 0), 0u) << kind;
  }
}

TEST_F(KustomizeTest, RendersBothCrdsExactlyAsGenerated) {
  for (const std::string plural : {"batchsandboxes", "pools"}) {
    const Json* crd = Find(docs(), "CustomResourceDefinition", plural + ".sandbox.opensandbox.io");
    ASSERT_NE(crd, nullptr) << plural;
    auto committed =
        crdgen::YamlToJson(ReadFile("config/crd/bases/sandbox.opensandbox.io_" + plural + ".yaml"));
    ASSERT_TRUE(committed.ok());
    EXPECT_EQ(*crd, Json::parse(committed->dump())) << plural;
  }
}

TEST_F(KustomizeTest, ManagerRoleGrantsWhatTheControllersUseAndNoMore) {
  const Json* role = Find(docs(), "ClusterRole", "opensandbox-manager-role");
  ASSERT_NE(role, nullptr);
  // The exact verbs are checked against the controllers' recorded requests in test/rbac; this
  // checks that kustomize renders them.
  EXPECT_EQ(Verbs(*role, "", "pods"), (Strings{"create", "delete", "list", "watch"}));
  EXPECT_TRUE(Verbs(*role, "", "pods/status").empty());
  EXPECT_EQ(Verbs(*role, "", "events"), (Strings{"create", "patch"}));
  EXPECT_EQ(Verbs(*role, "sandbox.opensandbox.io", "batchsandboxes"),
            (Strings{"delete", "list", "patch", "watch"}));
  EXPECT_EQ(Verbs(*role, "sandbox.opensandbox.io", "pools"), (Strings{"list", "patch", "watch"}));
  for (const std::string sub : {"batchsandboxes/status", "pools/status"}) {
    EXPECT_EQ(Verbs(*role, "sandbox.opensandbox.io", sub), (Strings{"patch"}));
  }
  for (const std::string sub : {"batchsandboxes/finalizers", "pools/finalizers"}) {
    EXPECT_EQ(Verbs(*role, "sandbox.opensandbox.io", sub), (Strings{"update"}));
  }
  EXPECT_TRUE(Verbs(*role, "", "secrets").empty());
  EXPECT_TRUE(Verbs(*role, "", "pods/exec").empty());
  for (const auto& rule : (*role)["rules"]) {
    for (const auto& v : rule["verbs"]) EXPECT_NE(v, "*");
    for (const auto& r : rule["resources"]) EXPECT_NE(r, "*");
  }
}

TEST_F(KustomizeTest, BindingsGrantTheRolesToTheManagerServiceAccount) {
  ASSERT_NE(Find(docs(), "ServiceAccount", "opensandbox-controller-manager"), nullptr);
  const Json subject = {{"kind", "ServiceAccount"},
                        {"name", "opensandbox-controller-manager"},
                        {"namespace", "opensandbox-system"}};
  const Json* crb = Find(docs(), "ClusterRoleBinding", "opensandbox-manager-rolebinding");
  ASSERT_NE(crb, nullptr);
  EXPECT_EQ((*crb)["roleRef"]["name"], "opensandbox-manager-role");
  EXPECT_EQ((*crb)["subjects"], Json::array({subject}));
  const Json* rb = Find(docs(), "RoleBinding", "opensandbox-leader-election-rolebinding");
  ASSERT_NE(rb, nullptr);
  EXPECT_EQ((*rb)["roleRef"]["name"], "opensandbox-leader-election-role");
  EXPECT_EQ((*rb)["subjects"], Json::array({subject}));
  const Json* le = Find(docs(), "Role", "opensandbox-leader-election-role");
  ASSERT_NE(le, nullptr);
  EXPECT_EQ(Verbs(*le, "coordination.k8s.io", "leases"), (Strings{"create", "get", "update"}));
}

TEST_F(KustomizeTest, ManagerDeploymentRunsTheControllerHardened) {
  const Json* dep = Find(docs(), "Deployment", "opensandbox-controller-manager");
  ASSERT_NE(dep, nullptr);
  const Json& pod = (*dep)["spec"]["template"]["spec"];
  EXPECT_EQ(pod["serviceAccountName"], "opensandbox-controller-manager");
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  ASSERT_EQ(pod["containers"].size(), 1u);
  const Json& c = pod["containers"][0];
  EXPECT_EQ(c["image"], "controller:latest");
  EXPECT_EQ(c["command"], Json::array({"/opensandbox-controller"}));
  EXPECT_EQ(c["args"], Json::array({"--leader-elect", "--health-probe-bind-address=:8081",
                                    "--metrics-bind-address=:8080"}));
  EXPECT_EQ(c["livenessProbe"]["httpGet"], Json::parse(R"({"path": "/healthz", "port": 8081})"));
  EXPECT_EQ(c["readinessProbe"]["httpGet"], Json::parse(R"({"path": "/readyz", "port": 8081})"));
  EXPECT_EQ(c["securityContext"]["capabilities"]["drop"], Json::array({"ALL"}));
  EXPECT_EQ(c["securityContext"]["allowPrivilegeEscalation"], false);
  EXPECT_TRUE(c["resources"]["limits"].contains("memory"));
  EXPECT_EQ(c["env"][0]["name"], "TASK_EXECUTOR_IMAGE");
}

TEST(DeployScriptTest, SubstitutesBothImagesWithoutTouchingConfig) {
  const std::string before = ReadFile("config/manager/manager.yaml");
  CommandResult r =
      RunCommand("KUBECTL=" + Kubectl() +
                 " hack/deploy.sh reg.example:5000/ctl:v1.2 reg.example/te@sha256:0123");
  ASSERT_EQ(r.exit_code, 0);
  const auto docs = Documents(r.out);
  const Json* dep = Find(docs, "Deployment", "opensandbox-controller-manager");
  ASSERT_NE(dep, nullptr);
  const Json& c = (*dep)["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["image"], "reg.example:5000/ctl:v1.2");
  ASSERT_EQ(c["env"].size(), 1u);
  EXPECT_EQ(c["env"][0], Json::parse(R"({"name": "TASK_EXECUTOR_IMAGE",
                                         "value": "reg.example/te@sha256:0123"})"));
  EXPECT_NE(Find(docs, "CustomResourceDefinition", "pools.sandbox.opensandbox.io"), nullptr);
  EXPECT_EQ(ReadFile("config/manager/manager.yaml"), before);
}

TEST(DeployScriptTest, RejectsSomethingThatIsNotAnImageReference) {
  EXPECT_NE(RunCommand("hack/deploy.sh 'bad image' x 2>/dev/null").exit_code, 0);
  EXPECT_NE(RunCommand("hack/deploy.sh only-one 2>/dev/null").exit_code, 0);
}

TEST(SamplesKustomizationTest, RendersEveryReadmeExample) {
  CommandResult r = RunCommand(Kubectl() + " kustomize config/samples");
  ASSERT_EQ(r.exit_code, 0);
  const auto docs = Documents(r.out);
  EXPECT_NE(Find(docs, "BatchSandbox", "basic-batch-sandbox"), nullptr);
  EXPECT_NE(Find(docs, "BatchSandbox", "pooled-batch-sandbox"), nullptr);
  EXPECT_NE(Find(docs, "BatchSandbox", "task-batch-sandbox"), nullptr);
  EXPECT_NE(Find(docs, "Pool", "example-pool"), nullptr);
  EXPECT_NE(Find(docs, "Pool", "task-example-pool"), nullptr);
}

}  // namespace
}  // namespace osbx
