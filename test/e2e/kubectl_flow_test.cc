// End-to-end tests: the real opensandbox-apiserver binary driven by the real kubectl, through
// every command of the seed README and the API semantics controllers depend on.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "test/e2e/e2e_util.h"

namespace osbx::e2e {
namespace {

using ::testing::HasSubstr;

// Polls `check` until it holds or `limit` passes (a bound on waiting for background work of
// the server, e.g. garbage collection; never a stand-in for synchronisation).
template <typename F>
bool Eventually(F check, std::chrono::seconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return check();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

class KubectlE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ApiServerProcess>(dir_.path() + "/data");
    ASSERT_TRUE(server_->Start()) << "the API server did not start";
  }
  // A server that died fails the test; any failure keeps the server's log (see KeptLogDir()).
  void TearDown() override { CheckServerAfterTest(*server_); }
  CommandResult Kubectl(const std::string& args) { return server_->Kubectl(args); }
  void ExpectOk(const CommandResult& r) {
    EXPECT_EQ(r.exit_code, 0) << "stdout: " << r.out << "\nstderr: " << r.err;
  }

  TempDir dir_;
  std::unique_ptr<ApiServerProcess> server_;
};

TEST_F(KubectlE2eTest, ReadmeFlowWorksWithRealKubectl) {
  for (const char* sample : {"basic-batch-sandbox", "pool-example", "pooled-batch-sandbox",
                             "task-example-pool", "task-batch-sandbox"}) {
    CommandResult r = Kubectl(std::string("apply -f config/samples/") + sample + ".yaml");
    ExpectOk(r);
    EXPECT_THAT(r.out, HasSubstr("created")) << sample;
  }
  CommandResult wide = Kubectl("get batchsandbox basic-batch-sandbox -o wide");
  ExpectOk(wide);
  EXPECT_THAT(wide.out, HasSubstr("TASK_RUNNING"));
  EXPECT_THAT(wide.out, HasSubstr("basic-batch-sandbox   2"));
  CommandResult pools = Kubectl("get pools");
  ExpectOk(pools);
  EXPECT_THAT(pools.out, HasSubstr("NAME                TOTAL   ALLOCATED   AVAILABLE"));
  EXPECT_THAT(pools.out, HasSubstr("example-pool"));
  CommandResult all = Kubectl("get batchsandboxes");
  ExpectOk(all);
  EXPECT_THAT(all.out, HasSubstr("pooled-batch-sandbox"));
  EXPECT_THAT(all.out, HasSubstr("task-batch-sandbox"));
  EXPECT_THAT(all.out, ::testing::Not(HasSubstr("TASK_RUNNING")));
  CommandResult pool = Kubectl("describe pool example-pool");
  ExpectOk(pool);
  EXPECT_THAT(pool.out, HasSubstr("Buffer Max:  10"));
  CommandResult bsbx = Kubectl("describe batchsandbox task-batch-sandbox");
  ExpectOk(bsbx);
  EXPECT_THAT(bsbx.out, HasSubstr("Replicas:"));
  EXPECT_THAT(bsbx.out, HasSubstr("Events:"));
  ExpectOk(
      Kubectl("annotate batchsandbox basic-batch-sandbox "
              "'sandbox.opensandbox.io/endpoints=[\"10.88.0.7\",\"10.88.0.8\"]'"));
  CommandResult endpoints = Kubectl(
      "get batchsandbox basic-batch-sandbox -o "
      "jsonpath='{.metadata.annotations.sandbox\\.opensandbox\\.io/endpoints}'");
  ExpectOk(endpoints);
  EXPECT_EQ(endpoints.out, "[\"10.88.0.7\",\"10.88.0.8\"]");
  CommandResult deleted = Kubectl("delete batchsandbox task-batch-sandbox");
  ExpectOk(deleted);
  EXPECT_THAT(deleted.out, HasSubstr("\"task-batch-sandbox\" deleted"));
  CommandResult gone = Kubectl("get batchsandbox task-batch-sandbox");
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_THAT(gone.err, HasSubstr("NotFound"));
}

TEST_F(KubectlE2eTest, ApplyOfAChangedObjectPatchesItAndServerSideApplyWorks) {
  ExpectOk(Kubectl("apply -f config/samples/basic-batch-sandbox.yaml"));
  std::string changed = dir_.path() + "/changed.yaml";
  CommandResult sed = RunShell(
      "sed 's/replicas: 2/replicas: 3/' config/samples/basic-batch-sandbox.yaml > " + changed);
  ExpectOk(sed);
  CommandResult r = Kubectl("apply -f " + changed);
  ExpectOk(r);
  EXPECT_THAT(r.out, HasSubstr("configured"));
  EXPECT_THAT(Kubectl("apply -f " + changed).out, HasSubstr("unchanged"));
  EXPECT_EQ(Kubectl("get batchsandbox basic-batch-sandbox -o jsonpath='{.spec.replicas} "
                    "{.metadata.generation}'")
                .out,
            "3 2");
  CommandResult ssa = Kubectl("apply --server-side -f config/samples/pool-example.yaml");
  ExpectOk(ssa);
  EXPECT_THAT(ssa.out, HasSubstr("serverside-applied"));
  EXPECT_EQ(
      Kubectl("get pool example-pool -o jsonpath='{.metadata.managedFields[0].operation}'").out,
      "Apply");
}

TEST_F(KubectlE2eTest, CreateNamespaceSendsProtobufAndSucceeds) {
  CommandResult r = Kubectl("create namespace e2e-proto");
  ExpectOk(r);
  EXPECT_EQ(r.out, "namespace/e2e-proto created\n");
  EXPECT_EQ(Kubectl("get namespace e2e-proto -o jsonpath='{.status.phase}'").out, "Active");
  EXPECT_THAT(Kubectl("get namespaces").out, HasSubstr("opensandbox-system"));
}

TEST_F(KubectlE2eTest, StatusSubresourcePatchAndLabelSelectors) {
  ExpectOk(Kubectl("apply -f config/samples/basic-batch-sandbox.yaml"));
  ExpectOk(Kubectl("apply -f config/samples/pooled-batch-sandbox.yaml"));
  ExpectOk(
      Kubectl("patch batchsandbox basic-batch-sandbox --subresource=status --type=merge -p "
              "'{\"status\":{\"replicas\":2,\"allocated\":2,\"ready\":2,\"taskRunning\":0,"
              "\"taskSucceed\":2,\"taskFailed\":0,\"taskUnknown\":0,\"taskPending\":0}}'"));
  CommandResult wide = Kubectl("get batchsandbox basic-batch-sandbox -o wide --no-headers");
  EXPECT_THAT(RunShell("echo '" + wide.out + "' | tr -s ' '").out,
              HasSubstr("basic-batch-sandbox 2 2 2 2 0 2 0 0 "));
  // Status through the main resource is ignored; spec through /status is ignored.
  ExpectOk(Kubectl(
      "patch batchsandbox basic-batch-sandbox --type=merge -p '{\"status\":{\"ready\":9}}'"));
  EXPECT_EQ(Kubectl("get batchsandbox basic-batch-sandbox -o jsonpath='{.status.ready}'").out, "2");
  EXPECT_NE(
      Kubectl("patch batchsandbox basic-batch-sandbox -p '{\"spec\":{\"replicas\":4}}'").exit_code,
      0);  // strategic merge patch on a CR: 415
  ExpectOk(Kubectl("label batchsandbox pooled-batch-sandbox tier=gold"));
  CommandResult selected = Kubectl("get batchsandboxes -l tier=gold -o name");
  EXPECT_EQ(selected.out, "batchsandbox.sandbox.opensandbox.io/pooled-batch-sandbox\n");
  CommandResult by_field =
      Kubectl("get batchsandboxes --field-selector metadata.name=basic-batch-sandbox -o name");
  EXPECT_EQ(by_field.out, "batchsandbox.sandbox.opensandbox.io/basic-batch-sandbox\n");
  CommandResult bad = Kubectl("get batchsandboxes --field-selector spec.replicas=1");
  EXPECT_THAT(bad.err, HasSubstr("field label not supported: spec.replicas"));
}

TEST_F(KubectlE2eTest, FinalizerHoldsDeleteUntilRemoved) {
  ExpectOk(Kubectl("apply -f config/samples/basic-batch-sandbox.yaml"));
  ExpectOk(
      Kubectl("patch batchsandbox basic-batch-sandbox --type=merge -p "
              "'{\"metadata\":{\"finalizers\":[\"e2e/hold\"]}}'"));
  ExpectOk(Kubectl("delete batchsandbox basic-batch-sandbox --wait=false"));
  CommandResult held = Kubectl(
      "get batchsandbox basic-batch-sandbox -o jsonpath='{.metadata.deletionGracePeriodSeconds} "
      "{.metadata.generation}'");
  ExpectOk(held);
  EXPECT_EQ(held.out, "0 2");
  ExpectOk(
      Kubectl("patch batchsandbox basic-batch-sandbox --type=json -p "
              "'[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]'"));
  EXPECT_THAT(Kubectl("get batchsandbox basic-batch-sandbox").err, HasSubstr("NotFound"));
}

TEST_F(KubectlE2eTest, OwnerReferenceGarbageCollectionDeletesPods) {
  ExpectOk(Kubectl("apply -f config/samples/basic-batch-sandbox.yaml"));
  std::string uid =
      Kubectl("get batchsandbox basic-batch-sandbox -o jsonpath='{.metadata.uid}'").out;
  ASSERT_FALSE(uid.empty());
  std::string pod = dir_.path() + "/pod.json";
  WriteFile(pod,
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"owned-pod\","
            "\"ownerReferences\":[{\"apiVersion\":\"sandbox.opensandbox.io/v1alpha1\",\"kind\":"
            "\"BatchSandbox\",\"name\":\"basic-batch-sandbox\",\"uid\":\"" +
                uid +
                "\",\"controller\":true,\"blockOwnerDeletion\":true}]},\"spec\":{\"containers\":[{"
                "\"name\":\"c\",\"image\":\"busybox\"}]}}");
  ExpectOk(Kubectl("apply -f " + pod));
  CommandResult pods = Kubectl("get pods");
  EXPECT_THAT(pods.out, HasSubstr("owned-pod   0/1     Pending"));
  ExpectOk(Kubectl("delete batchsandbox basic-batch-sandbox"));
  EXPECT_TRUE(Eventually(
      [&] { return Kubectl("get pod owned-pod").err.find("NotFound") != std::string::npos; }));
}

TEST_F(KubectlE2eTest, WatchStreamsChangesAsTableRows) {
  ExpectOk(Kubectl("apply -f config/samples/basic-batch-sandbox.yaml"));
  std::string out = dir_.path() + "/watch.out";
  CommandResult bg = RunShell("(timeout 6 " + server_->KubectlPrefix() +
                              " get batchsandbox basic-batch-sandbox -w > " + out + " 2>&1 &)");
  ExpectOk(bg);
  ASSERT_TRUE(Eventually(
      [&] { return RunShell("cat " + out).out.find("basic-batch-sandbox") != std::string::npos; }));
  ExpectOk(Kubectl("label batchsandbox basic-batch-sandbox tier=demo"));
  EXPECT_TRUE(Eventually([&] {
    std::string text = RunShell("cat " + out).out;
    return text.find("basic-batch-sandbox") != text.rfind("basic-batch-sandbox");
  }));
  EXPECT_THAT(RunShell("cat " + out).out, HasSubstr("DESIRED"));
}

TEST_F(KubectlE2eTest, StaleUpdateIsAConflict) {
  ExpectOk(Kubectl("apply -f config/samples/basic-batch-sandbox.yaml"));
  std::string old_copy = dir_.path() + "/old.json";
  ExpectOk(RunShell(server_->KubectlPrefix() + " get batchsandbox basic-batch-sandbox -o json > " +
                    old_copy));
  ExpectOk(Kubectl("label batchsandbox basic-batch-sandbox changed=yes"));
  CommandResult r = Kubectl("replace -f " + old_copy);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("the object has been modified; please apply your changes to the "
                               "latest version and try again"));
}

