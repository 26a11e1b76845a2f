#include "internal/scheduler/allocation_record.h"

#include <gtest/gtest.h>

#include "api/v1alpha1/well_known.h"

namespace osbx::scheduler {
namespace {

namespace v1 = ::osbx::api::v1alpha1;

Json Bsx(Json annotations) {
  return Json{{"metadata",
               {{"name", "b"},
                {"namespace", "ns"},
                {"uid", "u1"},
                {"resourceVersion", "7"},
                {"creationTimestamp", "2026-01-01T00:00:00Z"},
                {"annotations", annotations}}}};
}

TEST(AllocationRecordTest, ParsesTheThreeAnnotationsAndComputesHeldPods) {
  Json bsx = Bsx({{std::string(v1::kAllocStatusAnnotation), R"({"pods":["a","","b"]})"},
                  {std::string(v1::kAllocReleaseAnnotation), R"({"pods":["c","d"]})"},
                  {std::string(v1::kAllocReleasedAnnotation), R"({"pods":["d"]})"}});
  StatusOr<AllocationRecord> r = ParseAllocationRecord(bsx);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->pods, (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(r->Held(), (std::vector<std::string>{"a", "b", "c"}));
  r->Compact();
  EXPECT_EQ(r->release, std::vector<std::string>{"c"});
  EXPECT_TRUE(r->released.empty());
}

TEST(AllocationRecordTest, MalformedAnnotationsAreInvalidAndSalvaged) {
  for (const char* text :
       {R"(not json "p1")", R"({"pods":"p1"})", R"({"pods":[1,"p1"]})", R"(["p1"])"}) {
    Json bsx = Bsx({{std::string(v1::kAllocStatusAnnotation), text}});
    EXPECT_FALSE(ParseAllocationRecord(bsx).ok()) << text;
    RecordSource src = RecordSourceFromBatchSandbox(bsx);
    EXPECT_TRUE(src.malformed) << text;
    EXPECT_FALSE(src.error.empty());
    EXPECT_EQ(src.held, std::vector<std::string>{"p1"}) << text;
    EXPECT_EQ(src.uid, "u1");
  }
}

TEST(AllocationRecordTest, OnePatchCarriesRecordEndpointsFinalizerAndResourceVersion) {
  Json bsx = Bsx(Json::object());
  AllocationRecord r;
  r.pods = {"p0", ""};
  std::optional<Json> patch = BuildAllocationPatch(bsx, r, {"10.0.0.1", ""}, true);
  ASSERT_TRUE(patch.has_value());
  const Json& meta = (*patch)["metadata"];
  EXPECT_EQ(meta["resourceVersion"], "7");
  EXPECT_EQ(meta["annotations"][std::string(v1::kAllocStatusAnnotation)], R"({"pods":["p0",""]})");
  EXPECT_EQ(meta["annotations"][std::string(v1::kEndpointsAnnotation)], R"(["10.0.0.1",""])");
  EXPECT_EQ(meta["finalizers"], Json::array({std::string(v1::kPoolAllocationFinalizer)}));
  EXPECT_FALSE(meta["annotations"].contains(std::string(v1::kAllocReleaseAnnotation)));
}

TEST(AllocationRecordTest, NoPatchWhenNothingChanged) {
  Json bsx = Bsx({{std::string(v1::kAllocStatusAnnotation), R"({"pods":["p0"]})"},
                  {std::string(v1::kEndpointsAnnotation), R"(["10.0.0.1"])"}});
  bsx["metadata"]["finalizers"] = {"other", std::string(v1::kPoolAllocationFinalizer)};
  AllocationRecord r;
  r.pods = {"p0"};
  EXPECT_FALSE(BuildAllocationPatch(bsx, r, {"10.0.0.1"}, true).has_value());
  // Dropping the finalizer keeps the other ones.
  std::optional<Json> patch = BuildAllocationPatch(bsx, r, {"10.0.0.1"}, false);
  ASSERT_TRUE(patch.has_value());
  EXPECT_EQ((*patch)["metadata"]["finalizers"], Json::array({"other"}));
}

}  // namespace
}  // namespace osbx::scheduler
