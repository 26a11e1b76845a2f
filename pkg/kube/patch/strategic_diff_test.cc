#include <gtest/gtest.h>

#include "pkg/kube/patch/smp_test_schema.h"
#include "pkg/kube/patch/strategic_merge.h"

namespace osbx::kube::patch {
namespace {

using testing::J;
using testing::MergeItemSchema;

struct DiffCase {
  const char* name;
  const char* original;
  const char* modified;
  const char* patch;
};

// Expected patches follow kube's CreateTwoWayMergePatch test cases.
TEST(StrategicDiffTest, CreatesKubeShapedPatches) {
  const DiffCase cases[] = {
      {"equal documents", R"({"name":1})", R"({"name":1})", R"({})"},
      {"add field", R"({"name":1})", R"({"name":1,"value":1})", R"({"value":1})"},
      {"delete field", R"({"name":1,"value":1})", R"({"value":1})", R"({"name":null})"},
      {"nested map", R"({"simpleMap":{"key1":1,"key2":1}})", R"({"simpleMap":{"key1":1}})",
       R"({"simpleMap":{"key2":null}})"},
      {"replace plain list", R"({"nonMergingIntList":[1,2]})", R"({"nonMergingIntList":[2,3]})",
       R"({"nonMergingIntList":[2,3]})"},
      {"add map to merging list", R"({"mergingList":[{"name":1},{"name":2}]})",
       R"({"mergingList":[{"name":1},{"name":2},{"name":3}]})",
       R"({"$setElementOrder/mergingList":[{"name":1},{"name":2},{"name":3}],
           "mergingList":[{"name":3}]})"},
      {"change map in merging list", R"({"mergingList":[{"name":1,"value":1},{"name":2}]})",
       R"({"mergingList":[{"name":1,"value":2},{"name":2}]})",
       R"({"$setElementOrder/mergingList":[{"name":1},{"name":2}],
           "mergingList":[{"name":1,"value":2}]})"},
      {"delete map from merging list", R"({"mergingList":[{"name":1},{"name":2}]})",
       R"({"mergingList":[{"name":1}]})",
       R"({"$setElementOrder/mergingList":[{"name":1}],
           "mergingList":[{"name":2,"$patch":"delete"}]})"},
      {"reorder merging list", R"({"mergingList":[{"name":1},{"name":2}]})",
       R"({"mergingList":[{"name":2},{"name":1}]})",
       R"({"$setElementOrder/mergingList":[{"name":2},{"name":1}]})"},
      {"delete scalars", R"({"mergingIntList":[1,2,3]})", R"({"mergingIntList":[1,2]})",
       R"({"$setElementOrder/mergingIntList":[1,2],"$deleteFromPrimitiveList/mergingIntList":[3]})"},
      {"add scalars", R"({"mergingIntList":[1,2]})", R"({"mergingIntList":[1,2,3]})",
       R"({"$setElementOrder/mergingIntList":[1,2,3],"mergingIntList":[3]})"},
      {"delete an item and keep order",
       R"({"mergingList":[{"name":1},{"name":3,"value":3},{"name":2,"value":2}]})",
       R"({"mergingList":[{"name":2,"value":2},{"name":1}]})",
       R"({"$setElementOrder/mergingList":[{"name":2},{"name":1}],
           "mergingList":[{"name":3,"$patch":"delete"}]})"},
      {"add and delete an item and keep order",
       R"({"mergingList":[{"name":1},{"name":3,"value":3},{"name":2,"value":2}]})",
       R"({"mergingList":[{"name":4,"value":4},{"name":2,"value":2},{"name":1}]})",
       R"({"$setElementOrder/mergingList":[{"name":4},{"name":2},{"name":1}],
           "mergingList":[{"name":4,"value":4},{"name":3,"$patch":"delete"}]})"},
      {"add and delete scalars and keep order", R"({"mergingIntList":[1,3,2]})",
       R"({"mergingIntList":[4,2,1]})",
       R"({"$setElementOrder/mergingIntList":[4,2,1],"mergingIntList":[4],
           "$deleteFromPrimitiveList/mergingIntList":[3]})"},
      {"reorder with duplicates",
       R"({"mergingList":[{"name":1},{"name":2,"value":"dup1"},{"name":3},
                          {"name":2,"value":"dup2"},{"name":4}]})",
       R"({"mergingList":[{"name":2,"value":"dup1"},{"name":1},{"name":4},{"name":3},
                          {"name":2,"value":"dup2"}]})",
       R"({"$setElementOrder/mergingList":[{"name":2},{"name":1},{"name":4},{"name":3},
                                           {"name":2}]})"},
      {"retainKeys map adds a field", R"({"retainKeysMap":{"name":"foo"}})",
       R"({"retainKeysMap":{"name":"foo","value":"bar"}})",
       R"({"retainKeysMap":{"$retainKeys":["name","value"],"value":"bar"}})"},
      {"list added from nothing", R"({})", R"({"mergingList":[{"name":1}]})",
       R"({"mergingList":[{"name":1}]})"},
      {"retainKeys map", R"({"retainKeysMap":{"name":"foo","value":"a"}})",
       R"({"retainKeysMap":{"name":"foo"}})",
       R"({"retainKeysMap":{"$retainKeys":["name"],"value":null}})"},
      {"retainKeys map unchanged", R"({"retainKeysMap":{"name":"foo"}})",
       R"({"retainKeysMap":{"name":"foo"}})", R"({})"},
      {"retainKeys list item", R"({"retainKeysMergingList":[{"name":"a","x":1}]})",
       R"({"retainKeysMergingList":[{"name":"a","y":2}]})",
       R"({"$setElementOrder/retainKeysMergingList":[{"name":"a"}],
           "retainKeysMergingList":[{"name":"a","$retainKeys":["name","y"],"x":null,"y":2}]})"},
  };
  for (const DiffCase& c : cases) {
    StatusOr<Json> patch =
        CreateTwoWayStrategicMergePatch(J(c.original), J(c.modified), MergeItemSchema());
    ASSERT_TRUE(patch.ok()) << c.name << ": " << patch.status().message();
    EXPECT_EQ(*patch, J(c.patch)) << c.name << "\n got: " << patch->dump();
  }
}

