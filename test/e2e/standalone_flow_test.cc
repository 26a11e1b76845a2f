// The seed README's flow end to end in standalone mode: the real opensandbox-controller binary
// (API server, simulated node and controllers in one process) driven by the real kubectl.
// Every wait is `kubectl wait` on a watch with a deadline, never a sleep.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "internal/utils/json.h"
#include "test/e2e/e2e_util.h"

namespace osbx::e2e {
namespace {

class StandaloneFlowTest : public testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ApiServerProcess>(
        dir_.path() + "/data", std::vector<std::string>{"opensandbox-controller", "standalone"});
    ASSERT_TRUE(server_->Start()) << "opensandbox-controller standalone did not start";
  }
  // A server that died fails the test; any failure keeps the server's log (see KeptLogDir()).
  void TearDown() override { CheckServerAfterTest(*server_); }

  CommandResult Kubectl(const std::string& args) { return server_->Kubectl(args); }

  // Waits until jsonpath `path` of `object` equals `value` (kubectl wait, 60 s deadline).
  void WaitFor(const std::string& object, const std::string& path, const std::string& value) {
    auto r = Kubectl("wait --timeout=60s --for=jsonpath='" + path + "'=" + value + " " + object);
    ASSERT_EQ(r.exit_code, 0) << object << " " << path << "!=" << value << ": " << r.err
                              << Kubectl("get " + object + " -o yaml").out
                              << Kubectl("get pools,pods,events").out;
  }

