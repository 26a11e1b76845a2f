// The REST client against replayed API server bytes over real TLS: captured bodies, captured page
// metadata and captured watch streams, served by an in-test HTTPS server.

#include "pkg/kube/client/rest_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include "pkg/kube/client/replay_test_util.h"

namespace osbx::kube {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kBatchSandboxes;
using testing::NewClient;
using testing::ReadTestdata;
using testing::ReplayServer;
using testing::WithClock;

const ResourceRef kPods{"", "v1", "pods", "Pod", true};
constexpr char kCollection[] =
    "/apis/sandbox.opensandbox.io/v1alpha1/namespaces/wire/batchsandboxes";

// The BatchSandbox of the captured watch's ADDED event, as a GET would return it.
std::string CapturedObject() {
  return Json::parse(testing::FirstCapturedEventLine())["object"].dump() + "\n";
}

class RestClientTest : public testing::ReplayFixture<> {};

TEST_F(RestClientTest, GetSendsCredentialsAndDecodesTheObject) {
  ServeReply(200, CapturedObject());
  auto client = NewClient(server_.Config("s3cret"));
  StatusOr<Json> obj = client->Get(kBatchSandboxes, "wire", "watch-demo");
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_EQ((*obj)["metadata"]["resourceVersion"], "1651");
  http::Request r = server_.requests().at(0);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, std::string(kCollection) + "/watch-demo");
  EXPECT_EQ(r.headers.Get("Authorization"), "Bearer s3cret");
  EXPECT_EQ(r.headers.Get("Accept"), "application/json");
  EXPECT_THAT(std::string(r.headers.Get("User-Agent")), HasSubstr("opensandbox-controller"));
}

struct ReplayedError {
  const char* file;
  int http_code;
  const char* content_type;
  StatusCode expected;
};

class ReplayedErrorTest : public RestClientTest,
                          public ::testing::WithParamInterface<ReplayedError> {};

TEST_P(ReplayedErrorTest, ErrorAnswersAreTypedByReason) {
  const ReplayedError& e = GetParam();
  std::string body = ReadTestdata(std::string("errors/") + e.file + ".body");
  Serve([&](size_t, const http::Request&, http::ResponseWriter& w) {
    ReplayServer::Reply(w, e.http_code, body, e.content_type);
  });
  auto client = NewClient(server_.Config());
  StatusOr<Json> r = client->Create(kBatchSandboxes, "wire", Json{{"metadata", {{"name", "x"}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), e.expected) << r.status().ToString();
  EXPECT_EQ(server_.requests().size(), 1u);  // none of these is retried
}

INSTANTIATE_TEST_SUITE_P(
    KubeWire, ReplayedErrorTest,
    ::testing::Values(
        ReplayedError{"404_not_found_cr", 404, "application/json", StatusCode::kNotFound},
        ReplayedError{"404_text_plain", 404, "text/plain; charset=utf-8", StatusCode::kNotFound},
        ReplayedError{"409_already_exists", 409, "application/json", StatusCode::kAlreadyExists},
        ReplayedError{"409_conflict_stale_rv", 409, "application/json", StatusCode::kConflict},
        ReplayedError{"410_expired_list", 410, "application/json", StatusCode::kGone},
        ReplayedError{"422_invalid_two_causes", 422, "application/json", StatusCode::kInvalid},
        ReplayedError{"403_forbidden", 403, "application/json", StatusCode::kForbidden}),
    [](const ::testing::TestParamInfo<ReplayedError>& param_info) {
      return std::string(param_info.param.file).substr(4);
    });

TEST_F(RestClientTest, InvalidAnswerKeepsItsCauses) {
  ServeReply(422, ReadTestdata("errors/422_invalid_two_causes.body"));
  auto client = NewClient(server_.Config());
  StatusOr<Json> r = client->Create(kBatchSandboxes, "wire", Json::object());
  ASSERT_EQ(r.status().causes().size(), 2u);
  EXPECT_EQ(r.status().causes()[1].field, "spec.replicas");
}

// Three pages with the metadata a real server returned for limit=2 (semantics.md §5); items are
// the captured BatchSandbox renamed.
std::string Page(const std::vector<std::string>& names, const std::string& cont,
                 std::optional<int> remaining) {
  Json object = Json::parse(CapturedObject());
  Json list = {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
               {"items", Json::array()},
               {"kind", "BatchSandboxList"},
               {"metadata", {{"continue", cont}, {"resourceVersion", "2084"}}}};
  if (remaining) list["metadata"]["remainingItemCount"] = *remaining;
  for (const std::string& name : names) {
    object["metadata"]["name"] = name;
    list["items"].push_back(object);
  }
  return list.dump() + "\n";
}

constexpr char kToken1[] =
    "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MjA4NCwic3RhcnQiOiIvZXhwaXJpbmctc2FuZGJveFx1MDAwMCJ9";
constexpr char kToken2[] =
    "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MjA4NCwic3RhcnQiOiIvcGFnZS0xXHUwMDAwIn0";

TEST_F(RestClientTest, ListAllFollowsContinueAcrossThreePages) {
  Serve([](size_t i, const http::Request&, http::ResponseWriter& w) {
    if (i == 0)
      ReplayServer::Reply(w, 200, Page({"basic-batch-sandbox", "expiring-sandbox"}, kToken1, 3));
    if (i == 1) ReplayServer::Reply(w, 200, Page({"page-0", "page-1"}, kToken2, 1));
    if (i == 2) ReplayServer::Reply(w, 200, Page({"page-2"}, "", std::nullopt));
  });
  auto client = NewClient(server_.Config());
  ListOptions options;
  options.limit = 2;
  options.resource_version = "2000";
  options.resource_version_match = "NotOlderThan";
  StatusOr<ListResult> all = client->ListAll(kBatchSandboxes, "wire", options);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> names;
  for (const Json& item : all->items) names.push_back(item["metadata"]["name"]);
  EXPECT_THAT(names,
              ElementsAre("basic-batch-sandbox", "expiring-sandbox", "page-0", "page-1", "page-2"));
  EXPECT_EQ(all->resource_version, "2084");
  EXPECT_EQ(all->continue_token, "");
  std::vector<http::Request> reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].query.GetOr("resourceVersion", ""), "2000");
  EXPECT_EQ(reqs[0].query.GetOr("limit", ""), "2");
  EXPECT_FALSE(reqs[0].query.Has("continue"));
  // Later pages carry the token and no resourceVersion (the server refuses both together).
  EXPECT_EQ(reqs[1].query.GetOr("continue", ""), kToken1);
  EXPECT_FALSE(reqs[1].query.Has("resourceVersion"));
  EXPECT_FALSE(reqs[1].query.Has("resourceVersionMatch"));
  EXPECT_EQ(reqs[2].query.GetOr("continue", ""), kToken2);
}