TEST_F(KubectlE2eTest, RestartKeepsObjectsAndOldWatchesGetExpired) {
  ExpectOk(Kubectl("apply -f config/samples/basic-batch-sandbox.yaml"));
  std::string rv =
      Kubectl("get batchsandbox basic-batch-sandbox -o jsonpath='{.metadata.resourceVersion}'").out;
  // A watch from a recent RV resumes: it sees the next change.
  ExpectOk(Kubectl("label batchsandbox basic-batch-sandbox step=one"));
  CommandResult resumed = server_->Curl(
      "/apis/sandbox.opensandbox.io/v1alpha1/namespaces/default/"
      "batchsandboxes?watch=1&resourceVersion=" +
      rv + "&timeoutSeconds=1");
  EXPECT_THAT(resumed.out, HasSubstr("\"type\":\"MODIFIED\""));
  EXPECT_THAT(resumed.out, HasSubstr("\"step\":\"one\""));
  server_->Stop();
  ASSERT_TRUE(server_->Start());
  EXPECT_THAT(Kubectl("get batchsandboxes").out, HasSubstr("basic-batch-sandbox"));
  EXPECT_EQ(
      Kubectl("get batchsandbox basic-batch-sandbox -o jsonpath='{.metadata.labels.step}'").out,
      "one");
  CommandResult expired = server_->Curl(
      "/apis/sandbox.opensandbox.io/v1alpha1/namespaces/default/"
      "batchsandboxes?watch=1&resourceVersion=" +
      rv + "&timeoutSeconds=1");
  EXPECT_THAT(expired.out, HasSubstr("\"type\":\"ERROR\"")) << expired.err;
  EXPECT_THAT(expired.out, HasSubstr("\"code\":410"));
}

