// API semantics checked over the server's real HTTPS front end: the pods/binding subresource
// (what a scheduler or the simulated node uses to assign a pod), the validation of built-in pods
// and namespaces, a dry-run apply that would create an object, and which lists are exact reads of
// an older resourceVersion.

#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include "internal/standalone/apiserver/standalone_server.h"
#include "internal/utils/json.h"
#include "pkg/http/test_client.h"

namespace osbx::standalone {
namespace {

namespace fs = std::filesystem;
using http::testing::CurlClient;
using http::testing::FetchOptions;
using http::testing::FetchResult;

constexpr const char* kPods = "/api/v1/namespaces/default/pods";
constexpr const char* kLeases = "/apis/coordination.k8s.io/v1/namespaces/default/leases";

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    fs::remove_all(dir_);
  }

  void Start(StoreOptions store) {
    dir_ = fs::temp_directory_path() /
           fmt::format("osbx-apiserver-http-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    if (server_) server_->Stop();
    fs::remove_all(dir_);
    StandaloneOptions options;
    options.data_dir = dir_.string();
    options.port = 0;
    options.store = std::move(store);
    auto server = StandaloneServer::Open(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_TRUE(server_->Start().ok());
  }

  FetchResult Call(const std::string& path, std::string method = "GET", std::string body = "",
                   const std::string& content_type = "application/json") {
    FetchOptions options;
    options.method = std::move(method);
    options.body = std::move(body);
    options.ca_pem = server_->ca_pem();
    options.headers = {"Authorization: Bearer " + server_->token(), "Content-Type: " + content_type,
                       "Accept: application/json"};
    return client_.Fetch(server_->url() + path, options);
  }

  static Json Body(const FetchResult& r) { return Json::parse(r.body, nullptr, false); }

  Json CreatePod(const std::string& name) {
    Json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}}},
                {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
    FetchResult r = Call(kPods, "POST", pod.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r);
  }