TEST_F(RestClientTest, ExpiredContinueFallsBackToOneUnpagedList) {
  Serve([](size_t i, const http::Request&, http::ResponseWriter& w) {
    if (i == 0) ReplayServer::Reply(w, 200, Page({"a", "b"}, kToken1, 3));
    if (i == 1) ReplayServer::Reply(w, 410, ReadTestdata("errors/410_expired_continue.body"));
    if (i == 2) ReplayServer::Reply(w, 200, Page({"a", "b", "c"}, "", std::nullopt));
  });
  auto client = NewClient(server_.Config());
  StatusOr<ListResult> all = client->ListAll(kBatchSandboxes, "wire", ListOptions{});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->items.size(), 3u);
  std::vector<http::Request> reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].query.GetOr("limit", ""), "500");
  EXPECT_FALSE(reqs[2].query.Has("limit"));
  EXPECT_FALSE(reqs[2].query.Has("continue"));
}

TEST_F(RestClientTest, BuiltInListItemsBecomeSelfDescribing) {
  Serve([](size_t, const http::Request&, http::ResponseWriter& w) {
    ReplayServer::Reply(
        w, 200,
        R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"2054"},"items":[{"metadata":{"name":"p","namespace":"wire"},"spec":{},"status":{}}]})"
        "\n");
  });
  auto client = NewClient(server_.Config());
  StatusOr<ListResult> list = client->List(kPods, "", ListOptions{});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.at(0)["kind"], "Pod");
  EXPECT_EQ(server_.requests().at(0).target, "/api/v1/pods");
}

constexpr char k429Body[] =
    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Too many requests, please try again later.","reason":"TooManyRequests","details":{"retryAfterSeconds":1},"code":429})"
    "\n";

