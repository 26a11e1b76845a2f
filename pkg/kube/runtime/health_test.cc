#include "pkg/kube/runtime/health.h"

#include <gtest/gtest.h>

#include <atomic>

namespace osbx::kube {
namespace {

TEST(HealthChecksTest, AllPassingAnswersOk) {
  HealthChecks checks("healthz");
  checks.Add("ping", &HealthChecks::Ping);
  auto r = checks.Serve("/healthz", "");
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.body, "ok");
  r = checks.Serve("/healthz", "verbose");
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.body, "[+]ping ok\nhealthz check passed\n");
}

TEST(HealthChecksTest, AFailingCheckFailsTheEndpointAndIsNamed) {
  HealthChecks checks("readyz");
  std::atomic<bool> synced{false};
  checks.Add("ping", &HealthChecks::Ping);
  checks.Add("informer-sync",
             [&] { return synced ? Status::Ok() : UnavailableError("caches not synced"); });
  auto r = checks.Serve("/readyz", "");
  EXPECT_EQ(r.code, 500);
  EXPECT_NE(r.body.find("[-]informer-sync failed: reason withheld"), std::string::npos);
  EXPECT_NE(r.body.find("readyz check failed"), std::string::npos);
  r = checks.Serve("/readyz", "verbose=1");
  EXPECT_NE(r.body.find("caches not synced"), std::string::npos);
  synced = true;
  EXPECT_EQ(checks.Serve("/readyz", "").code, 200);
}

TEST(HealthChecksTest, OneCheckCanBeQueriedByName) {
  HealthChecks checks("healthz");
  checks.Add("ping", &HealthChecks::Ping);
  checks.Add("broken", [] { return InternalError("no"); });
  EXPECT_EQ(checks.Serve("/healthz/ping", "").code, 200);
  EXPECT_EQ(checks.Serve("/healthz/broken", "").code, 500);
  EXPECT_EQ(checks.Serve("/healthz/missing", "").code, 404);
}

}  // namespace
}  // namespace osbx::kube
