// The pod cache contract (TrimPodForCache / PodCacheProjection) and its fast path: a
// WatchEventDecoder built on PodCacheProjection must yield exactly what decoding the whole pod
// and then trimming it yields, for the recorded pod and for variants of it.

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "pkg/kube/cache/transform.h"
#include "pkg/kube/cache/watch_event_decoder.h"

namespace osbx::kube {
namespace {

// The pod kube-apiserver v1.36 returned for GET .../pods/sandbox-pod, managedFields included
// (bench/informer/README.md says how it was completed).
Json RecordedPod() {
  std::ifstream in("pkg/kube/cache/testdata/pod.json");
  EXPECT_TRUE(in.good()) << "tests run from the repository root";
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
}

std::string EventLine(std::string_view type, const Json& object) {
  return Json{{"type", type}, {"object", object}}.dump();
}

Json Trimmed(Json pod) {
  TrimPodForCache(pod);
  return pod;
}

TEST(PodCacheTest, TheRecordedPodTrimsToTheContract) {
  const Json expected = Json::parse(R"({
    "metadata": {"name": "sandbox-pod", "namespace": "wire",
                 "uid": "eb91246a-82b5-405b-8224-beee79084d16", "resourceVersion": "1175",
                 "creationTimestamp": "2026-11-29T17:37:15Z",
                 "labels": {"app": "wire"}},
    "spec": {"nodeName": "127.0.0.1"},
    "status": {"phase": "Running", "podIP": "10.88.0.13",
               "conditions": [{"type": "Ready", "status": "True",
                               "lastTransitionTime": "2026-11-29T17:37:16Z"}],
               "containerStatuses": [{"name": "sandbox-container", "restartCount": 0}]}})");
  EXPECT_EQ(Trimmed(RecordedPod()), expected);
}

TEST(PodCacheTest, TrimmingATrimmedPodChangesNothing) {
  const Json once = Trimmed(RecordedPod());
  EXPECT_EQ(Trimmed(once), once);
}

// scheduler::FromPod reads a waiting reason (a failing container) and the last termination
// reason (OOMKilled); exit codes, readiness and the current termination are not read.
TEST(PodCacheTest, ContainerStatesKeepOnlyTheReasonsControllersRead) {
  Json pod = Json::parse(R"({"status": {"containerStatuses": [{
      "name": "c", "ready": false, "restartCount": 3, "image": "i",
      "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": "t"}},
      "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": "t"},
                    "waiting": {"reason": "ignored"}}},
      {"name": "w", "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "m"}},
       "lastState": {"terminated": {"exitCode": 2}}}]}})");
  EXPECT_EQ(Trimmed(pod)["status"]["containerStatuses"], Json::parse(R"([
      {"name": "c", "restartCount": 3, "lastState": {"terminated": {"reason": "Error"}}},
      {"name": "w", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}])"));
}

TEST(PodCacheTest, MetadataKeepsWhatPredicatesAndOwnersReadAndDropsTheRest) {
  Json pod = Json::parse(R"({"metadata": {"name": "p-abcde", "generateName": "p-",
      "namespace": "ns", "uid": "u", "resourceVersion": "7", "generation": 3,
      "creationTimestamp": "t0", "deletionTimestamp": "t1", "deletionGracePeriodSeconds": 30,
      "labels": {"l": "v"}, "annotations": {"a": "b"}, "finalizers": ["f"],
      "ownerReferences": [{"apiVersion": "sandbox.opensandbox.io/v1alpha1", "kind": "Pool",
                           "name": "p", "uid": "pu", "controller": true}],
      "managedFields": [{"manager": "m"}]}})");
  EXPECT_EQ(Trimmed(pod)["metadata"], Json::parse(R"({"name": "p-abcde", "namespace": "ns",
      "uid": "u", "resourceVersion": "7", "creationTimestamp": "t0", "deletionTimestamp": "t1",
      "labels": {"l": "v"}, "annotations": {"a": "b"}, "finalizers": ["f"],
      "ownerReferences": [{"apiVersion": "sandbox.opensandbox.io/v1alpha1", "kind": "Pool",
                           "name": "p", "uid": "pu", "controller": true}]})"));
}

