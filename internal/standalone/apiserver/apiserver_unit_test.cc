// Unit tests of the API server's building blocks: wire encoding, errors, negotiation, paths,
// protobuf decoding, tables and discovery bodies (compared with bodies captured from a real
// kube-apiserver in /work/shared/reference/kube-wire where those files are present).

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "internal/standalone/apiserver/api_error.h"
#include "internal/standalone/apiserver/discovery.h"
#include "internal/standalone/apiserver/negotiation.h"
#include "internal/standalone/apiserver/object_codec.h"
#include "internal/standalone/apiserver/protobuf.h"
#include "internal/standalone/apiserver/registry.h"
#include "internal/standalone/apiserver/request_info.h"
#include "internal/standalone/apiserver/table.h"
#include "internal/standalone/apiserver/wire_json.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::standalone {
namespace {

constexpr const char* kWireDir = "/work/shared/reference/kube-wire/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The CRDs of the capture (kubectl-requests.md), reduced to what discovery reads.
Json CaptureCrd(const std::string& plural, const std::string& kind,
                std::vector<std::string> short_names) {
  Json names = {{"plural", plural},
                {"singular", kind == "Pool" ? "pool" : "batchsandbox"},
                {"kind", kind},
                {"listKind", kind + "List"}};
  if (!short_names.empty()) names["shortNames"] = short_names;
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", plural + ".sandbox.opensandbox.io"}}},
          {"spec",
           {{"group", "sandbox.opensandbox.io"},
            {"names", names},
            {"scope", "Namespaced"},
            {"versions",
             {{{"name", "v1alpha1"},
               {"served", true},
               {"storage", true},
               {"subresources", {{"status", Json::object()}}},
               {"schema",
                {{"openAPIV3Schema",
                  {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}}}}}}}}};
}

}  // namespace

// A BatchSandbox CRD whose schema declares spec.replicas only (unknown fields are pruned).
Json CaptureCrdWithSpecSchema() {
  Json crd = CaptureCrd("batchsandboxes", "BatchSandbox", {"bsbx"});
  crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = Json::parse(
      R"({"type":"object","properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer"}}}}})");
  return crd;
}

namespace {

TEST(WireJsonTest, EscapesHtmlCharactersAsGoDoes) {
  EXPECT_EQ(GoJson(Json{{"m", "<nil> & >"}}), R"({"m":"\u003cnil\u003e \u0026 \u003e"})");
}

TEST(WireJsonTest, BuiltinObjectsUseStructOrder) {
  Json pod = Json::parse(
      R"({"status":{},"spec":{},"metadata":{"uid":"u","name":"p","namespace":"n"},"kind":"Pod","apiVersion":"v1"})");
  EXPECT_EQ(
      GoJson(OrderBuiltinObject(pod)),
      R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"n","uid":"u"},"spec":{},"status":{}})");
}

TEST(ApiErrorTest, NotFoundBodiesMatchKubeApiserver) {
  EXPECT_EQ(
      BodyText(ApiError::NotFound("sandbox.opensandbox.io", "batchsandboxes", "nope").body),
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"batchsandboxes.sandbox.opensandbox.io \"nope\" not found","reason":"NotFound","details":{"name":"nope","group":"sandbox.opensandbox.io","kind":"batchsandboxes"},"code":404})"
      "\n");
  EXPECT_EQ(
      BodyText(ApiError::NotFound("", "pods", "nope").body),
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"pods"},"code":404})"
      "\n");
}

