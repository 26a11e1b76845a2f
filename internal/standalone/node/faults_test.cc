#include "internal/standalone/node/faults.h"

#include <gtest/gtest.h>

namespace osbx::standalone {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Json PodWith(Json annotations) {
  return {{"metadata", {{"name", "p"}, {"annotations", std::move(annotations)}}}};
}

TEST(ParseDurationTest, AcceptsGoDurations) {
  EXPECT_EQ(ParseDuration("0"), Clock::Duration::zero());
  EXPECT_EQ(ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(ParseDuration("2s"), seconds(2));
  EXPECT_EQ(ParseDuration("1m30s"), seconds(90));
  EXPECT_EQ(ParseDuration("1.5s"), milliseconds(1500));
}

TEST(ParseDurationTest, RejectsMalformedText) {
  EXPECT_FALSE(ParseDuration(""));
  EXPECT_FALSE(ParseDuration("5"));
  EXPECT_FALSE(ParseDuration("-1s"));
  EXPECT_FALSE(ParseDuration("3 days"));
  EXPECT_FALSE(ParseDuration("s"));
}

TEST(ParseFaultsTest, NoAnnotationsMeansNoFault) {
  PodFaults faults = ParseFaults(Json{{"metadata", {{"name", "p"}}}});
  EXPECT_FALSE(faults.not_ready);
  EXPECT_EQ(faults.oom_kills, 0);
  EXPECT_FALSE(faults.crash_loop);
  EXPECT_EQ(faults.image_pull_reason, "");
  EXPECT_EQ(faults.loss, PodLoss::kNone);
  EXPECT_FALSE(faults.startup_delay);
}

TEST(ParseFaultsTest, ReadsEveryAnnotation) {
  PodFaults faults = ParseFaults(PodWith({{"sim.opensandbox.io/ready", "false"},
                                          {"sim.opensandbox.io/oom-kills", "3"},
                                          {"sim.opensandbox.io/crash-loop", "true"},
                                          {"sim.opensandbox.io/image-pull", "ErrImagePull"},
                                          {"sim.opensandbox.io/lost", "Deleted"},
                                          {"sim.opensandbox.io/startup-delay", "2s"}}));
  EXPECT_TRUE(faults.not_ready);
  EXPECT_EQ(faults.oom_kills, 3);
  EXPECT_TRUE(faults.crash_loop);
  EXPECT_EQ(faults.image_pull_reason, "ErrImagePull");
  EXPECT_EQ(faults.loss, PodLoss::kDeleted);
  EXPECT_EQ(faults.startup_delay, seconds(2));
}

TEST(ParseFaultsTest, MalformedValuesAreIgnored) {
  PodFaults faults = ParseFaults(PodWith({{"sim.opensandbox.io/ready", "maybe"},
                                          {"sim.opensandbox.io/oom-kills", "-2"},
                                          {"sim.opensandbox.io/image-pull", "Whatever"},
                                          {"sim.opensandbox.io/lost", "yes"}}));
  EXPECT_FALSE(faults.not_ready);
  EXPECT_EQ(faults.oom_kills, 0);
  EXPECT_EQ(faults.image_pull_reason, "");
  EXPECT_EQ(faults.loss, PodLoss::kNone);
}

TEST(ParseFaultsTest, NodeLossIsReadFromTheNode) {
  EXPECT_TRUE(NodeLostRequested(PodWith({{"sim.opensandbox.io/node-lost", "true"}})));
  EXPECT_FALSE(NodeLostRequested(PodWith({{"sim.opensandbox.io/node-lost", "false"}})));
}

TEST(ImageRuleTest, PullErrorImagesFail) {
  EXPECT_TRUE(ImageFailsToPull("registry.local/pull-error:1"));
  EXPECT_FALSE(ImageFailsToPull("busybox:1.36"));
}

}  // namespace
}  // namespace osbx::standalone