TEST(PodCacheTest, SpecKeepsOnlyTheNodeName) {
  Json pod = RecordedPod();
  EXPECT_EQ(Trimmed(pod)["spec"], (Json{{"nodeName", "127.0.0.1"}}));
  pod["spec"].erase("nodeName");  // not scheduled yet
  EXPECT_FALSE(Trimmed(pod).contains("spec"));
}

TEST(PodCacheTest, NodeLostReasonAndInitContainerStatusesAreKept) {
  Json pod = Json::parse(R"({"status": {"phase": "Unknown", "reason": "NodeLost", "message": "m",
      "initContainerStatuses": [{"name": "init", "restartCount": 1, "imageID": "x",
                                 "state": {"waiting": {"reason": "ErrImagePull", "message": "m"}}}]}})");
  EXPECT_EQ(Trimmed(pod)["status"], Json::parse(R"({"phase": "Unknown", "reason": "NodeLost",
      "initContainerStatuses": [{"name": "init", "restartCount": 1,
                                 "state": {"waiting": {"reason": "ErrImagePull"}}}]})"));
}

TEST(PodCacheTest, DefaultTransformTrimsCorePodsOnly) {
  Json pod = RecordedPod();
  DefaultTransformFor({"", "v1", "pods", "Pod", true})(pod);
  EXPECT_EQ(pod, Trimmed(RecordedPod()));
  Json sandbox = RecordedPod();
  DefaultTransformFor({"sandbox.opensandbox.io", "v1alpha1", "pods", "Pod", true})(sandbox);
  EXPECT_TRUE(sandbox["spec"].contains("volumes"));
  EXPECT_FALSE(sandbox["metadata"].contains("managedFields"));
}

// Variants of the recorded pod that exercise every rule of the contract.
std::vector<std::pair<std::string, std::function<void(Json&)>>> Variants() {
  return {
      {"recorded", [](Json&) {}},
      {"no status", [](Json& p) { p.erase("status"); }},
      {"no spec and no annotations",
       [](Json& p) {
         p.erase("spec");
         p["metadata"].erase("annotations");
       }},
      {"being deleted, owned, with annotations",
       [](Json& p) {
         Json& m = p["metadata"];
         m["deletionTimestamp"] = "2026-11-29T18:00:00Z";
         m["deletionGracePeriodSeconds"] = 30;
         m["finalizers"] = {"sandbox.opensandbox.io/allocation"};
         m["ownerReferences"] = Json::parse(
             R"([{"apiVersion":"sandbox.opensandbox.io/v1alpha1","kind":"Pool","name":"p",
                  "uid":"u-1","controller":true,"blockOwnerDeletion":true}])");
         m["annotations"]["sandbox.opensandbox.io/alloc"] = "{\"batch\":\"b\"}\n";
       }},
      {"node lost, init containers",
       [](Json& p) {
         p["status"]["phase"] = "Unknown";
         p["status"]["reason"] = "NodeLost";
         p["status"]["message"] = "Node 127.0.0.1 which was running pod is unresponsive";
         p["status"]["initContainerStatuses"] = Json::parse(
             R"([{"name":"init","ready":false,"restartCount":1,"image":"i","state":{"waiting":
                  {"reason":"ImagePullBackOff","message":"m"}},"lastState":{}}])");
       }},
      {"crashing and pending",
       [](Json& p) {
         p["status"]["phase"] = "Pending";
         p["status"]["conditions"] = Json::parse(R"([{"type":"PodScheduled","status":"True"}])");
         Json& s = p["status"]["containerStatuses"][0];
         s["ready"] = false;
         s["restartCount"] = 4;
         s["state"] = {{"waiting", {{"reason", "CrashLoopBackOff"}, {"message", "back-off"}}}};
         s["lastState"] = {{"terminated", {{"exitCode", 2}, {"reason", "Error"}}}};
         p["spec"]["containers"].push_back({{"name", "sidecar"}, {"image", "x:1"}});
       }},
      {"mistyped fields",
       [](Json& p) {
         p["spec"] = "not an object";
         p["status"]["conditions"] = Json::parse(R"([{"type":true},"Ready",{"status":"x"}])");
         p["status"]["containerStatuses"] = Json::parse(R"(["odd",{"name":"c","state":3}])");
         p["metadata"]["labels"] = nullptr;
         p["metadata"]["annotations"] = Json::array({"a"});
       }},
      {"escapes and numbers",
       [](Json& p) {
         p["metadata"]["labels"]["caf\u00e9/\"k\""] = "v\u2028\ttab";
         p["status"]["containerStatuses"][0]["restartCount"] = 18446744073709551615ULL;
         p["status"]["containerStatuses"].push_back({{"name", "d"}, {"restartCount", -1}});
         p["status"]["podIP"] = 0.5;
       }},
      {"empty object", [](Json& p) { p = Json::object(); }},
  };
}