TEST(ApiErrorTest, ConflictAndUnsupportedMediaTypeBodiesMatchKubeApiserver) {
  ApiError conflict = ApiError::Conflict("sandbox.opensandbox.io", "batchsandboxes", "err-demo");
  EXPECT_EQ(conflict.code, 409);
  EXPECT_EQ(BodyText(conflict.body).size(), 376u);
  ApiError media = ApiError::UnsupportedMediaType(
      "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
  EXPECT_EQ(BodyText(media.body).size(), 293u);
}

TEST(ApiErrorTest, InvalidUsesKindAndAggregatesCauses) {
  ApiError e = ApiError::Invalid(
      "BatchSandbox", "sandbox.opensandbox.io", "bad-min",
      {{"FieldValueInvalid",
        "Invalid value: -1: spec.replicas in body should be greater than or equal to 0",
        "spec.replicas"}});
  EXPECT_EQ(BodyText(e.body).size(), 504u);
  EXPECT_EQ(e.body["details"]["kind"], "BatchSandbox");
}

TEST(ApiErrorTest, NotAcceptableIsIndentedLikeTheRealServer) {
  EXPECT_EQ(ApiError::NotAcceptable().body.dump(2).size(), 262u);
}

TEST(NegotiationTest, KubectlGetAsksForATable) {
  Negotiated n = NegotiateAccept(
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta."
      "k8s.io,application/json",
      false);
  EXPECT_EQ(n.representation, Representation::kTable);
  EXPECT_EQ(n.version, "v1");
  EXPECT_EQ(NegotiateAccept("application/json;as=Table;v=v1beta1;g=meta.k8s.io", false).version,
            "v1beta1");
}

TEST(NegotiationTest, ProtobufFirstFallsBackToJsonAndHtmlIsNotAcceptable) {
  EXPECT_EQ(
      NegotiateAccept("application/vnd.kubernetes.protobuf,application/json", false).representation,
      Representation::kJson);
  EXPECT_EQ(NegotiateAccept("text/html", false).representation, Representation::kNotAcceptable);
  EXPECT_EQ(NegotiateAccept("application/json;g=apidiscovery.k8s.io;v=v2beta1;as="
                            "APIGroupDiscoveryList",
                            true)
                .representation,
            Representation::kNotAcceptable);
  EXPECT_EQ(NegotiateAccept("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                            "application/json",
                            true)
                .representation,
            Representation::kDiscoveryV2);
}

TEST(RequestInfoTest, ParsesNamespacedClusterAndSubresourcePaths) {
  auto a = ParseResourcePath(
      "/apis/sandbox.opensandbox.io/v1alpha1/namespaces/w/batchsandboxes/x/status");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->group, "sandbox.opensandbox.io");
  EXPECT_EQ(a->namespace_, "w");
  EXPECT_EQ(a->resource, "batchsandboxes");
  EXPECT_EQ(a->name, "x");
  EXPECT_EQ(a->subresource, "status");
  auto ns = ParseResourcePath("/api/v1/namespaces/wire");
  ASSERT_TRUE(ns);
  EXPECT_EQ(ns->resource, "namespaces");
  EXPECT_EQ(ns->name, "wire");
  EXPECT_FALSE(ns->namespaced);
  EXPECT_FALSE(ParseResourcePath("/metrics"));
}