  static std::string Binding(const std::string& pod, const std::string& node,
                             const std::string& uid = "") {
    Json binding = {{"apiVersion", "v1"},
                    {"kind", "Binding"},
                    {"metadata", {{"name", pod}}},
                    {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
    if (!uid.empty()) binding["metadata"]["uid"] = uid;
    return binding.dump();
  }

  static std::string BindingPath(const std::string& pod) {
    return fmt::format("{}/{}/binding", kPods, pod);
  }

  fs::path dir_;
  std::unique_ptr<StandaloneServer> server_;
  CurlClient client_;
};

TEST_F(HttpApiTest, BindingSetsNodeNameAndPodScheduledAndAnswersSuccess) {
  Json created = CreatePod("p");
  FetchResult r = Call(BindingPath("p"), "POST", Binding("p", "node-a"));
  ASSERT_EQ(r.status, 201) << r.body;
  Json status = Body(r);
  EXPECT_EQ(status["kind"], "Status");
  EXPECT_EQ(status["status"], "Success");
  EXPECT_EQ(status["code"], 201);

  Json pod = Body(Call(std::string(kPods) + "/p"));
  EXPECT_EQ(pod["spec"]["nodeName"], "node-a");
  ASSERT_TRUE(pod["status"]["conditions"].is_array()) << pod.dump();
  Json scheduled;
  for (const Json& c : pod["status"]["conditions"]) {
    if (c["type"] == "PodScheduled") scheduled = c;
  }
  EXPECT_EQ(scheduled["status"], "True") << pod.dump();
  EXPECT_EQ(pod["metadata"]["generation"], created["metadata"]["generation"]);
  EXPECT_NE(pod["metadata"]["resourceVersion"], created["metadata"]["resourceVersion"]);
}

TEST_F(HttpApiTest, BindingAnAlreadyBoundPodIsAConflictAndLeavesItsNode) {
  CreatePod("p");
  ASSERT_EQ(Call(BindingPath("p"), "POST", Binding("p", "node-a")).status, 201);
  FetchResult again = Call(BindingPath("p"), "POST", Binding("p", "node-b"));
  EXPECT_EQ(again.status, 409) << again.body;
  Json error = Body(again);
  EXPECT_EQ(error["reason"], "Conflict");
  EXPECT_EQ(error["message"],
            "Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to "
            "node \"node-a\"");
  EXPECT_EQ(error["details"]["kind"], "pods/binding");
  EXPECT_EQ(Body(Call(std::string(kPods) + "/p"))["spec"]["nodeName"], "node-a");
}

TEST_F(HttpApiTest, BindingWithAnotherPodsUidIsAConflict) {
  CreatePod("p");
  FetchResult r = Call(BindingPath("p"), "POST", Binding("p", "node-a", "not-the-uid"));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(Body(Call(std::string(kPods) + "/p"))["spec"].value("nodeName", ""), "");
}

TEST_F(HttpApiTest, BindingWithoutATargetNodeIsInvalid) {
  CreatePod("p");
  Json binding = {{"apiVersion", "v1"},
                  {"kind", "Binding"},
                  {"metadata", {{"name", "p"}}},
                  {"target", {{"kind", "Service"}}}};
  FetchResult r = Call(BindingPath("p"), "POST", binding.dump());
  EXPECT_EQ(r.status, 422) << r.body;
  Json error = Body(r);
  EXPECT_EQ(error["details"]["kind"], "Binding");
  ASSERT_EQ(error["details"]["causes"].size(), 2u) << r.body;
  EXPECT_EQ(error["details"]["causes"][0]["field"], "target.kind");
  EXPECT_EQ(error["details"]["causes"][1]["field"], "target.name");
}

TEST_F(HttpApiTest, BindingNamesMustMatchAndThePodMustExist) {
  CreatePod("p");
  EXPECT_EQ(Call(BindingPath("p"), "POST", Binding("other", "node-a")).status, 400);
  EXPECT_EQ(Call(BindingPath("missing"), "POST", Binding("missing", "node-a")).status, 404);
  EXPECT_EQ(Call(BindingPath("p"), "GET").status, 405);
}

TEST_F(HttpApiTest, DiscoveryListsThePodsBindingSubresource) {
  Json list = Body(Call("/api/v1"));
  bool found = false;
  for (const Json& r : list["resources"]) {
    if (r["name"] == "pods/binding") {
      found = true;
      EXPECT_EQ(r["kind"], "Binding");
      EXPECT_EQ(r["verbs"], Json::array({"create"}));
    }
  }
  EXPECT_TRUE(found) << list.dump();
}

// ---- built-in validation ---------------------------------------------------------------------

Json PodWithSpec(const std::string& name, Json spec) {
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}}}, {"spec", spec}};
}

Json Container(const std::string& name, const std::string& image = "busybox") {
  Json c = Json::object();
  if (!name.empty()) c["name"] = name;
  if (!image.empty()) c["image"] = image;
  return c;
}

// The (reason, field) pairs of a 422's causes, in order.
std::vector<std::pair<std::string, std::string>> Causes(const Json& error) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Json& c : error["details"]["causes"]) out.emplace_back(c["reason"], c["field"]);
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST_F(HttpApiTest, PodWithoutContainersIsInvalidAndNotStored) {
  FetchResult r = Call(kPods, "POST", PodWithSpec("x", Json::object()).dump());
  ASSERT_EQ(r.status, 422) << r.body;
  Json error = Body(r);
  EXPECT_EQ(error["reason"], "Invalid");
  EXPECT_EQ(error["message"], "Pod \"x\" is invalid: spec.containers: Required value");
  EXPECT_EQ(error["details"]["kind"], "Pod");
  EXPECT_EQ(error["details"]["name"], "x");
  EXPECT_EQ(Causes(error), (Pairs{{"FieldValueRequired", "spec.containers"}}));
  EXPECT_EQ(error["details"]["causes"][0]["message"], "Required value");
  EXPECT_EQ(Call(kPods, "POST", PodWithSpec("x", {{"containers", Json::array()}}).dump()).status,
            422);
  EXPECT_EQ(Call(std::string(kPods) + "/x").status, 404);
}

TEST_F(HttpApiTest, ContainerNameAndImageAreRequired) {
  Json spec = {{"containers", {Container("", "")}}};
  FetchResult r = Call(kPods, "POST", PodWithSpec("x", spec).dump());
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Body(r)["message"],
            "Pod \"x\" is invalid: [spec.containers[0].name: Required value, "
            "spec.containers[0].image: Required value]");
  EXPECT_EQ(Causes(Body(r)), (Pairs{{"FieldValueRequired", "spec.containers[0].name"},
                                    {"FieldValueRequired", "spec.containers[0].image"}}));
}