TEST(PodCacheTest, FastDecodeEqualsDecodeThenTrim) {
  WatchEventDecoder fast(PodCacheProjection());
  WatchEventDecoder whole;
  for (const auto& [name, mutate] : Variants()) {
    Json pod = RecordedPod();
    mutate(pod);
    for (std::string_view type : {"ADDED", "MODIFIED", "DELETED"}) {
      const std::string line = EventLine(type, pod);
      StatusOr<WatchEvent> decoded = fast.DecodeEvent(line);
      ASSERT_TRUE(decoded.ok()) << name << " " << type << ": " << decoded.status().ToString();
      StatusOr<WatchEvent> reference = whole.DecodeEvent(line);
      ASSERT_TRUE(reference.ok()) << name;
      EXPECT_EQ(decoded->type, reference->type) << name;
      EXPECT_EQ(decoded->object, Trimmed(reference->object)) << name << " " << type;
      EXPECT_EQ(decoded->object, Trimmed(pod)) << name << " " << type;
    }
  }
}

TEST(PodCacheTest, FastDecodeOfAListItemEqualsDecodeThenTrim) {
  Json item = RecordedPod();
  item.erase("kind");
  item.erase("apiVersion");
  WatchEventDecoder fast(PodCacheProjection());
  StatusOr<Json> decoded = fast.DecodeObject(item.dump());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, Trimmed(item));
}

TEST(PodCacheTest, BookmarksDecodeAsWithoutAProjection) {
  const std::string line =
      EventLine("BOOKMARK", Json::parse(R"({"kind":"Pod","apiVersion":"v1","metadata":{
          "resourceVersion":"1678","annotations":{"k8s.io/initial-events-end":"true"}}})"));
  WatchEventDecoder fast(PodCacheProjection());
  WatchEventDecoder whole;
  StatusOr<WatchEvent> decoded = fast.DecodeEvent(line);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->type, WatchEventType::kBookmark);
  EXPECT_EQ(decoded->object, whole.DecodeEvent(line)->object);
}

TEST(PodCacheTest, ErrorEventsKeepTheWholeStatus) {
  const std::string line =
      R"js({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},)js"
      R"js("status":"Failure","message":"too old resource version: 1 (1156)","reason":"Expired",)js"
      R"js("code":410}})js";
  WatchEventDecoder fast(PodCacheProjection());
  StatusOr<WatchEvent> decoded = fast.DecodeEvent(line);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->type, WatchEventType::kError);
  EXPECT_EQ(decoded->object, Json::parse(line)["object"]);
}

TEST(PodCacheTest, FastDecodeRejectsWhatTheWholeDecoderRejects) {
  const std::string pod = RecordedPod().dump();
  WatchEventDecoder fast(PodCacheProjection());
  WatchEventDecoder whole;
  for (const std::string& bad : std::vector<std::string>{
           R"({"type":"ADDED","object":)" + pod.substr(0, pod.size() / 2),
           R"({"type":"ADDED","object":)" + pod + "} trailing",
           R"({"type":"ADDED","object":)" + pod + ",}",
           R"({"type":"NOPE","object":)" + pod + "}",
           R"({"object":)" + pod + "}",
           R"({"type":"ADDED"})",
           R"({"type":"ADDED","object":[1]})",
           R"({"type":"ADDED","object":{"metadata":{"managedFields":[1,,2]}}})",
           "",
       }) {
    StatusOr<WatchEvent> decoded = fast.DecodeEvent(bad);
    ASSERT_FALSE(decoded.ok()) << bad.substr(0, 80);
    EXPECT_EQ(decoded.status().code(), StatusCode::kBadRequest);
    EXPECT_FALSE(whole.DecodeEvent(bad).ok()) << bad.substr(0, 80);
  }
}

}  // namespace
}  // namespace osbx::kube