TEST(ProtobufTest, DecodesTheNamespaceKubectlCreateSends) {
  // The 55 bytes kubectl v1.32 posts for `kubectl create ns wire` (kubectl-requests.md).
  const unsigned char bytes[] = {0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0f, 0x0a, 0x02, 0x76, 0x31, 0x12,
                                 0x09, 0x4e, 0x61, 0x6d, 0x65, 0x73, 0x70, 0x61, 0x63, 0x65, 0x12,
                                 0x1c, 0x0a, 0x14, 0x0a, 0x04, 0x77, 0x69, 0x72, 0x65, 0x12, 0x00,
                                 0x1a, 0x00, 0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00, 0x42,
                                 0x00, 0x12, 0x00, 0x1a, 0x02, 0x0a, 0x00, 0x1a, 0x00, 0x22, 0x00};
  StatusOr<Json> decoded =
      DecodeProtobufObject(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ((*decoded)["kind"], "Namespace");
  EXPECT_EQ((*decoded)["metadata"]["name"], "wire");
}

TEST(ProtobufTest, MalformedBytesAreABadRequestNotACrash) {
  StatusOr<Json> decoded = DecodeProtobufObject(std::string("k8s\0\x0a\xff", 6));
  EXPECT_FALSE(decoded.ok());
  EXPECT_FALSE(DecodeProtobufObject("garbage").ok());
}

TEST(TableTest, HumanDurationMatchesKube) {
  using std::chrono::seconds;
  EXPECT_EQ(HumanDuration(seconds(0)), "0s");
  EXPECT_EQ(HumanDuration(seconds(-1)), "0s");
  EXPECT_EQ(HumanDuration(seconds(119)), "119s");
  EXPECT_EQ(HumanDuration(seconds(227)), "3m47s");
  EXPECT_EQ(HumanDuration(seconds(240)), "4m");
  EXPECT_EQ(HumanDuration(seconds(600)), "10m");
  EXPECT_EQ(HumanDuration(seconds(5 * 3600 + 180)), "5h3m");
  EXPECT_EQ(HumanDuration(seconds(20 * 3600)), "20h");
  EXPECT_EQ(HumanDuration(seconds(76 * 3600)), "3d4h");
  EXPECT_EQ(HumanDuration(seconds(400 * 86400)), "400d");
  EXPECT_EQ(HumanDuration(seconds(3 * 365 * 86400 + 86400 * 30)), "3y30d");
}

TEST(TableTest, JsonPathSubsetSelectsFieldsIndexesAndWildcards) {
  Json o = Json::parse(R"({"a":{"b":[{"c":1},{"c":2}]}})");
  EXPECT_EQ(EvaluateJsonPath(o, ".a.b[0].c"), std::vector<Json>{1});
  EXPECT_EQ(EvaluateJsonPath(o, ".a.b[*].c"), (std::vector<Json>{1, 2}));
  EXPECT_TRUE(EvaluateJsonPath(o, ".a.x").empty());
}

TEST(TableTest, CustomColumnsRenderIntegersNullsAndAges) {
  Registry registry;
  Json crd = CaptureCrd("pools", "Pool", {});
  crd["spec"]["versions"][0]["additionalPrinterColumns"] = Json::parse(
      R"([{"name":"TOTAL","type":"integer","jsonPath":".status.total"},{"name":"AGE","type":"date","jsonPath":".metadata.creationTimestamp"}])");
  ASSERT_TRUE(registry.PutCrd(crd).ok());
  ResourcePtr pools = registry.Find("sandbox.opensandbox.io", "v1alpha1", "pools");
  ASSERT_NE(pools, nullptr);
  Json pool = Json::parse(
      R"({"metadata":{"name":"p","creationTimestamp":"2026-11-29T17:37:15Z"},"status":{}})");
  TableOptions options;
  options.now = *kube::ParseTime("2026-11-29T17:41:02Z");
  OrderedJson row = TableRow(*pools, pool, OrderedJson(), options);
  EXPECT_EQ(GoJson(row["cells"]), R"(["p",null,"3m47s"])");
  EXPECT_EQ(row["object"]["kind"], "PartialObjectMetadata");
}

TEST(TableTest, PodColumnsFollowKubectl) {
  Registry registry;
  ResourcePtr pods = registry.Find("", "v1", "pods");
  Json pod =
      Json::parse(R"({"metadata":{"name":"sandbox-pod","creationTimestamp":"2026-11-29T17:37:15Z"},
    "spec":{"nodeName":"127.0.0.1","containers":[{"name":"c"}]},
    "status":{"phase":"Running","podIP":"10.88.0.13","containerStatuses":[{"ready":true,"restartCount":0,"state":{"running":{}}}]}})");
  TableOptions options;
  options.now = *kube::ParseTime("2026-11-29T17:37:21Z");
  OrderedJson row = TableRow(*pods, pod, OrderedJson(), options);
  EXPECT_EQ(
      GoJson(row["cells"]),
      R"(["sandbox-pod","1/1","Running","0","6s","10.88.0.13","127.0.0.1","\u003cnone\u003e","\u003cnone\u003e"])");
}

TEST(RegistryTest, StorageVersionHashesMatchKube) {
  Registry registry;
  EXPECT_EQ(registry.Find("", "v1", "pods")->StorageVersionHash(), "xPOwRZ+Yhw8=");
  EXPECT_EQ(registry.Find("coordination.k8s.io", "v1", "leases")->StorageVersionHash(),
            "gqkMMb/YqFM=");
}

