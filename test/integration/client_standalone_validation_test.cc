// The REST client's answers to bad objects and its list verbs against the real standalone API
// server: 422 Invalid with the field causes of CRD schema validation (minimum, enum, CEL rules,
// CEL transition rules), list paging with limit/continue over one snapshot, ListAll, and label
// and field selectors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test/integration/standalone_harness.h"

namespace osbx::integration {
namespace {

using ::testing::HasSubstr;

// ---- validation ----------------------------------------------------------------------------

TEST_F(ClientStandaloneTest, MinimumViolationIsInvalidWithAFieldCause) {
  StatusOr<Json> created = CreateSandbox("bad-min", -1);
  ASSERT_EQ(created.status().code(), StatusCode::kInvalid) << created.status().ToString();
  ASSERT_EQ(created.status().causes().size(), 1u);
  const StatusCause& cause = created.status().causes()[0];
  EXPECT_EQ(cause.reason, "FieldValueInvalid");
  EXPECT_EQ(cause.field, "spec.replicas");
  EXPECT_EQ(cause.message,
            "Invalid value: -1: spec.replicas in body should be greater than or equal to 0");
}

// An enum violation blocks CEL evaluation (as in kube-apiserver): one cause for the field and
// one saying the rules were not checked.
TEST_F(ClientStandaloneTest, EnumViolationIsInvalidListingTheSupportedValues) {
  Json object = BatchSandboxObject("bad-enum");
  object["spec"]["taskResourcePolicyWhenCompleted"] = "Bogus";
  StatusOr<Json> created = client_->Create(BatchSandboxes(), kNamespace, object);
  ASSERT_EQ(created.status().code(), StatusCode::kInvalid) << created.status().ToString();
  ASSERT_EQ(created.status().causes().size(), 2u) << created.status().ToString();
  const StatusCause& cause = created.status().causes()[0];
  EXPECT_EQ(cause.reason, "FieldValueNotSupported");
  EXPECT_EQ(cause.field, "spec.taskResourcePolicyWhenCompleted");
  EXPECT_EQ(cause.message, R"(Unsupported value: "Bogus": supported values: "Retain", "Release")");
  EXPECT_THAT(created.status().causes()[1].message,
              HasSubstr("some validation rules were not checked"));
}

TEST_F(ClientStandaloneTest, CelRuleViolationCarriesTheRuleMessage) {
  Json pool = PoolObject("bad-cel");
  pool["spec"]["capacitySpec"] = {
      {"bufferMax", 1}, {"bufferMin", 5}, {"poolMax", 10}, {"poolMin", 0}};
  StatusOr<Json> created = client_->Create(Pools(), kNamespace, pool);
  ASSERT_EQ(created.status().code(), StatusCode::kInvalid) << created.status().ToString();
  ASSERT_EQ(created.status().causes().size(), 1u);
  EXPECT_EQ(created.status().causes()[0].field, "spec.capacitySpec");
  EXPECT_EQ(created.status().causes()[0].message,
            "Invalid value: bufferMin must be less than or equal to bufferMax");

  Json neither = BatchSandboxObject("neither");
  neither["spec"].erase("template");
  StatusOr<Json> refused = client_->Create(BatchSandboxes(), kNamespace, neither);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalid) << refused.status().ToString();
  ASSERT_FALSE(refused.status().causes().empty());
  EXPECT_THAT(refused.status().causes()[0].message,
              HasSubstr("either poolRef or template must be set"));
}

TEST_F(ClientStandaloneTest, CelTransitionRuleRefusesChangingAPoolRef) {
  Json object = BatchSandboxObject("pinned");
  object["spec"]["poolRef"] = "pool-a";
  ASSERT_TRUE(client_->Create(BatchSandboxes(), kNamespace, object).ok());
  StatusOr<Json> moved =
      client_->Patch(BatchSandboxes(), kNamespace, "pinned", kube::PatchType::kMerge,
                     R"({"spec":{"poolRef":"pool-b"}})");
  ASSERT_EQ(moved.status().code(), StatusCode::kInvalid) << moved.status().ToString();
  ASSERT_FALSE(moved.status().causes().empty());
  EXPECT_THAT(moved.status().causes()[0].message, HasSubstr("poolRef is immutable once set"));
}

// ---- lists ---------------------------------------------------------------------------------

TEST_F(ClientStandaloneTest, ListPagesWithLimitAndContinueFormOneSnapshot) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(client_->Create(Pools(), kNamespace, PoolObject("page-" + std::to_string(i))).ok());
  }
  kube::ListOptions options;
  options.limit = 3;
  StatusOr<kube::ListResult> first = client_->List(Pools(), kNamespace, options);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->items.size(), 3u);
  EXPECT_FALSE(first->continue_token.empty());
  EXPECT_EQ(first->remaining_item_count, 4);
  EXPECT_EQ(NameOf(first->items[0]), "page-0");

  // An object created between pages is not part of the paged snapshot.
  ASSERT_TRUE(client_->Create(Pools(), kNamespace, PoolObject("page-9")).ok());
  options.continue_token = first->continue_token;
  StatusOr<kube::ListResult> second = client_->List(Pools(), kNamespace, options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->resource_version, first->resource_version);
  std::vector<std::string> names;
  for (const Json& item : second->items) names.push_back(NameOf(item));
  EXPECT_THAT(names, ::testing::ElementsAre("page-3", "page-4", "page-5"));

  kube::ListOptions paged;
  paged.limit = 3;
  StatusOr<kube::ListResult> all = client_->ListAll(Pools(), kNamespace, paged);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->items.size(), 8u);
  EXPECT_TRUE(all->continue_token.empty());
  EXPECT_EQ(all->items.at(0)["kind"], "Pool");
}

