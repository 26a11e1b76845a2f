#include "internal/controller/pod_view_cache.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "internal/controller/setup.h"

namespace osbx::controller {
namespace {

kube::ObjectPtr Pod(const std::string& name, const std::string& owner_uid, const std::string& ip,
                    bool controller = true) {
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", name},
                {"namespace", "ns"},
                {"uid", "uid-" + name},
                {"ownerReferences", Json::array({{{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
                                                  {"kind", "Pool"},
                                                  {"name", "pool"},
                                                  {"uid", owner_uid},
                                                  {"controller", controller}}})}}},
              {"status", {{"phase", "Running"}, {"podIP", ip}}}};
  return std::make_shared<const Json>(std::move(pod));
}

std::vector<std::string> Ips(const std::vector<scheduler::PodView>& views) {
  std::vector<std::string> out;
  for (const auto& v : views) out.push_back(v.pod_ip);
  std::sort(out.begin(), out.end());
  return out;
}

class PodViewCacheTest : public ::testing::Test {
 protected:
  kube::Indexer pods_{RequiredIndexers()};
  PodViewCache cache_;
};

TEST_F(PodViewCacheTest, ViewsFollowChangedAddedAndRemovedPods) {
  ASSERT_TRUE(pods_.Upsert(Pod("a", "pool-uid", "10.0.0.1")).ok());
  ASSERT_TRUE(pods_.Upsert(Pod("b", "pool-uid", "10.0.0.2")).ok());
  EXPECT_EQ(Ips(cache_.ControlledBy(pods_, "pool-uid")),
            (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
  // A new object under the same name is a changed pod: its view is derived again.
  ASSERT_TRUE(pods_.Upsert(Pod("a", "pool-uid", "10.0.0.9")).ok());
  ASSERT_NE(pods_.Delete("ns/b"), nullptr);
  ASSERT_TRUE(pods_.Upsert(Pod("c", "pool-uid", "10.0.0.3")).ok());
  EXPECT_EQ(Ips(cache_.ControlledBy(pods_, "pool-uid")),
            (std::vector<std::string>{"10.0.0.3", "10.0.0.9"}));
}

TEST_F(PodViewCacheTest, PodsOwnedWithoutBeingControlledAreLeftOut) {
  ASSERT_TRUE(pods_.Upsert(Pod("a", "pool-uid", "10.0.0.1")).ok());
  ASSERT_TRUE(pods_.Upsert(Pod("b", "pool-uid", "10.0.0.2", /*controller=*/false)).ok());
  EXPECT_EQ(Ips(cache_.ControlledBy(pods_, "pool-uid")), std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(Ips(cache_.ControlledBy(pods_, "pool-uid")), std::vector<std::string>{"10.0.0.1"});
}

TEST_F(PodViewCacheTest, OwnersAreKeptApart) {
  ASSERT_TRUE(pods_.Upsert(Pod("a", "pool-1", "10.0.0.1")).ok());
  ASSERT_TRUE(pods_.Upsert(Pod("b", "pool-2", "10.0.0.2")).ok());
  EXPECT_EQ(Ips(cache_.ControlledBy(pods_, "pool-1")), std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(Ips(cache_.ControlledBy(pods_, "pool-2")), std::vector<std::string>{"10.0.0.2"});
}

}  // namespace
}  // namespace osbx::controller
