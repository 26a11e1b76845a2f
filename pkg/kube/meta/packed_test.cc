#include "pkg/kube/meta/packed.h"

#include <gtest/gtest.h>

namespace osbx::kube {
namespace {

Json Batch() {
  return Json::parse(R"({
    "metadata": {"name": "b", "annotations": {"a": "1"}},
    "spec": {"poolRef": "p", "template": {"spec": {"containers": [{"name": "c"}]}}},
    "status": {"ready": 1, "conditions": [{"type": "Ready", "status": "True"}]}
  })");
}

TEST(PackedTest, PackedValuesBecomeOneStringAndUnpackToTheSameTree) {
  const Json original = Batch();
  Json packed = original;
  PackValue(packed["spec"]["template"]);
  PackValue(packed["status"]["conditions"]);
  EXPECT_TRUE(IsPacked(packed["spec"]["template"]));
  EXPECT_TRUE(IsPacked(packed["status"]["conditions"]));
  EXPECT_EQ(packed["spec"]["poolRef"], "p");  // the rest stays a tree
  EXPECT_EQ(packed["status"]["ready"], 1);
  Json storage;
  EXPECT_EQ(Unpacked(packed["status"]["conditions"], storage), original["status"]["conditions"]);
  EXPECT_EQ(UnpackedCopy(packed), original);
}

TEST(PackedTest, APlainStringIsNeverReadAsPacked) {
  Json storage;
  const Json text = "[1,2]";
  EXPECT_FALSE(IsPacked(text));
  EXPECT_EQ(&Unpacked(text, storage), &text);
  Json scalar = {{"status", "x"}};
  PackValue(scalar["status"]);  // scalars are left alone
  EXPECT_EQ(scalar["status"], "x");
}

TEST(PackedTest, APackedTopLevelFieldUnpacks) {
  Json pod = {{"metadata", {{"name", "p"}}}, {"status", {{"phase", "Running"}}}};
  const Json original = pod;
  PackValue(pod["status"]);
  EXPECT_TRUE(IsPacked(pod["status"]));
  EXPECT_EQ(UnpackedCopy(pod), original);
}

}  // namespace
}  // namespace osbx::kube