TEST_F(RestClientTest, TooManyRequestsIsRetriedAfterRetryAfterThenSucceeds) {
  Serve([](size_t i, const http::Request&, http::ResponseWriter& w) {
    if (i == 0) {
      w.Send(429, http::Headers{{"Content-Type", "application/json"}, {"Retry-After", "1"}},
             k429Body);
    } else {
      ReplayServer::Reply(w, 201, CapturedObject());
    }
  });
  FakeClock clock;
  std::promise<void> throttled;
  std::vector<int> codes;
  RestClientOptions options;
  options.clock = &clock;
  options.observer = [&](const RequestMetrics& m) {
    codes.push_back(m.code);
    EXPECT_EQ(m.verb, "POST");
    EXPECT_EQ(m.resource, "batchsandboxes");
    if (m.code == 429) throttled.set_value();
  };
  auto client = NewClient(server_.Config(), options);
  auto result = std::async(std::launch::async, [&] {
    return client->Create(kBatchSandboxes, "wire", Json{{"metadata", {{"name", "x"}}}});
  });
  throttled.get_future().wait();
  // The retry waits for the server's Retry-After in simulated time, no less.
  clock.Advance(std::chrono::milliseconds(999));
  EXPECT_EQ(result.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  clock.Advance(std::chrono::milliseconds(1));
  StatusOr<Json> created = result.get();
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_THAT(codes, ElementsAre(429, 201));
  EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(RestClientTest, RetriesAreBounded) {
  Serve([](size_t, const http::Request&, http::ResponseWriter& w) {
    w.Send(429, http::Headers{{"Content-Type", "application/json"}}, k429Body);
  });
  RestClientOptions options;
  options.retry.max_retries = 2;
  options.retry.max_wait = std::chrono::milliseconds(1);  // real clock: keep the test short
  auto client = NewClient(server_.Config(), options);
  StatusOr<Json> r = client->Get(kBatchSandboxes, "wire", "x");
  EXPECT_EQ(r.status().code(), StatusCode::kTooManyRequests);
  EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(RestClientTest, NonIdempotentCallIsNotRetriedOnUnavailable) {
  Serve([](size_t, const http::Request&, http::ResponseWriter& w) {
    ReplayServer::Reply(w, 503, "service unavailable", "text/plain");
  });
  auto client = NewClient(server_.Config());
  StatusOr<Json> r = client->Patch(kBatchSandboxes, "wire", "x", PatchType::kMerge, "{}");
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(RestClientTest, CreateWithGenerateNamePostsToTheCollection) {
  Serve([](size_t, const http::Request& r, http::ResponseWriter& w) {
    Json obj = Json::parse(r.body);
    obj["metadata"]["name"] = obj["metadata"]["generateName"].get<std::string>() + "lpsck";
    obj["metadata"]["resourceVersion"] = "2090";
    ReplayServer::Reply(w, 201, obj.dump() + "\n");
  });
  auto client = NewClient(server_.Config());
  Json object = {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
                 {"kind", "BatchSandbox"},
                 {"metadata", {{"generateName", "gen-"}, {"namespace", "wire"}}},
                 {"spec", Json::object()}};
  WriteOptions write;
  write.field_manager = "ctl";
  StatusOr<Json> created = client->Create(kBatchSandboxes, "", object, write);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ((*created)["metadata"]["name"], "gen-lpsck");
  http::Request r = server_.requests().at(0);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, kCollection);
  EXPECT_EQ(r.query.GetOr("fieldManager", ""), "ctl");
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/json");
  EXPECT_FALSE(Json::parse(r.body)["metadata"].contains("name"));
}

TEST_F(RestClientTest, UpdateStatusPatchAndDeleteShapeTheirRequests) {
  Serve([](size_t i, const http::Request&, http::ResponseWriter& w) {
    if (i < 3) return ReplayServer::Reply(w, 200, CapturedObject());
    ReplayServer::Reply(
        w, 200,
        R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"watch-demo","group":"sandbox.opensandbox.io","kind":"batchsandboxes","uid":"b83c1b7c-bca8-4865-a8ed-49080eb68e9a"}})"
        "\n");
  });
  auto client = NewClient(server_.Config());
  Json obj = Json::parse(CapturedObject());
  ASSERT_TRUE(client->UpdateStatus(kBatchSandboxes, obj).ok());
  ASSERT_TRUE(client->Update(kBatchSandboxes, obj).ok());
  PatchOptions apply;
  apply.field_manager = "ctl";
  apply.force = true;
  ASSERT_TRUE(client
                  ->Patch(kBatchSandboxes, "wire", "watch-demo", PatchType::kApply,
                          R"({"spec":{"replicas":3}})", apply)
                  .ok());
  DeleteOptions del;
  del.propagation_policy = "Background";
  del.precondition_uid = "b83c1b7c-bca8-4865-a8ed-49080eb68e9a";
  StatusOr<Json> deleted = client->Delete(kBatchSandboxes, "wire", "watch-demo", del);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ((*deleted)["status"], "Success");

  std::vector<http::Request> reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].path, std::string(kCollection) + "/watch-demo/status");
  EXPECT_EQ(reqs[1].method, "PUT");
  EXPECT_EQ(reqs[1].path, std::string(kCollection) + "/watch-demo");
  EXPECT_EQ(Json::parse(reqs[1].body)["metadata"]["resourceVersion"], "1651");
  EXPECT_EQ(reqs[2].method, "PATCH");
  EXPECT_EQ(reqs[2].headers.Get("Content-Type"), "application/apply-patch+yaml");
  EXPECT_EQ(reqs[2].raw_query, "fieldManager=ctl&force=true");
  EXPECT_EQ(reqs[3].method, "DELETE");
  Json body = Json::parse(reqs[3].body);
  EXPECT_EQ(body["propagationPolicy"], "Background");
  EXPECT_EQ(body["preconditions"]["uid"], "b83c1b7c-bca8-4865-a8ed-49080eb68e9a");
}