TEST(DiscoveryTest, GroupVersionResourceListIsByteExact) {
  Registry registry;
  EXPECT_EQ(
      BodyText(ResourceList(registry, "coordination.k8s.io", "v1")),
      R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":"coordination.k8s.io/v1","resources":[{"name":"leases","singularName":"lease","namespaced":true,"kind":"Lease","verbs":["create","delete","deletecollection","get","list","patch","update","watch"],"storageVersionHash":"gqkMMb/YqFM="}]})"
      "\n");
  ASSERT_TRUE(registry.PutCrd(CaptureCrd("batchsandboxes", "BatchSandbox", {"bsbx"})).ok());
  ASSERT_TRUE(registry.PutCrd(CaptureCrd("pools", "Pool", {})).ok());
  EXPECT_EQ(BodyText(ResourceList(registry, "sandbox.opensandbox.io", "v1alpha1")).size(),
            770u);  // Content-Length in discovery.md
}

TEST(DiscoveryTest, AggregatedItemsMatchTheCapturedApisDocument) {
  std::string captured = ReadFile(std::string(kWireDir) + "discovery-apis-aggregated-v2.json");
  if (captured.empty()) GTEST_SKIP() << "kube-wire captures not present";
  Json doc = Json::parse(captured);
  Registry registry;
  ASSERT_TRUE(registry.PutCrd(CaptureCrd("batchsandboxes", "BatchSandbox", {"bsbx"})).ok());
  ASSERT_TRUE(registry.PutCrd(CaptureCrd("pools", "Pool", {})).ok());
  OrderedJson ours = AggregatedGroups(registry);
  for (const char* group : {"coordination.k8s.io", "sandbox.opensandbox.io"}) {
    std::string want, have;
    for (const Json& item : doc["items"]) {
      if (item["metadata"]["name"] == group) want = item.dump();
    }
    for (const OrderedJson& item : ours["items"]) {
      if (item["metadata"]["name"] == group) have = Json::parse(item.dump()).dump();
    }
    EXPECT_EQ(have, want) << group;
  }
}

TEST(ObjectCodecTest, MalformedJsonGetsKubesMessage) {
  Registry registry;
  ResourcePtr pools = registry.Find("", "v1", "pods");
  ApiOr<Json> r = DecodeObjectBody(*pools, BodyType::kJson,
                                   R"({"apiVersion":"sandbox.opensandbox.io/v1alpha1","kind")");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().body["message"],
            "the object provided is unrecognized (must be of type Pod): couldn't get "
            "version/kind; json parse error: unexpected end of JSON input "
            "({\"apiVersion\":\"sandbox.opensan ...)");
}

}  // namespace
}  // namespace osbx::standalone

namespace osbx::standalone {
namespace {

TEST(ObjectCodecTest, StrictFieldValidationListsDuplicatesThenUnknownFields) {
  Registry registry;
  ASSERT_TRUE(registry.PutCrd(CaptureCrdWithSpecSchema()).ok());
  ResourcePtr r = registry.Find("sandbox.opensandbox.io", "v1alpha1", "batchsandboxes");
  std::string body =
      R"({"apiVersion":"sandbox.opensandbox.io/v1alpha1","kind":"BatchSandbox","metadata":{"name":"fv","foo":1},"spec":{"replicas":1,"foo":"bar","replicas":2},"bogus":true})";
  Json object = Json::parse(body);
  ApiOr<bool> strict =
      ApplyFieldValidation(*r, "Strict", object, nullptr, FindDuplicateFields(body));
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(BodyText(strict.error().body).size(), 330u);  // Content-Length in openapi.md
  EXPECT_EQ(strict.error().body["message"],
            "BatchSandbox in version \"v1alpha1\" cannot be handled as a BatchSandbox: strict "
            "decoding error: duplicate field \"spec.replicas\", unknown field \"metadata.foo\", "
            "unknown field \"bogus\", unknown field \"spec.foo\"");
  Json again = Json::parse(body);
  std::vector<std::string> warnings;
  ASSERT_TRUE(ApplyFieldValidation(*r, "Warn", again, &warnings, FindDuplicateFields(body)).ok());
  EXPECT_EQ(warnings.size(), 4u);
  EXPECT_FALSE(again.contains("bogus"));
}

}  // namespace
}  // namespace osbx::standalone