TEST_F(HttpApiTest, ContainerNamesMustBeDns1123Labels) {
  Json spec = {{"containers", {Container("web"), Container("Web_1")}},
               {"initContainers", {Container("a.b")}}};
  FetchResult r = Call(kPods, "POST", PodWithSpec("x", spec).dump());
  ASSERT_EQ(r.status, 422) << r.body;
  Json error = Body(r);
  EXPECT_EQ(Causes(error), (Pairs{{"FieldValueInvalid", "spec.containers[1].name"},
                                  {"FieldValueInvalid", "spec.initContainers[0].name"}}));
  EXPECT_EQ(error["details"]["causes"][0]["message"],
            "Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case "
            "alphanumeric characters or '-', and must start and end with an alphanumeric "
            "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  EXPECT_EQ(error["details"]["causes"][1]["message"],
            "Invalid value: \"a.b\": must not contain dots");
}

TEST_F(HttpApiTest, ContainerNamesAreUniqueAcrossContainersAndInitContainers) {
  Json spec = {{"containers", {Container("app"), Container("app")}},
               {"initContainers", {Container("setup"), Container("app")}}};
  FetchResult r = Call(kPods, "POST", PodWithSpec("x", spec).dump());
  ASSERT_EQ(r.status, 422) << r.body;
  Json error = Body(r);
  EXPECT_EQ(Causes(error), (Pairs{{"FieldValueDuplicate", "spec.containers[1].name"},
                                  {"FieldValueDuplicate", "spec.initContainers[1].name"}}));
  EXPECT_EQ(error["details"]["causes"][0]["message"], "Duplicate value: \"app\"");
}

TEST_F(HttpApiTest, RestartPolicyMustBeAlwaysOnFailureOrNever) {
  Json spec = {{"containers", {Container("c")}}, {"restartPolicy", "Sometimes"}};
  FetchResult r = Call(kPods, "POST", PodWithSpec("x", spec).dump());
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Body(r)["message"],
            "Pod \"x\" is invalid: spec.restartPolicy: Unsupported value: \"Sometimes\": "
            "supported values: \"Always\", \"OnFailure\", \"Never\"");
  EXPECT_EQ(Causes(Body(r)), (Pairs{{"FieldValueNotSupported", "spec.restartPolicy"}}));
}

TEST_F(HttpApiTest, ValidPodWithFieldsTheServerDoesNotModelIsAccepted) {
  Json spec = {{"containers",
                {{{"name", "app"},
                  {"image", "nginx:1.27"},
                  {"ports", {{{"containerPort", 80}}}},
                  {"resources", {{"limits", {{"cpu", "1"}}}}}}}},
               {"initContainers", {Container("setup")}},
               {"restartPolicy", "Never"},
               {"tolerations", {{{"operator", "Exists"}}}},
               {"nodeSelector", {{"disk", "ssd"}}}};
  FetchResult r = Call(kPods, "POST", PodWithSpec("ok", spec).dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["spec"]["tolerations"], spec["tolerations"]);
  EXPECT_EQ(Body(r)["spec"]["restartPolicy"], "Never");
}

TEST_F(HttpApiTest, UpdatesAndPatchesThatBreakThePodSpecAreInvalid) {
  Json created = CreatePod("p");
  std::string path = std::string(kPods) + "/p";
  FetchResult patched =
      Call(path, "PATCH", R"({"spec":{"containers":null}})", "application/merge-patch+json");
  ASSERT_EQ(patched.status, 422) << patched.body;
  EXPECT_EQ(Body(patched)["message"], "Pod \"p\" is invalid: spec.containers: Required value");
  FetchResult json_patch =
      Call(path, "PATCH", R"([{"op":"remove","path":"/spec/containers/0/image"}])",
           "application/json-patch+json");
  ASSERT_EQ(json_patch.status, 422) << json_patch.body;
  EXPECT_EQ(Causes(Body(json_patch)), (Pairs{{"FieldValueRequired", "spec.containers[0].image"}}));

  Json update = created;
  update["spec"]["containers"].push_back(Container("c"));
  FetchResult put = Call(path, "PUT", update.dump());
  ASSERT_EQ(put.status, 422) << put.body;
  EXPECT_EQ(Causes(Body(put)), (Pairs{{"FieldValueDuplicate", "spec.containers[1].name"}}));
  EXPECT_EQ(Body(Call(path))["metadata"]["resourceVersion"],
            created["metadata"]["resourceVersion"]);
}

