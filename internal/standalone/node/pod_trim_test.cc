#include "internal/standalone/node/pod_trim.h"

#include <gtest/gtest.h>

#include "internal/standalone/node/pod_status.h"

namespace osbx::standalone {
namespace {

TEST(PodTrimTest, KeepsOnlyWhatTheNodeReads) {
  Json pod = Json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "namespace": "ns", "uid": "u", "resourceVersion": "9",
                 "labels": {"app": "x"}, "ownerReferences": [{"uid": "o"}],
                 "managedFields": [{}], "deletionTimestamp": "2027-01-01T00:00:00Z",
                 "deletionGracePeriodSeconds": 5,
                 "annotations": {"sim.opensandbox.io/ready": "false", "other/a": "b"}},
    "spec": {"nodeName": "n", "restartPolicy": "Always",
             "containers": [{"name": "main", "image": "busybox", "command": ["sh"]}]},
    "status": {"phase": "Running", "qosClass": "BestEffort", "podIP": "10.0.0.1",
               "podIPs": [{"ip": "10.0.0.1"}],
               "containerStatuses": [{"name": "main", "image": "busybox", "imageID": "i",
                                      "containerID": "c", "started": true, "ready": true,
                                      "restartCount": 0}]}
  })");
  TrimPodForNode(pod);
  EXPECT_EQ(pod, Json::parse(R"({
    "metadata": {"name": "p", "namespace": "ns", "uid": "u", "resourceVersion": "9",
                 "deletionTimestamp": "2027-01-01T00:00:00Z", "deletionGracePeriodSeconds": 5,
                 "annotations": {"sim.opensandbox.io/ready": "false"}},
    "spec": {"nodeName": "n", "containers": [{"name": "main", "image": "busybox"}]},
    "status": {"phase": "Running", "podIP": "10.0.0.1",
               "containerStatuses": [{"name": "main", "ready": true, "restartCount": 0}]}
  })"));
}

TEST(PodTrimTest, ATrimmedDesiredStatusIsStableUnderItsOwnInputs) {
  Json pod = Json::parse(R"({"metadata": {"name": "p", "uid": "u"},
    "spec": {"containers": [{"name": "main", "image": "busybox"}]},
    "status": {"phase": "Pending"}})");
  PodStatusInputs in;
  in.now = kube::Time(std::chrono::seconds(1'800'000'000));
  in.pod_ip = "10.244.0.2";
  Json written = DesiredPodStatus(pod, {}, in);
  pod["status"] = written;
  TrimPodForNode(pod);  // what the cache holds after the write
  Json again = DesiredPodStatus(pod, {}, in);
  TrimStatusForNode(again);
  EXPECT_EQ(again, pod["status"]);
}

TEST(PodTrimTest, PackedPodsUnpackToTheTrimmedPod) {
  Json pod = Json::parse(R"({"metadata": {"name": "p", "namespace": "ns", "uid": "u",
    "resourceVersion": "3", "labels": {"a": "b"}},
    "spec": {"nodeName": "n", "containers": [{"name": "main", "image": "busybox"}]},
    "status": {"phase": "Running"}})");
  Json trimmed = pod;
  TrimPodForNode(trimmed);
  Json packed = pod;
  PackPodForCache(packed);
  // What the informer and the event handlers read stays visible.
  EXPECT_EQ(packed["metadata"],
            Json::parse(R"({"name":"p","namespace":"ns","resourceVersion":"3"})"));
  EXPECT_EQ(packed["spec"]["nodeName"], "n");
  EXPECT_EQ(UnpackCachedPod(packed), trimmed);
  EXPECT_EQ(UnpackCachedPod(trimmed), trimmed);  // unpacked objects pass through
}

}  // namespace
}  // namespace osbx::standalone
