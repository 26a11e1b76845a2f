// The REST client against the real standalone API server, in-process over HTTPS with the CA the
// server generated (no insecure flags): configuration from the kubeconfig the server writes,
// discovery, CRUD of BatchSandboxes, Pools and pods with every write verb, and the typed errors a
// controller relies on (404, 409 AlreadyExists / Conflict with causes). The same behaviours are
// proven against captured kube-apiserver bytes in pkg/kube/client; here they must hold against
// our own server too.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <strings.h>

#include "pkg/http/tls.h"
#include "pkg/kube/client/kubeconfig.h"
#include "test/integration/standalone_harness.h"

namespace osbx::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// ---- configuration -------------------------------------------------------------------------

TEST_F(ClientStandaloneTest, KubeconfigWrittenByTheServerResolvesToAVerifiedConnection) {
  kube::ConfigSources sources;
  sources.kubeconfig_flag = harness_.server().kubeconfig_path();
  StatusOr<kube::RestConfig> config = kube::ResolveConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, harness_.server().url());
  EXPECT_EQ(config->ca_pem, harness_.server().ca_pem());
  EXPECT_EQ(config->bearer_token, harness_.server().token());
  EXPECT_EQ(config->default_namespace, "default");
  EXPECT_FALSE(config->insecure_skip_tls_verify);
  StatusOr<std::unique_ptr<kube::RestClient>> client = kube::RestClient::New(*config);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  StatusOr<Json> ns = (*client)->Get({"", "v1", "namespaces", "Namespace", false}, "", "default");
  ASSERT_TRUE(ns.ok()) << ns.status().ToString();
  EXPECT_EQ(NameOf(*ns), "default");
}

TEST_F(ClientStandaloneTest, KubeconfigEnvironmentVariableIsHonouredWithoutAFlag) {
  kube::ConfigSources sources;
  sources.kubeconfig_env = harness_.server().kubeconfig_path() + ":/nonexistent/second";
  StatusOr<kube::RestConfig> config = kube::ResolveConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, harness_.server().url());
  EXPECT_EQ(config->source, harness_.server().kubeconfig_path());
}

TEST_F(ClientStandaloneTest, ServerCertificateFromAnotherCaIsRejectedAsFinal) {
  StatusOr<kube::RestConfig> config = harness_.ClientConfig();
  ASSERT_TRUE(config.ok());
  StatusOr<http::KeyPair> other_ca = http::GenerateCa();
  ASSERT_TRUE(other_ca.ok());
  config->ca_pem = other_ca->cert_pem;
  StatusOr<std::unique_ptr<kube::RestClient>> client = kube::RestClient::New(*config);
  ASSERT_TRUE(client.ok());
  StatusOr<kube::RawResponse> version = (*client)->Request("GET", "/version");
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), StatusCode::kInvalid) << version.status().ToString();
  EXPECT_THAT(version.status().message(), HasSubstr("certificate"));
}

TEST_F(ClientStandaloneTest, WrongBearerTokenIsUnauthorized) {
  StatusOr<kube::RestConfig> config = harness_.ClientConfig();
  ASSERT_TRUE(config.ok());
  config->bearer_token = "not-the-token";
  StatusOr<std::unique_ptr<kube::RestClient>> client = kube::RestClient::New(*config);
  ASSERT_TRUE(client.ok());
  StatusOr<Json> got = (*client)->Get(Pools(), kNamespace, "anything");
  EXPECT_EQ(got.status().code(), StatusCode::kUnauthorized) << got.status().ToString();
}

// ---- discovery -----------------------------------------------------------------------------

TEST_F(ClientStandaloneTest, VersionReportsKubernetesOneThirtyTwo) {
  StatusOr<kube::RawResponse> version = client_->Request("GET", "/version");
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  Json body = Json::parse(version->body);
  EXPECT_EQ(body["major"], "1");
  EXPECT_EQ(body["minor"], "32");
  EXPECT_THAT(body["gitVersion"].get<std::string>(), HasSubstr("v1.32"));
}

TEST_F(ClientStandaloneTest, CoreDiscoveryListsPodsAndTheirStatusSubresource) {
  StatusOr<kube::RawResponse> api = client_->Request("GET", "/api");
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  Json versions = Json::parse(api->body);
  EXPECT_EQ(versions["kind"], "APIVersions");
  EXPECT_EQ(versions["versions"], Json::array({"v1"}));
  StatusOr<kube::RawResponse> v1 = client_->Request("GET", "/api/v1");
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  Json resource_list = Json::parse(v1->body);
  std::vector<std::string> names;
  for (const Json& r : resource_list["resources"]) names.push_back(r["name"]);
  EXPECT_THAT(names, ::testing::IsSupersetOf({"pods", "pods/status", "namespaces", "events"}))
      << v1->body;
}

