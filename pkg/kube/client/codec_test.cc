#include "pkg/kube/client/codec.h"

#include <gtest/gtest.h>

#include "pkg/kube/client/rest_client.h"

namespace osbx::kube {
namespace {

const ResourceRef kPods{"", "v1", "pods", "Pod", true};
const ResourceRef kBatchSandboxes{"sandbox.opensandbox.io", "v1alpha1", "batchsandboxes",
                                  "BatchSandbox", true};
const ResourceRef kNamespaces{"", "v1", "namespaces", "Namespace", false};

TEST(PathsTest, CoreGroupNamedAndClusterScopedPaths) {
  EXPECT_EQ(ResourcePath(kPods, "wire", "p1"), "/api/v1/namespaces/wire/pods/p1");
  EXPECT_EQ(ResourcePath(kPods, ""), "/api/v1/pods");
  EXPECT_EQ(ResourcePath(kBatchSandboxes, "wire", "b", "status"),
            "/apis/sandbox.opensandbox.io/v1alpha1/namespaces/wire/batchsandboxes/b/status");
  EXPECT_EQ(ResourcePath(kNamespaces, "ignored", "wire"), "/api/v1/namespaces/wire");
}

TEST(PathsTest, ListQueryEncodesSelectorsLikeKubectl) {
  ListOptions o;
  o.label_selector = "team=a";
  o.field_selector = "metadata.name=expiring-sandbox";
  o.resource_version = "0";
  o.limit = 500;
  EXPECT_EQ(EncodeQuery(ListQuery(o, false)),
            "?labelSelector=team%3Da&fieldSelector=metadata.name%3Dexpiring-sandbox"
            "&resourceVersion=0&limit=500");
  ListOptions w;
  w.resource_version = "1649";
  w.allow_watch_bookmarks = true;
  w.timeout_seconds = 10;
  EXPECT_EQ(EncodeQuery(ListQuery(w, true)),
            "?watch=1&resourceVersion=1649&allowWatchBookmarks=true&timeoutSeconds=10");
  EXPECT_EQ(QueryEscape("a b/c?&=é"), "a%20b%2Fc%3F%26%3D%C3%A9");
  EXPECT_EQ(UrlHost("https://127.0.0.1:6443/api"), "127.0.0.1:6443");
}

TEST(CodecTest, BuiltInListItemsGetApiVersionAndKind) {
  StatusOr<ListResult> r = ParseListBody(
      R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"2054"},"items":[{"metadata":{"name":"a"}}]})",
      kPods);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0]["apiVersion"], "v1");
  EXPECT_EQ(r->items[0]["kind"], "Pod");
  EXPECT_EQ(r->resource_version, "2054");
  EXPECT_EQ(r->continue_token, "");
  EXPECT_FALSE(r->remaining_item_count);
}

TEST(CodecTest, ListPageMetadata) {
  StatusOr<ListResult> r = ParseListBody(
      R"({"apiVersion":"sandbox.opensandbox.io/v1alpha1","items":[],"kind":"BatchSandboxList","metadata":{"continue":"tok","remainingItemCount":3,"resourceVersion":"2084"}})",
      kBatchSandboxes);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->continue_token, "tok");
  EXPECT_EQ(r->remaining_item_count, 3);
  EXPECT_FALSE(ParseListBody("{\"items\":{}}", kPods).ok());
  EXPECT_FALSE(ParseListBody("not json", kPods).ok());
  EXPECT_TRUE(ParseListBody("{\"items\":null}", kPods).ok());
}

TEST(CodecTest, DeleteOptionsBodyOnlyWhenSomethingIsSet) {
  EXPECT_FALSE(DeleteOptionsBody(DeleteOptions{}));
  DeleteOptions o;
  o.propagation_policy = "Foreground";
  o.precondition_uid = "u-1";
  o.precondition_resource_version = "7";
  o.grace_period_seconds = 0;
  EXPECT_EQ(
      *DeleteOptionsBody(o),
      Json::parse(R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground",
                           "preconditions":{"uid":"u-1","resourceVersion":"7"},"gracePeriodSeconds":0})"));
}

TEST(CodecTest, AddressChecks) {
  EXPECT_TRUE(CheckObjectAddress(kPods, "ns", "n").ok());
  EXPECT_EQ(CheckObjectAddress(kPods, "", "n").code(), StatusCode::kBadRequest);
  EXPECT_EQ(CheckObjectAddress(kPods, "ns", "").code(), StatusCode::kBadRequest);
  EXPECT_TRUE(CheckObjectAddress(kNamespaces, "", "n").ok());
}

TEST(CodecTest, DumpNeverThrowsOnInvalidUtf8) {
  Json j = {{"s", std::string("\xff\xfe")}};
  EXPECT_FALSE(DumpJson(j).empty());
}

}  // namespace
}  // namespace osbx::kube