TEST_F(HttpApiTest, StatusAndMetadataWritesOfAPodStayAccepted) {
  CreatePod("p");
  std::string path = std::string(kPods) + "/p";
  FetchResult status = Call(path + "/status", "PATCH", R"({"status":{"phase":"Running"}})",
                            "application/merge-patch+json");
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(Body(status)["status"]["phase"], "Running");
  FetchResult labels =
      Call(path, "PATCH", R"({"metadata":{"labels":{"a":"b"}}})", "application/merge-patch+json");
  ASSERT_EQ(labels.status, 200) << labels.body;
  EXPECT_EQ(Body(labels)["metadata"]["labels"]["a"], "b");
}

TEST_F(HttpApiTest, NamespaceNamesMustBeDns1123Labels) {
  const char* kNamespaces = "/api/v1/namespaces";
  auto ns = [](const std::string& name) {
    return Json({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}})
        .dump();
  };
  FetchResult dotted = Call(kNamespaces, "POST", ns("team.a"));
  ASSERT_EQ(dotted.status, 422) << dotted.body;
  EXPECT_EQ(Body(dotted)["message"],
            "Namespace \"team.a\" is invalid: metadata.name: Invalid value: \"team.a\": must "
            "not contain dots");
  EXPECT_EQ(Causes(Body(dotted)), (Pairs{{"FieldValueInvalid", "metadata.name"}}));
  EXPECT_EQ(Body(dotted)["details"]["kind"], "Namespace");
  EXPECT_EQ(Call(kNamespaces, "POST", ns("Team")).status, 422);
  EXPECT_EQ(Call(std::string(kNamespaces) + "/team.a").status, 404);
  EXPECT_EQ(Call(kNamespaces, "POST", ns("team-a")).status, 201);
}

// ---- exact reads ---------------------------------------------------------------------------

std::string Lease(const std::string& name) {
  return Json({{"apiVersion", "coordination.k8s.io/v1"},
               {"kind", "Lease"},
               {"metadata", {{"name", name}}},
               {"spec", {{"holderIdentity", "test"}}}})
      .dump();
}

TEST_F(HttpApiTest, DryRunApplyOfANewObjectAnswersItAndStoresNothing) {
  Json config = {{"apiVersion", "coordination.k8s.io/v1"},
                 {"kind", "Lease"},
                 {"metadata", {{"name", "planned"}}},
                 {"spec", {{"holderIdentity", "me"}}}};
  std::string path = std::string(kLeases) + "/planned";
  FetchResult r = Call(path + "?fieldManager=test&dryRun=All", "PATCH", config.dump(),
                       "application/apply-patch+yaml");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["spec"].value("holderIdentity", ""), "me");
  EXPECT_EQ(Call(path).status, 404);
}

TEST_F(HttpApiTest, PagedListAtAnOldRvReadsThatSnapshotUntilItIsCompacted) {
  StoreOptions store;
  store.history_max_events = 4;
  Start(store);
  ASSERT_EQ(Call(kLeases, "POST", Lease("a")).status, 201);
  std::string old_rv = Body(Call(kLeases))["metadata"]["resourceVersion"];
  ASSERT_EQ(Call(kLeases, "POST", Lease("b")).status, 201);

  Json paged = Body(Call(fmt::format("{}?limit=10&resourceVersion={}", kLeases, old_rv)));
  EXPECT_EQ(paged["metadata"]["resourceVersion"], old_rv);
  EXPECT_EQ(paged["items"].size(), 1u) << paged.dump();
  // Without limit (or with NotOlderThan) a resourceVersion is a lower bound: the current state.
  EXPECT_EQ(Body(Call(fmt::format("{}?resourceVersion={}", kLeases, old_rv)))["items"].size(), 2u);
  EXPECT_EQ(Body(Call(fmt::format("{}?limit=10&resourceVersion={}&resourceVersionMatch="
                                  "NotOlderThan",
                                  kLeases, old_rv)))["items"]
                .size(),
            2u);

  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(Call(kLeases, "POST", Lease(fmt::format("later-{}", i))).status, 201);
  }
  FetchResult compacted = Call(fmt::format("{}?limit=10&resourceVersion={}", kLeases, old_rv));
  EXPECT_EQ(compacted.status, 410) << compacted.body;
}