TEST_F(ClientStandaloneTest, LabelAndFieldSelectorsFilterLists) {
  for (const char* tier : {"gold", "silver", "gold"}) {
    Json object = PoolObject("");
    object["metadata"].erase("name");
    object["metadata"]["generateName"] = std::string(tier) + "-";
    object["metadata"]["labels"] = {{"tier", tier}};
    ASSERT_TRUE(client_->Create(Pools(), kNamespace, object).ok());
  }
  ASSERT_TRUE(client_->Create(Pools(), kNamespace, PoolObject("unlabelled")).ok());

  kube::ListOptions gold;
  gold.label_selector = "tier=gold";
  StatusOr<kube::ListResult> golds = client_->ListAll(Pools(), kNamespace, gold);
  ASSERT_TRUE(golds.ok()) << golds.status().ToString();
  EXPECT_EQ(golds->items.size(), 2u);

  kube::ListOptions labelled;
  labelled.label_selector = "tier in (gold,silver),tier!=silver";
  StatusOr<kube::ListResult> set = client_->ListAll(Pools(), kNamespace, labelled);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->items.size(), 2u);

  kube::ListOptions by_name;
  by_name.field_selector = "metadata.name=unlabelled";
  StatusOr<kube::ListResult> named = client_->ListAll(Pools(), "", by_name);
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  ASSERT_EQ(named->items.size(), 1u);
  EXPECT_EQ(NameOf(named->items[0]), "unlabelled");

  kube::ListOptions bad;
  bad.label_selector = "tier in (gold";
  StatusOr<kube::ListResult> refused = client_->List(Pools(), kNamespace, bad);
  EXPECT_EQ(refused.status().code(), StatusCode::kBadRequest) << refused.status().ToString();
}

TEST_F(ClientStandaloneTest, PodFieldSelectorOnPhaseFiltersPods) {
  for (const char* name : {"pending-a", "pending-b", "done"}) {
    ASSERT_TRUE(client_->Create(Pods(), kNamespace, PodObject(name)).ok());
  }
  kube::PatchOptions status;
  status.subresource = "status";
  StatusOr<Json> done = client_->Patch(Pods(), kNamespace, "done", kube::PatchType::kMerge,
                                       R"({"status":{"phase":"Succeeded"}})", status);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  kube::ListOptions succeeded;
  succeeded.field_selector = "status.phase=Succeeded";
  StatusOr<kube::ListResult> pods = client_->ListAll(Pods(), kNamespace, succeeded);
  ASSERT_TRUE(pods.ok()) << pods.status().ToString();
  ASSERT_EQ(pods->items.size(), 1u);
  EXPECT_EQ(NameOf(pods->items[0]), "done");
  EXPECT_EQ(pods->items[0]["kind"], "Pod");
}

}  // namespace
}  // namespace osbx::integration
