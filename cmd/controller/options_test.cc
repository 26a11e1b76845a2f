#include "cmd/controller/options.h"

#include <gtest/gtest.h>

namespace osbx::controller {
namespace {

using std::chrono::milliseconds;

TEST(ConcurrencyFlagTest, ParsesTheOriginalControllersFormat) {
  auto parsed = ParseConcurrency("batchsandbox=32;pool=16").value();
  EXPECT_EQ(parsed, (std::map<std::string, int>{{"batchsandbox", 32}, {"pool", 16}}));
  EXPECT_EQ(ParseConcurrency(" Pool = 4 , batchsandbox=1;").value().at("pool"), 4);
  EXPECT_TRUE(ParseConcurrency("").value().empty());
}

TEST(ConcurrencyFlagTest, RejectsMalformedEntriesWithTheirText) {
  auto bad = ParseConcurrency("batchsandbox=0");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("batchsandbox=0"), std::string::npos);
  EXPECT_FALSE(ParseConcurrency("pool").ok());
  EXPECT_FALSE(ParseConcurrency("pool=x").ok());
  EXPECT_FALSE(ParseConcurrency("=3").ok());
}

TEST(DurationFlagTest, ParsesGoStyleDurations) {
  EXPECT_EQ(ParseDuration("30s").value(), milliseconds(30'000));
  EXPECT_EQ(ParseDuration("1m30s").value(), milliseconds(90'000));
  EXPECT_EQ(ParseDuration("500ms").value(), milliseconds(500));
  EXPECT_EQ(ParseDuration("2h").value(), milliseconds(7'200'000));
  EXPECT_EQ(ParseDuration("1.5s").value(), milliseconds(1'500));
  EXPECT_EQ(ParseDuration("45").value(), milliseconds(45'000));
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("10parsecs").ok());
  EXPECT_FALSE(ParseDuration("s").ok());
  EXPECT_FALSE(ParseDuration("1m30").ok());
}

TEST(FlagsTest, KubebuilderNamesAndDefaults) {
  CLI::App app;
  Flags flags;
  AddFlags(app, flags);
  std::vector<std::string> args = {"--leader-elect",
                                   "--leader-election-namespace=sys",
                                   "--metrics-bind-address=0",
                                   "--health-probe-bind-address=127.0.0.1:9440",
                                   "--kube-client-qps=50",
                                   "--kube-client-burst=80",
                                   "--v=4",
                                   "--log-format=json",
                                   "--graceful-shutdown-timeout=5s",
                                   "--kubeconfig=/tmp/kc"};
  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
  app.parse(args);
  EXPECT_TRUE(flags.leader_elect);
  EXPECT_EQ(flags.kubeconfig, "/tmp/kc");
  EXPECT_EQ(flags.kube_client_qps, 50);
  EXPECT_EQ(flags.kube_client_burst, 80);
  EXPECT_EQ(LogOptions(flags).value().verbosity, 4);
  EXPECT_EQ(LogOptions(flags).value().format, log::Format::kJson);
  auto options = ManagerOptionsFrom(flags, "ignored").value();
  EXPECT_TRUE(options.leader_election);
  EXPECT_EQ(options.leader_election_namespace, "sys");
  EXPECT_EQ(options.leader_election_id, "2fa1c467.opensandbox.io");
  EXPECT_EQ(options.metrics_bind_address, "0");
  EXPECT_EQ(options.health_probe_bind_address, "127.0.0.1:9440");
  EXPECT_EQ(options.graceful_shutdown_timeout, milliseconds(5'000));
}

TEST(FlagsTest, LeaseNamespaceFallsBackToThePodsNamespace) {
  Flags flags;
  EXPECT_EQ(ManagerOptionsFrom(flags, "opensandbox-system").value().leader_election_namespace,
            "opensandbox-system");
  EXPECT_EQ(ManagerOptionsFrom(flags, "").value().leader_election_namespace, "default");
  EXPECT_EQ(ManagerOptionsFrom(flags, "").value().metrics_bind_address, ":8080");
  flags.graceful_shutdown_timeout = "soon";
  EXPECT_FALSE(ManagerOptionsFrom(flags, "").ok());
}

}  // namespace
}  // namespace osbx::controller