// A list without a selector is answered from the stored bytes (and paged by the store); a
// selector that matches everything takes the decoding path. Both must give the same bytes.
TEST_F(HttpApiTest, ListWithoutSelectorAnswersTheSameBytesAsTheDecodingPath) {
  for (const char* name : {"p1", "p2", "p3", "p4", "p5"}) CreatePod(name);
  const std::string all = "labelSelector=!absent";
  EXPECT_EQ(Call(kPods).body, Call(std::string(kPods) + "?" + all).body);
  FetchResult page = Call(std::string(kPods) + "?limit=2");
  FetchResult selected = Call(std::string(kPods) + "?limit=2&" + all);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.body, selected.body);
  Json first = Body(page);
  EXPECT_EQ(first["items"].size(), 2u);
  EXPECT_EQ(first["metadata"].value("remainingItemCount", 0), 3);
  const std::string token = first["metadata"].value("continue", "");
  ASSERT_FALSE(token.empty());
  FetchResult last = Call(std::string(kPods) + "?limit=4&continue=" + token);
  EXPECT_EQ(last.body, Call(std::string(kPods) + "?limit=4&" + all + "&continue=" + token).body);
  Json rest = Body(last);
  EXPECT_EQ(rest["items"].size(), 3u);
  EXPECT_FALSE(rest["metadata"].contains("continue"));
  EXPECT_FALSE(rest["items"][0].contains("kind"));  // built-in list items carry no TypeMeta
}

Json WidgetCrd(bool with_default) {
  Json size = {{"type", "integer"}};
  if (with_default) size["default"] = 3;
  Json schema = {{"type", "object"},
                 {"properties",
                  {{"spec", {{"type", "object"}, {"properties", {{"size", size}}}}}}}};
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", "widgets.example.com"}}},
          {"spec",
           {{"group", "example.com"},
            {"scope", "Namespaced"},
            {"names", {{"plural", "widgets"}, {"singular", "widget"}, {"kind", "Widget"}}},
            {"versions",
             {{{"name", "v1"},
               {"served", true},
               {"storage", true},
               {"schema", {{"openAPIV3Schema", schema}}}}}}}}};
}

TEST_F(HttpApiTest, CustomListFromStoredBytesStillAppliesDefaultsAddedAfterAWrite) {
  const std::string crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  ASSERT_EQ(Call(crds, "POST", WidgetCrd(false).dump()).status, 201);
  const std::string widgets = "/apis/example.com/v1/namespaces/default/widgets";
  auto widget = [](const std::string& name) {
    return Json{{"apiVersion", "example.com/v1"},
                {"kind", "Widget"},
                {"metadata", {{"name", name}}},
                {"spec", Json::object()}}
        .dump();
  };
  ASSERT_EQ(Call(widgets, "POST", widget("old")).status, 201);
  // The schema gains a default: the object written before it gets it on read.
  Json crd = Body(Call(crds + "/widgets.example.com"));
  crd["spec"] = WidgetCrd(true)["spec"];
  ASSERT_EQ(Call(crds + "/widgets.example.com", "PUT", crd.dump()).status, 200);
  ASSERT_EQ(Call(widgets, "POST", widget("new")).status, 201);
  FetchResult list = Call(widgets);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body, Call(widgets + "?labelSelector=!absent").body);
  Json items = Body(list)["items"];
  ASSERT_EQ(items.size(), 2u);
  for (const Json& item : items) EXPECT_EQ(item["spec"].value("size", 0), 3) << item.dump();
  FetchResult page = Call(widgets + "?limit=1");
  EXPECT_EQ(page.body, Call(widgets + "?limit=1&labelSelector=!absent").body);
}

}  // namespace
}  // namespace osbx::standalone