  Json Endpoints(const std::string& batch) {
    auto r = Kubectl("get batchsandbox " + batch +
                     " -o jsonpath='{.metadata.annotations.sandbox\\.opensandbox\\.io/endpoints}'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  }

  std::set<std::string> PodIps(const std::string& selector) {
    auto r = Kubectl("get pods -l " + selector + " -o jsonpath='{.items[*].status.podIP}'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> ips;
    std::string ip;
    for (char c : r.out + " ") {
      if (c == ' ') {
        if (!ip.empty()) ips.insert(ip);
        ip.clear();
      } else {
        ip += c;
      }
    }
    return ips;
  }

  TempDir dir_;
  std::unique_ptr<ApiServerProcess> server_;
};

TEST_F(StandaloneFlowTest, NonPooledBatchIsDeliveredWithEndpointsAndColumns) {
  auto r = Kubectl("apply -f config/samples/basic-batch-sandbox.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  WaitFor("batchsandbox/basic-batch-sandbox", "{.status.ready}", "2");

  Json endpoints = Endpoints("basic-batch-sandbox");
  ASSERT_TRUE(endpoints.is_array());
  ASSERT_EQ(endpoints.size(), 2u);
  // Entry i is the IP of pod basic-batch-sandbox-i.
  for (int i = 0; i < 2; ++i) {
    auto ip = Kubectl("get pod basic-batch-sandbox-" + std::to_string(i) +
                      " -o jsonpath='{.status.podIP}'");
    EXPECT_EQ(endpoints[i], ip.out) << "endpoint " << i;
  }

  r = Kubectl("get batchsandbox basic-batch-sandbox -o wide --no-headers");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // NAME DESIRED TOTAL ALLOCATED READY TASK_RUNNING TASK_SUCCEED TASK_FAILED TASK_UNKNOWN EXPIRE
  // AGE
  std::istringstream row(r.out);
  std::vector<std::string> cells{std::istream_iterator<std::string>(row), {}};
  ASSERT_EQ(cells.size(), 10u) << r.out;  // EXPIRE is empty
  EXPECT_EQ(
      (std::vector<std::string>(cells.begin(), cells.begin() + 9)),
      (std::vector<std::string>{"basic-batch-sandbox", "2", "2", "2", "2", "0", "0", "0", "0"}))
      << r.out;

  r = Kubectl("delete batchsandbox basic-batch-sandbox --timeout=60s");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Kubectl(
      "wait --for=delete --timeout=60s pod/basic-batch-sandbox-0 pod/basic-batch-sandbox-1");
  EXPECT_EQ(r.exit_code, 0) << r.err << Kubectl("get pods").out;
}

TEST_F(StandaloneFlowTest, PooledBatchTakesWarmPodsAndReturnsThemOnDelete) {
  ASSERT_EQ(Kubectl("apply -f config/samples/pool-example.yaml").exit_code, 0);
  WaitFor("pool/example-pool", "{.status.total}", "5");
  WaitFor("pool/example-pool", "{.status.available}", "5");

  ASSERT_EQ(Kubectl("apply -f config/samples/pooled-batch-sandbox.yaml").exit_code, 0);
  WaitFor("batchsandbox/pooled-batch-sandbox", "{.status.ready}", "3");
  Json endpoints = Endpoints("pooled-batch-sandbox");
  ASSERT_TRUE(endpoints.is_array());
  ASSERT_EQ(endpoints.size(), 3u);
  std::set<std::string> pool_ips = PodIps("sandbox.opensandbox.io/pool-name=example-pool");
  std::set<std::string> distinct;
  for (const auto& ip : endpoints) {
    EXPECT_TRUE(pool_ips.count(ip.get<std::string>())) << ip << " is not a pool pod";
    distinct.insert(ip.get<std::string>());
  }
  EXPECT_EQ(distinct.size(), 3u) << "a pod was handed out twice";
  WaitFor("pool/example-pool", "{.status.allocated}", "3");

  auto record = Kubectl(
      "get batchsandbox pooled-batch-sandbox "
      "-o jsonpath='{.metadata.annotations.sandbox\\.opensandbox\\.io/alloc-status}'");
  Json allocated = Json::parse(record.out, nullptr, false);
  ASSERT_TRUE(allocated.is_object()) << record.out << record.err;
  std::string pods;
  for (const auto& pod : allocated["pods"]) pods += " pod/" + pod.get<std::string>();

  auto r = Kubectl("delete batchsandbox pooled-batch-sandbox --timeout=60s");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  WaitFor("pool/example-pool", "{.status.allocated}", "0");
  // Delete recycling: the released pods themselves are deleted (the pool refills with new ones).
  r = Kubectl("wait --for=delete --timeout=60s" + pods);
  EXPECT_EQ(r.exit_code, 0) << r.err << Kubectl("get pods").out;
  for (const auto& ip : endpoints) {
    EXPECT_FALSE(PodIps("sandbox.opensandbox.io/pool-name=example-pool").count(ip))
        << ip << " was reused after a Delete recycle";
  }
}

TEST_F(StandaloneFlowTest, ExpiredBatchIsDeleted) {
  std::string manifest = dir_.path() + "/expiring.yaml";
  std::ofstream(manifest) << R"(
apiVersion: sandbox.opensandbox.io/v1alpha1
kind: BatchSandbox
metadata:
  name: expiring
spec:
  replicas: 1
  expireTime: "2020-01-01T00:00:00Z"
  template:
    spec:
      containers:
      - name: main
        image: busybox
)";
  auto r = Kubectl("apply -f " + manifest);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Kubectl("wait --for=delete --timeout=60s batchsandbox/expiring");
  EXPECT_EQ(r.exit_code, 0) << r.err << Kubectl("get batchsandbox expiring -o yaml").out;
}

// A Pool of at most 2 pods and a batch of 3 sandboxes taken from it.
constexpr const char* kSmallPoolAndGreedyBatch = R"(
apiVersion: sandbox.opensandbox.io/v1alpha1
kind: Pool
metadata:
  name: small
spec:
  template:
    spec:
      containers:
      - name: main
        image: busybox
  capacitySpec: {bufferMin: 0, bufferMax: 1, poolMin: 1, poolMax: 2}
---
apiVersion: sandbox.opensandbox.io/v1alpha1
kind: BatchSandbox
metadata:
  name: greedy
spec:
  replicas: 3
  poolRef: small
)";

TEST_F(StandaloneFlowTest, PoolExhaustionIsReportedThenServed) {
  std::string manifest = dir_.path() + "/small.yaml";
  std::ofstream(manifest) << kSmallPoolAndGreedyBatch;
  ASSERT_EQ(Kubectl("apply -f " + manifest).exit_code, 0);
  WaitFor("batchsandbox/greedy", "{.status.conditions[?(@.type==\"PoolExhausted\")].status}",
          "True");
  WaitFor("batchsandbox/greedy", "{.status.ready}", "2");
  // Raising poolMax lets the third sandbox be delivered.
  auto r =
      Kubectl("patch pool small --type=merge -p '{\"spec\":{\"capacitySpec\":{\"poolMax\":3}}}'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  WaitFor("batchsandbox/greedy", "{.status.ready}", "3");
  WaitFor("batchsandbox/greedy", "{.status.conditions[?(@.type==\"PoolExhausted\")].status}",
          "False");
}

// poolMax lowered below the number of allocated pods: the allocated pods stay with their sandboxes
// and the pool shrinks to the new poolMax once they are released.
TEST_F(StandaloneFlowTest, PoolMaxBelowAllocatedKeepsSandboxesThenShrinks) {
  std::string manifest = dir_.path() + "/small.yaml";
  std::ofstream(manifest) << kSmallPoolAndGreedyBatch;
  ASSERT_EQ(Kubectl("apply -f " + manifest).exit_code, 0);
  WaitFor("batchsandbox/greedy", "{.status.ready}", "2");
  auto r =
      Kubectl("patch pool small --type=merge -p '{\"spec\":{\"capacitySpec\":{\"poolMax\":3}}}'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  WaitFor("batchsandbox/greedy", "{.status.ready}", "3");
  r = Kubectl("patch pool small --type=merge -p '{\"spec\":{\"capacitySpec\":{\"poolMax\":1}}}'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Kubectl("delete batchsandbox greedy --timeout=60s");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  WaitFor("pool/small", "{.status.allocated}", "0");
  WaitFor("pool/small", "{.status.total}", "1");
}

}  // namespace
}  // namespace osbx::e2e