TEST_F(ClientStandaloneTest, AggregatedDiscoveryServesTheSandboxGroupWithStatusSubresources) {
  constexpr char kAggregated[] =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
  StatusOr<kube::RawResponse> apis =
      client_->Request("GET", "/apis", {}, {}, {}, {{"Accept", kAggregated}});
  ASSERT_TRUE(apis.ok()) << apis.status().ToString();
  std::string content_type;
  for (const auto& [key, value] : apis->headers) {
    if (strcasecmp(key.c_str(), "Content-Type") == 0) content_type = value;
  }
  EXPECT_THAT(content_type, HasSubstr("as=APIGroupDiscoveryList"));
  Json list = Json::parse(apis->body);
  ASSERT_EQ(list["kind"], "APIGroupDiscoveryList");
  const Json* sandbox_group = nullptr;
  for (const Json& group : list["items"]) {
    if (group["metadata"]["name"] == "sandbox.opensandbox.io") sandbox_group = &group;
  }
  ASSERT_NE(sandbox_group, nullptr);
  const Json& version = (*sandbox_group)["versions"].at(0);
  EXPECT_EQ(version["version"], "v1alpha1");
  std::vector<std::string> resources;
  for (const Json& r : version["resources"]) {
    resources.push_back(r["resource"]);
    EXPECT_EQ(r["subresources"].at(0)["subresource"], "status") << r["resource"];
  }
  EXPECT_THAT(resources, UnorderedElementsAre("batchsandboxes", "pools"));

  // Without the aggregated Accept, the legacy group list.
  StatusOr<kube::RawResponse> legacy = client_->Request("GET", "/apis");
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(Json::parse(legacy->body)["kind"], "APIGroupList");
}

// ---- create, get, update -------------------------------------------------------------------

TEST_F(ClientStandaloneTest, CreateWithGenerateNameGetsANameUidAndFirstGeneration) {
  Json object = BatchSandboxObject("");
  object["metadata"].erase("name");
  object["metadata"]["generateName"] = "gen-";
  StatusOr<Json> created = client_->Create(BatchSandboxes(), "", object);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::string name = NameOf(*created);
  EXPECT_EQ(name.rfind("gen-", 0), 0u) << name;
  EXPECT_GT(name.size(), 4u);
  EXPECT_FALSE(UidOf(*created).empty());
  EXPECT_EQ((*created)["metadata"]["generation"], 1);
  // Schema defaults are applied on create.
  EXPECT_EQ((*created)["spec"]["taskResourcePolicyWhenCompleted"], "Retain");

  StatusOr<Json> got = client_->Get(BatchSandboxes(), kNamespace, name);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(UidOf(*got), UidOf(*created));
  EXPECT_EQ(ResourceVersionOf(*got), ResourceVersionOf(*created));
}

TEST_F(ClientStandaloneTest, CreateOfAnExistingNameIsAlreadyExists) {
  ASSERT_TRUE(CreateSandbox("twice").ok());
  StatusOr<Json> again = CreateSandbox("twice");
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status().ToString();
}

TEST_F(ClientStandaloneTest, GetOfAMissingObjectIsNotFound) {
  StatusOr<Json> got = client_->Get(BatchSandboxes(), kNamespace, "missing");
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound) << got.status().ToString();
}

TEST_F(ClientStandaloneTest, UpdateWithStaleResourceVersionIsConflict) {
  StatusOr<Json> created = CreateSandbox("stale");
  ASSERT_TRUE(created.ok());
  Json first = *created;
  first["spec"]["replicas"] = 2;
  StatusOr<Json> updated = client_->Update(BatchSandboxes(), first);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ((*updated)["metadata"]["generation"], 2);

  Json stale = *created;  // still carries the first resourceVersion
  stale["spec"]["replicas"] = 3;
  StatusOr<Json> conflict = client_->Update(BatchSandboxes(), stale);
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict) << conflict.status().ToString();
  StatusOr<Json> now = client_->Get(BatchSandboxes(), kNamespace, "stale");
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now.value()["spec"]["replicas"], 2);
}

TEST_F(ClientStandaloneTest, UpdateStatusChangesOnlyStatusAndKeepsGeneration) {
  StatusOr<Json> created = CreateSandbox("status-demo", 2);
  ASSERT_TRUE(created.ok());
  Json object = *created;
  object["spec"]["replicas"] = 7;  // ignored by a status write
  object["status"] = {{"replicas", 2},    {"allocated", 2},   {"ready", 1},
                      {"taskRunning", 0}, {"taskSucceed", 0}, {"taskFailed", 0},
                      {"taskUnknown", 0}, {"taskPending", 0}, {"observedGeneration", 1}};
  StatusOr<Json> written = client_->UpdateStatus(BatchSandboxes(), object);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ((*written)["status"]["ready"], 1);
  EXPECT_EQ((*written)["spec"]["replicas"], 2);
  EXPECT_EQ((*written)["metadata"]["generation"], 1);

  // And a write of the main resource ignores status.
  Json main = *written;
  main["status"]["ready"] = 0;
  main["spec"]["replicas"] = 3;
  StatusOr<Json> updated = client_->Update(BatchSandboxes(), main);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ((*updated)["status"]["ready"], 1);
  EXPECT_EQ((*updated)["metadata"]["generation"], 2);
}