// Whatever the difference, applying the created patch to the original gives the modified object.
TEST(StrategicDiffTest, PatchRoundTripsOnPods) {
  const char* pairs[][2] = {
      {R"({"metadata":{"labels":{"a":"1"},"finalizers":["x","y"]},
           "spec":{"containers":[{"name":"main","image":"i1","env":[{"name":"A","value":"1"}]},
                                 {"name":"side","image":"s"}],
                   "volumes":[{"name":"v","hostPath":{"path":"/x"}}]}})",
       R"({"metadata":{"labels":{"b":"2"},"finalizers":["y","z"]},
           "spec":{"containers":[{"name":"new","image":"n"},
                                 {"name":"main","image":"i2","env":[{"name":"B","value":"2"},{"name":"A","value":"1"}]}],
                   "volumes":[{"name":"v","emptyDir":{}}]}})"},
      {R"({"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}})",
       R"({"spec":{"containers":[{"name":"c"},{"name":"a"}]}})"},
      {R"({})", R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":80}]}]}})"},
      {R"({"spec":{"tolerations":[{"key":"a"}]},"status":{"phase":"Running"}})", R"({})"},
  };
  for (const auto& pair : pairs) {
    Json original = J(pair[0]), modified = J(pair[1]);
    StatusOr<Json> patch = CreateTwoWayStrategicMergePatch(original, modified, PodSchema());
    ASSERT_TRUE(patch.ok()) << patch.status().message();
    StatusOr<Json> applied = ApplyStrategicMergePatch(original, *patch, PodSchema());
    ASSERT_TRUE(applied.ok()) << applied.status().message() << "\npatch: " << patch->dump();
    EXPECT_EQ(*applied, modified) << "patch: " << patch->dump();
  }
}

TEST(StrategicDiffTest, RejectsMalformedDocuments) {
  EXPECT_FALSE(CreateTwoWayStrategicMergePatch(J("[1]"), J("{}"), MergeItemSchema()).ok());
  StatusOr<Json> no_key =
      CreateTwoWayStrategicMergePatch(J(R"({"mergingList":[{"name":1}]})"),
                                      J(R"({"mergingList":[{"value":1}]})"), MergeItemSchema());
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.status().message(),
            "map: map[value:1] does not contain declared merge key: name");
  EXPECT_FALSE(CreateTwoWayStrategicMergePatch(J(R"({"mergingIntList":[[1]]})"),
                                               J(R"({"mergingIntList":[[2]]})"), MergeItemSchema())
                   .ok());
}

}  // namespace
}  // namespace osbx::kube::patch