TEST_F(RestClientTest, ApplyWithoutFieldManagerFailsBeforeSending) {
  ServeReply(200, "{}");
  auto client = NewClient(server_.Config());
  StatusOr<Json> r = client->Patch(kBatchSandboxes, "wire", "x", PatchType::kApply, "{}");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(RestClientTest, DiscoveryDocumentsThroughGenericRequest) {
  Serve([](size_t, const http::Request& r, http::ResponseWriter& w) {
    if (r.path == "/api/v1") {
      return ReplayServer::Reply(w, 200,
                                 ReadTestdata("discovery/discovery-api-v1-APIResourceList.json"));
    }
    ReplayServer::Reply(w, 200, ReadTestdata("discovery/discovery-apis-legacy-APIGroupList.json"));
  });
  auto client = NewClient(server_.Config());
  StatusOr<RawResponse> core = client->Request("GET", "/api/v1");
  ASSERT_TRUE(core.ok()) << core.status().ToString();
  Json resources = Json::parse(core->body);
  EXPECT_EQ(resources["kind"], "APIResourceList");
  bool has_pods = false;
  for (const Json& r : resources["resources"]) has_pods |= r["name"] == "pods";
  EXPECT_TRUE(has_pods);
  constexpr char kAggregated[] =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
  StatusOr<RawResponse> groups =
      client->Request("GET", "/apis", {}, {}, {}, {{"Accept", kAggregated}});
  ASSERT_TRUE(groups.ok());
  bool has_sandbox_group = false;
  Json group_list = Json::parse(groups->body);
  for (const Json& g : group_list["groups"]) {
    has_sandbox_group |= g["name"] == "sandbox.opensandbox.io";
  }
  EXPECT_TRUE(has_sandbox_group);
  EXPECT_EQ(server_.requests().at(1).headers.Get("Accept"), kAggregated);
  EXPECT_EQ(server_.requests().at(1).headers.GetAll("Accept").size(), 1u);
}

TEST_F(RestClientTest, UntrustedServerCertificateIsRejected) {
  ServeReply(200, "{}");
  StatusOr<http::KeyPair> other_ca = http::GenerateCa();
  ASSERT_TRUE(other_ca.ok());
  RestConfig config = server_.Config();
  config.ca_pem = other_ca->cert_pem;
  auto client = NewClient(config);
  StatusOr<RawResponse> r = client->Request("GET", "/version");
  // A verification failure is final: not retried, not mistaken for an unavailable server.
  EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(r.status().message(), HasSubstr("certificate"));
  EXPECT_TRUE(server_.requests().empty());

  config.insecure_skip_tls_verify = true;
  auto insecure = NewClient(config);
  EXPECT_TRUE(insecure->Request("GET", "/version").ok());
}

TEST_F(RestClientTest, ClientCertificateConfigurationIsAccepted) {
  ServeReply(200, "{}");
  StatusOr<http::KeyPair> client_cert = http::IssueServingCert(server_.ca());
  ASSERT_TRUE(client_cert.ok());
  RestConfig config = server_.Config("");
  config.client_cert_pem = client_cert->cert_pem;
  config.client_key_pem = client_cert->key_pem;
  auto client = NewClient(config);
  StatusOr<RawResponse> r = client->Request("GET", "/version");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(server_.requests().at(0).headers.Has("Authorization"));
}

TEST_F(RestClientTest, ClientSideLimiterThrottlesRequests) {
  ServeReply(200, CapturedObject());
  FakeClock clock;
  RestConfig config = server_.Config();
  config.qps = 1;
  config.burst = 1;
  auto client = NewClient(config, WithClock(&clock));
  ASSERT_TRUE(client->Get(kBatchSandboxes, "wire", "a").ok());
  auto second =
      std::async(std::launch::async, [&] { return client->Get(kBatchSandboxes, "wire", "b"); });
  EXPECT_EQ(second.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  EXPECT_EQ(server_.requests().size(), 1u);
  clock.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(second.get().ok());
}

}  // namespace
}  // namespace osbx::kube