// ---- patches -------------------------------------------------------------------------------

TEST_F(ClientStandaloneTest, MergePatchChangesSpecAndBumpsGeneration) {
  ASSERT_TRUE(CreateSandbox("merge").ok());
  StatusOr<Json> patched =
      client_->Patch(BatchSandboxes(), kNamespace, "merge", kube::PatchType::kMerge,
                     R"({"metadata":{"labels":{"tier":"gold"}},"spec":{"replicas":4}})");
  ASSERT_TRUE(patched.ok()) << patched.status().ToString();
  EXPECT_EQ((*patched)["spec"]["replicas"], 4);
  EXPECT_EQ((*patched)["metadata"]["labels"]["tier"], "gold");
  EXPECT_EQ((*patched)["metadata"]["generation"], 2);
}

TEST_F(ClientStandaloneTest, MergePatchOfStatusSubresourceLeavesSpecAlone) {
  ASSERT_TRUE(CreateSandbox("status-patch").ok());
  kube::PatchOptions options;
  options.subresource = "status";
  StatusOr<Json> patched = client_->Patch(
      BatchSandboxes(), kNamespace, "status-patch", kube::PatchType::kMerge,
      R"({"spec":{"replicas":9},"status":{"replicas":1,"allocated":0,"ready":0,"taskRunning":0,)"
      R"("taskSucceed":0,"taskFailed":0,"taskUnknown":0,"taskPending":0}})",
      options);
  ASSERT_TRUE(patched.ok()) << patched.status().ToString();
  EXPECT_EQ((*patched)["status"]["replicas"], 1);
  EXPECT_EQ((*patched)["spec"]["replicas"], 1);
}

TEST_F(ClientStandaloneTest, JsonPatchTestOperationGuardsTheChange) {
  ASSERT_TRUE(CreateSandbox("json-patch", 1).ok());
  StatusOr<Json> refused =
      client_->Patch(BatchSandboxes(), kNamespace, "json-patch", kube::PatchType::kJson,
                     R"([{"op":"test","path":"/spec/replicas","value":99},)"
                     R"({"op":"replace","path":"/spec/replicas","value":5}])");
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalid) << refused.status().ToString();

  StatusOr<Json> applied =
      client_->Patch(BatchSandboxes(), kNamespace, "json-patch", kube::PatchType::kJson,
                     R"([{"op":"test","path":"/spec/replicas","value":1},)"
                     R"({"op":"replace","path":"/spec/replicas","value":5}])");
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ((*applied)["spec"]["replicas"], 5);
}

TEST_F(ClientStandaloneTest, ServerSideApplyConflictBetweenManagersIsConflictWithCauses) {
  constexpr char kAlice[] =
      "apiVersion: sandbox.opensandbox.io/v1alpha1\nkind: BatchSandbox\n"
      "metadata:\n  name: ssa-demo\nspec:\n  replicas: 2\n  poolRef: pool-a\n";
  kube::PatchOptions alice;
  alice.field_manager = "alice";
  StatusOr<Json> created = client_->Patch(BatchSandboxes(), kNamespace, "ssa-demo",
                                          kube::PatchType::kApply, kAlice, alice);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const Json& managed = (*created)["metadata"]["managedFields"];
  ASSERT_EQ(managed.size(), 1u);
  EXPECT_EQ(managed[0]["manager"], "alice");
  EXPECT_EQ(managed[0]["operation"], "Apply");

  constexpr char kBob[] =
      R"({"apiVersion":"sandbox.opensandbox.io/v1alpha1","kind":"BatchSandbox",)"
      R"("metadata":{"name":"ssa-demo"},"spec":{"replicas":3}})";
  kube::PatchOptions bob;
  bob.field_manager = "bob";
  StatusOr<Json> conflict =
      client_->Patch(BatchSandboxes(), kNamespace, "ssa-demo", kube::PatchType::kApply, kBob, bob);
  ASSERT_EQ(conflict.status().code(), StatusCode::kConflict) << conflict.status().ToString();
  ASSERT_EQ(conflict.status().causes().size(), 1u);
  EXPECT_EQ(conflict.status().causes()[0].reason, "FieldManagerConflict");
  EXPECT_EQ(conflict.status().causes()[0].field, ".spec.replicas");
  EXPECT_THAT(conflict.status().causes()[0].message, HasSubstr("alice"));

  bob.force = true;
  StatusOr<Json> forced =
      client_->Patch(BatchSandboxes(), kNamespace, "ssa-demo", kube::PatchType::kApply, kBob, bob);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_EQ((*forced)["spec"]["replicas"], 3);
  std::vector<std::string> managers;
  for (const Json& entry : (*forced)["metadata"]["managedFields"]) {
    managers.push_back(entry["manager"]);
  }
  EXPECT_THAT(managers, UnorderedElementsAre("alice", "bob"));
}

