// The crash test's judge must catch every integrity violation it is meant to catch, and accept
// the legitimate life of a pooled pod (claim, release, Noop reuse, replacement under a reused
// name), or the crash test proves nothing.

#include "test/crash/allocation_auditor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace osbx::crash {
namespace {

Json Batch(const std::string& name, const std::string& pool, int64_t rv,
           const std::vector<std::string>& pods, const std::vector<std::string>& release = {},
           const std::vector<std::string>& released = {}) {
  auto record = [](const std::vector<std::string>& list) { return Json{{"pods", list}}.dump(); };
  return Json{{"metadata",
               {{"name", name},
                {"namespace", "ns"},
                {"uid", "uid-" + name},
                {"resourceVersion", std::to_string(rv)},
                {"annotations",
                 {{"sandbox.opensandbox.io/alloc-status", record(pods)},
                  {"sandbox.opensandbox.io/alloc-release", record(release)},
                  {"sandbox.opensandbox.io/alloc-released", record(released)}}}}},
              {"spec", {{"poolRef", pool}, {"replicas", pods.size()}}}};
}

Json Pod(const std::string& name, const std::string& uid, int64_t rv, bool deleting = false) {
  Json pod = {{"metadata",
               {{"name", name},
                {"namespace", "ns"},
                {"uid", uid},
                {"resourceVersion", std::to_string(rv)}}}};
  if (deleting) pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  return pod;
}

class AuditorTest : public testing::Test {
 protected:
  void SetUp() override {
    auditor_.SetPoolStrategy("ns/del", "Delete");
    auditor_.SetPoolStrategy("ns/noop", "Noop");
    auditor_.ObservePod(Pod("p1", "u1", 1), false);
    auditor_.ObservePod(Pod("p2", "u2", 2), false);
  }
  AllocationAuditor auditor_;
};

TEST_F(AuditorTest, PodInTwoLiveRecordsIsAViolation) {
  auditor_.ObserveBatch(Batch("a", "noop", 10, {"p1"}), false);
  auditor_.ObserveBatch(Batch("b", "noop", 11, {"p2", "p1"}), false);
  ASSERT_EQ(auditor_.Violations().size(), 1u);
  EXPECT_NE(auditor_.Violations()[0].find("ns/p1 is held by ns/b and by ns/a"), std::string::npos)
      << auditor_.Violations()[0];
}

TEST_F(AuditorTest, PodBeingReleasedIsStillHeld) {
  auditor_.ObserveBatch(Batch("a", "noop", 10, {""}, {"p1"}), false);
  auditor_.ObserveBatch(Batch("b", "noop", 11, {"p1"}), false);
  EXPECT_EQ(auditor_.Violations().size(), 1u);
}

TEST_F(AuditorTest, NoopRecycledPodMayServeAnotherBatch) {
  auditor_.ObserveBatch(Batch("a", "noop", 10, {"p1"}), false);
  auditor_.ObserveBatch(Batch("a", "noop", 11, {""}, {"p1"}), false);
  auditor_.ObserveBatch(Batch("a", "noop", 12, {""}, {"p1"}, {"p1"}), false);
  auditor_.ObserveBatch(Batch("b", "noop", 13, {"p1"}), false);
  EXPECT_TRUE(auditor_.Violations().empty());
  EXPECT_EQ(auditor_.allocations_observed(), 2);
}

TEST_F(AuditorTest, DeletedBatchFreesItsNoopPods) {
  auditor_.ObserveBatch(Batch("a", "noop", 10, {"p1"}), false);
  auditor_.ObserveBatch(Batch("a", "noop", 11, {"p1"}), true);
  auditor_.ObserveBatch(Batch("b", "noop", 12, {"p1"}), false);
  EXPECT_TRUE(auditor_.Violations().empty());
}

TEST_F(AuditorTest, PodRecycledUnderDeleteMustNeverServeAgain) {
  auditor_.ObserveBatch(Batch("a", "del", 10, {"p1"}), false);
  auditor_.ObserveBatch(Batch("a", "del", 11, {""}, {"p1"}), false);
  auditor_.ObserveBatch(Batch("a", "del", 12, {""}, {}, {}), false);  // recycled and compacted
  auditor_.ObserveBatch(Batch("b", "del", 13, {"p1"}), false);
  ASSERT_EQ(auditor_.Violations().size(), 1u);
  EXPECT_NE(auditor_.Violations()[0].find("Delete recycle"), std::string::npos);
}

TEST_F(AuditorTest, NewPodReusingARetiredNameIsADifferentPod) {
  auditor_.ObserveBatch(Batch("a", "del", 10, {"p1"}), false);
  auditor_.ObserveBatch(Batch("a", "del", 11, {""}), false);
  auditor_.ObservePod(Pod("p1", "u1", 12, /*deleting=*/true), false);
  auditor_.ObservePod(Pod("p1", "u1", 13), true);
  auditor_.ObservePod(Pod("p1", "u1-again", 14), false);
  auditor_.ObserveBatch(Batch("b", "del", 15, {"p1"}), false);
  EXPECT_TRUE(auditor_.Violations().empty());
}

TEST_F(AuditorTest, PodMarkedForDeletionMustNotBeAllocated) {
  auditor_.ObservePod(Pod("p2", "u2", 20, /*deleting=*/true), false);
  auditor_.ObserveBatch(Batch("b", "noop", 21, {"p2"}), false);
  ASSERT_EQ(auditor_.Violations().size(), 1u);
  EXPECT_NE(auditor_.Violations()[0].find("marked for deletion at rv 20"), std::string::npos);
}

TEST_F(AuditorTest, StreamsAreJoinedByResourceVersionNotArrivalOrder) {
  // The pod stream runs ahead: the deletion (rv 30) arrives before the claim (rv 25) it follows.
  auditor_.ObservePod(Pod("p2", "u2", 30, /*deleting=*/true), false);
  auditor_.ObserveBatch(Batch("b", "noop", 25, {"p2"}), false);
  EXPECT_TRUE(auditor_.Violations().empty());
}

TEST_F(AuditorTest, MalformedRecordIsAViolation) {
  Json batch = Batch("a", "noop", 10, {"p1"});
  batch["metadata"]["annotations"]["sandbox.opensandbox.io/alloc-status"] = "{not json";
  auditor_.ObserveBatch(batch, false);
  ASSERT_EQ(auditor_.Violations().size(), 1u);
  EXPECT_NE(auditor_.Violations()[0].find("malformed"), std::string::npos);
}

TEST_F(AuditorTest, HoldingsFollowTheLatestRecord) {
  auditor_.ObserveBatch(Batch("a", "noop", 10, {"p1", "p2"}), false);
  auditor_.ObserveBatch(Batch("a", "noop", 11, {"p2"}, {"p1"}, {"p1"}), false);
  EXPECT_EQ(auditor_.Holdings()["ns/a"], (std::set<std::string>{"ns/p2"}));
}

}  // namespace
}  // namespace osbx::crash