TEST_F(KubectlE2eTest, KillDuringWriteBurstLosesNoAcknowledgedWrite) {
  std::string acked = dir_.path() + "/acked";
  std::string script = dir_.path() + "/burst.sh";
  WriteFile(script, "for i in $(seq 1 60); do " + server_->KubectlPrefix() +
                        " create namespace burst-$i >/dev/null 2>&1 && echo burst-$i >> " + acked +
                        "; done; touch " + acked + ".done\n");
  ExpectOk(RunShell("(sh " + script + " &)"));
  ASSERT_TRUE(Eventually([&] { return RunShell("wc -l < " + acked).out >= std::string("5"); }));
  server_->Kill();
  // The burst loop fails fast once the server is gone; wait until it stops appending.
  Eventually([&] { return RunShell("test -e " + acked + ".done").exit_code == 0; },
             std::chrono::seconds(60));
  std::string names = RunShell("cat " + acked).out;
  ASSERT_FALSE(names.empty());
  ASSERT_TRUE(server_->Start());
  std::string listed = Kubectl("get namespaces -o name").out;
  size_t start = 0;
  int count = 0;
  while (start < names.size()) {
    size_t end = names.find('\n', start);
    std::string name = names.substr(start, end - start);
    if (!name.empty()) {
      EXPECT_THAT(listed, HasSubstr("namespace/" + name + "\n")) << "acknowledged but lost";
      ++count;
    }
    start = end + 1;
  }
  EXPECT_GE(count, 5);
}