// ---- delete --------------------------------------------------------------------------------

TEST_F(ClientStandaloneTest, DeletePreconditionsGuardTheDelete) {
  StatusOr<Json> created = CreateSandbox("guarded");
  ASSERT_TRUE(created.ok());
  kube::DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "00000000-0000-0000-0000-000000000000";
  StatusOr<Json> refused = client_->Delete(BatchSandboxes(), kNamespace, "guarded", wrong_uid);
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict) << refused.status().ToString();
  kube::DeleteOptions stale_rv;
  stale_rv.precondition_resource_version = "1";
  refused = client_->Delete(BatchSandboxes(), kNamespace, "guarded", stale_rv);
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict) << refused.status().ToString();
  ASSERT_TRUE(client_->Get(BatchSandboxes(), kNamespace, "guarded").ok());

  kube::DeleteOptions exact;
  exact.precondition_uid = UidOf(*created);
  exact.precondition_resource_version = ResourceVersionOf(*created);
  exact.propagation_policy = "Background";
  StatusOr<Json> deleted = client_->Delete(BatchSandboxes(), kNamespace, "guarded", exact);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ((*deleted)["kind"], "Status");
  EXPECT_EQ((*deleted)["status"], "Success");
  EXPECT_TRUE(client_->Get(BatchSandboxes(), kNamespace, "guarded").status().IsNotFound());
}

TEST_F(ClientStandaloneTest, FinalizerHoldsTheDeleteUntilItIsRemoved) {
  Json object = PoolObject("held");
  object["metadata"]["finalizers"] = {"sandbox.opensandbox.io/test"};
  ASSERT_TRUE(client_->Create(Pools(), kNamespace, object).ok());
  StatusOr<Json> deleting = client_->Delete(Pools(), kNamespace, "held");
  ASSERT_TRUE(deleting.ok()) << deleting.status().ToString();
  EXPECT_EQ((*deleting)["kind"], "Pool");
  EXPECT_TRUE((*deleting)["metadata"].contains("deletionTimestamp"));

  StatusOr<Json> still = client_->Get(Pools(), kNamespace, "held");
  ASSERT_TRUE(still.ok()) << still.status().ToString();
  EXPECT_TRUE((*still)["metadata"].contains("deletionTimestamp"));

  StatusOr<Json> released = client_->Patch(Pools(), kNamespace, "held", kube::PatchType::kMerge,
                                           R"({"metadata":{"finalizers":null}})");
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  StatusOr<Json> gone = client_->Get(Pools(), kNamespace, "held");
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound) << gone.status().ToString();
}

TEST_F(ClientStandaloneTest, PodCrudWithGenerateNameStatusAndImmediateDeleteOfUnboundPod) {
  Json pod = PodObject("");
  pod["metadata"].erase("name");
  pod["metadata"]["generateName"] = "sandbox-";
  StatusOr<Json> created = client_->Create(Pods(), kNamespace, pod);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::string name = NameOf(*created);
  EXPECT_EQ(name.rfind("sandbox-", 0), 0u);

  StatusOr<Json> labelled =
      client_->Patch(Pods(), kNamespace, name, kube::PatchType::kMerge,
                     R"({"metadata":{"labels":{"sandbox.opensandbox.io/pool":"p"}}})");
  ASSERT_TRUE(labelled.ok()) << labelled.status().ToString();
  Json with_status = *labelled;
  with_status["status"] = {{"phase", "Pending"}, {"reason", "Testing"}};
  StatusOr<Json> status = client_->UpdateStatus(Pods(), with_status);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ((*status)["status"]["reason"], "Testing");
  EXPECT_EQ((*status)["metadata"]["labels"]["sandbox.opensandbox.io/pool"], "p");

  StatusOr<Json> deleted = client_->Delete(Pods(), kNamespace, name);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ((*deleted)["kind"], "Pod");  // pods answer the object, not a Status
  EXPECT_TRUE(client_->Get(Pods(), kNamespace, name).status().IsNotFound());
}

}  // namespace
}  // namespace osbx::integration