TEST_F(KubectlE2eTest, CrdAppliedAtRuntimeIsServedValidatedAndPrintable) {
  std::string crd = dir_.path() + "/widget-crd.yaml";
  WriteFile(crd,
            "apiVersion: apiextensions.k8s.io/v1\n"
            "kind: CustomResourceDefinition\n"
            "metadata: {name: widgets.e2e.example.io}\n"
            "spec:\n"
            "  group: e2e.example.io\n"
            "  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget, "
            "shortNames: [wd]}\n"
            "  scope: Namespaced\n"
            "  versions:\n"
            "  - name: v1\n"
            "    served: true\n"
            "    storage: true\n"
            "    additionalPrinterColumns:\n"
            "    - {name: SIZE, type: integer, jsonPath: .spec.size}\n"
            "    schema:\n"
            "      openAPIV3Schema:\n"
            "        type: object\n"
            "        properties:\n"
            "          spec:\n"
            "            type: object\n"
            "            properties:\n"
            "              size: {type: integer, default: 3}\n"
            "            x-kubernetes-validations:\n"
            "            - {rule: self.size <= 10, message: size too big}\n");
  ExpectOk(Kubectl("apply -f " + crd));
  ExpectOk(Kubectl("wait --for=condition=Established crd/widgets.e2e.example.io --timeout=10s"));
  std::string w1 = dir_.path() + "/w1.yaml";
  WriteFile(w1, "apiVersion: e2e.example.io/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {}\n");
  ExpectOk(Kubectl("apply -f " + w1));
  CommandResult table = Kubectl("get wd");
  ExpectOk(table);
  EXPECT_THAT(table.out, HasSubstr("SIZE"));
  EXPECT_THAT(RunShell("echo '" + table.out + "' | tr -s ' '").out, HasSubstr("w1 3"));
  std::string w2 = dir_.path() + "/w2.yaml";
  WriteFile(
      w2, "apiVersion: e2e.example.io/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: 11}\n");
  CommandResult rejected = Kubectl("apply -f " + w2);
  EXPECT_NE(rejected.exit_code, 0);
  EXPECT_THAT(rejected.err, HasSubstr("spec: Invalid value: size too big"));
  EXPECT_THAT(Kubectl("explain widget.spec").out, HasSubstr("KIND:       Widget"));
  ExpectOk(Kubectl("delete crd widgets.e2e.example.io"));
  EXPECT_NE(Kubectl("get wd").exit_code, 0);
}

TEST_F(KubectlE2eTest, WrongTokenIs401AndMissingTokenIs403) {
  CommandResult wrong =
      RunShell("curl -sS -o /dev/null -w '%{http_code}' --cacert " + server_->data_dir() +
               "/ca.crt -H 'Authorization: Bearer nope' "
               "https://127.0.0.1:" +
               std::to_string(server_->port()) + "/api/v1/pods");
  EXPECT_EQ(wrong.out, "401");
  CommandResult none =
      RunShell("curl -sS --cacert " + server_->data_dir() +
               "/ca.crt https://127.0.0.1:" + std::to_string(server_->port()) + "/apis");
  EXPECT_THAT(none.out,
              HasSubstr("forbidden: User \\\"system:anonymous\\\" cannot get path \\\"/apis\\\""));
}

}  // namespace
}  // namespace osbx::e2e
