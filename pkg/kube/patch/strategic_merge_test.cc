#include "pkg/kube/patch/strategic_merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pkg/kube/patch/smp_test_schema.h"

namespace osbx::kube::patch {
namespace {

using testing::J;
using testing::MergeItemSchema;

struct SmpCase {
  const char* name;
  const char* original;
  const char* patch;
  const char* result;
};

void ExpectApplies(const SmpCase& c, const PatchSchema& schema) {
  StatusOr<Json> result = ApplyStrategicMergePatch(J(c.original), J(c.patch), schema);
  ASSERT_TRUE(result.ok()) << c.name << ": " << result.status().message();
  EXPECT_EQ(*result, J(c.result)) << c.name << "\n got: " << result->dump();
}

// Expected results follow kube's strategicpatch rules and test cases.
TEST(StrategicMergeTest, MapsMergeAndNullDeletes) {
  const SmpCase cases[] = {
      {"add field", R"({"name":1})", R"({"value":1})", R"({"name":1,"value":1})"},
      {"delete field", R"({"name":1,"value":1})", R"({"value":null})", R"({"name":1})"},
      {"null for missing key is dropped", R"({"name":1})", R"({"other":null})", R"({"name":1})"},
      {"nested map", R"({"simpleMap":{"key1":1,"key2":1}})",
       R"({"simpleMap":{"key2":null,"key3":3}})", R"({"simpleMap":{"key1":1,"key3":3}})"},
      {"$patch delete on nested map empties it", R"({"simpleMap":{"key1":1,"key2":1}})",
       R"({"simpleMap":{"$patch":"delete"}})", R"({"simpleMap":{}})"},
      {"$patch replace on root", R"({"name":1,"value":1})", R"({"other":"a","$patch":"replace"})",
       R"({"other":"a"})"},
      {"$patch replace on root, nothing else", R"({"name":1,"value":1})", R"({"$patch":"replace"})",
       R"({})"},
      {"replace strategy map", R"({"replacingItem":{"a":1,"b":2}})", R"({"replacingItem":{"c":3}})",
       R"({"replacingItem":{"c":3}})"},
      {"type change replaces", R"({"a":{"b":1}})", R"({"a":[1]})", R"({"a":[1]})"},
      {"new subtree drops nulls", R"({})", R"({"a":{"b":null,"c":1}})", R"({"a":{"c":1}})"},
  };
  for (const SmpCase& c : cases) ExpectApplies(c, MergeItemSchema());
}

TEST(StrategicMergeTest, ListsWithoutStrategyAreReplaced) {
  const SmpCase cases[] = {
      {"scalars", R"({"nonMergingIntList":[1,2]})", R"({"nonMergingIntList":[2,3]})",
       R"({"nonMergingIntList":[2,3]})"},
      {"maps", R"({"nonMergingList":[{"name":"1"},{"name":"2"}]})",
       R"({"nonMergingList":[{"name":"3"}]})", R"({"nonMergingList":[{"name":"3"}]})"},
  };
  for (const SmpCase& c : cases) ExpectApplies(c, MergeItemSchema());
}

TEST(StrategicMergeTest, MergingListsOfMaps) {
  const SmpCase cases[] = {
      {"merge item by key", R"({"mergingList":[{"name":1,"value":1},{"name":2,"value":2}]})",
       R"({"mergingList":[{"name":1,"value":"a"}]})",
       R"({"mergingList":[{"name":1,"value":"a"},{"name":2,"value":2}]})"},
      {"new items come before server-only items", R"({"mergingList":[{"name":1},{"name":2}]})",
       R"({"mergingList":[{"name":3}]})", R"({"mergingList":[{"name":3},{"name":1},{"name":2}]})"},
      {"delete by $patch", R"({"mergingList":[{"name":1},{"name":2}]})",
       R"({"mergingList":[{"name":1,"$patch":"delete"}]})", R"({"mergingList":[{"name":2}]})"},
      {"delete all duplicates",
       R"({"mergingList":[{"name":1},{"name":1},{"name":2,"value":"a"},{"name":3},{"name":3}]})",
       R"({"mergingList":[{"name":1,"$patch":"delete"},{"name":3,"$patch":"delete"}]})",
       R"({"mergingList":[{"name":2,"value":"a"}]})"},
      {"replace whole list", R"({"mergingList":[{"name":1},{"name":2}]})",
       R"({"mergingList":[{"name":3,"value":null},{"$patch":"replace"}]})",
       R"({"mergingList":[{"name":3}]})"},
      {"replace with nothing", R"({"mergingList":[{"name":1},{"name":2}]})",
       R"({"mergingList":[{"$patch":"replace"}]})", R"({"mergingList":[]})"},
      {"merge empty lists", R"({"mergingList":[]})", R"({"mergingList":[]})",
       R"({"mergingList":[]})"},
      {"patch order wins", R"({"mergingList":[{"name":1},{"name":2,"value":"b"},{"name":3}]})",
       R"({"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"},{"name":2,"other":"x"}]})",
       R"({"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"},{"name":2,"value":"b","other":"x"}]})"},
      {"patch order wins, server-only items keep their place",
       R"({"mergingList":[{"name":1},{"name":2,"value":"b"},{"name":3}]})",
       R"({"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"}]})",
       R"({"mergingList":[{"name":2,"value":"b"},{"name":3,"value":"c"},{"name":1,"value":"a"}]})"},
      {"nested merging list",
       R"({"mergingList":[{"name":1,"mergingList":[{"name":"a","v":1}],"mergingIntList":[1]}]})",
       R"({"mergingList":[{"name":1,"mergingList":[{"name":"a","v":2},{"name":"b"}],"mergingIntList":[2]}]})",
       // A new scalar without $setElementOrder goes before the existing ones, as in kube.
       R"({"mergingList":[{"name":1,"mergingList":[{"name":"a","v":2},{"name":"b"}],"mergingIntList":[2,1]}]})"},
      {"new list taken from patch without directives", R"({})",
       R"({"mergingList":[{"name":1,"x":null},{"name":2,"$patch":"delete"}]})",
       R"({"mergingList":[{"name":1}]})"},
  };
  for (const SmpCase& c : cases) ExpectApplies(c, MergeItemSchema());
}

TEST(StrategicMergeTest, MergingListsOfScalars) {
  const SmpCase cases[] = {
      {"union without duplicates", R"({"mergingIntList":[1,2]})", R"({"mergingIntList":[2,3]})",
       R"({"mergingIntList":[1,2,3]})"},
      {"patch order wins", R"({"mergingIntList":[1,2,3]})", R"({"mergingIntList":[3,1,2]})",
       R"({"mergingIntList":[3,1,2]})"},
      {"patch order wins around server-only", R"({"mergingIntList":[1,2,3]})",
       R"({"mergingIntList":[3,1]})", R"({"mergingIntList":[2,3,1]})"},
      {"deleteFromPrimitiveList", R"({"mergingIntList":[1,2,3]})",
       R"({"$deleteFromPrimitiveList/mergingIntList":[3],"$setElementOrder/mergingIntList":[1,2]})",
       R"({"mergingIntList":[1,2]})"},
      {"deleteFromPrimitiveList on a missing list", R"({})",
       R"({"$deleteFromPrimitiveList/mergingIntList":[3]})", R"({})"},
  };
  for (const SmpCase& c : cases) ExpectApplies(c, MergeItemSchema());
}

TEST(StrategicMergeTest, SetElementOrder) {
  const SmpCase cases[] = {
      {"reorders maps", R"({"mergingList":[{"name":1},{"name":2},{"name":3}]})",
       R"({"$setElementOrder/mergingList":[{"name":3},{"name":1},{"name":2}]})",
       R"({"mergingList":[{"name":3},{"name":1},{"name":2}]})"},
      {"order names items absent from the list", R"({"mergingList":[{"name":1},{"name":3}]})",
       R"({"$setElementOrder/mergingList":[{"name":3},{"name":2},{"name":1}],"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]})",
       R"({"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]})"},
      {"scalars", R"({"mergingIntList":[1,3]})", R"({"$setElementOrder/mergingIntList":[3,2,1]})",
       R"({"mergingIntList":[3,1]})"},
      {"new item placed by order", R"({"mergingList":[{"name":1},{"name":2}]})",
       R"({"$setElementOrder/mergingList":[{"name":1},{"name":3},{"name":2}],"mergingList":[{"name":3}]})",
       R"({"mergingList":[{"name":1},{"name":3},{"name":2}]})"},
  };
  for (const SmpCase& c : cases) ExpectApplies(c, MergeItemSchema());
}

// kube's three-way cases: the patch applied to a live object that others changed meanwhile.
TEST(StrategicMergeTest, SetElementOrderWithServerOnlyItems) {
  const SmpCase cases[] = {
      {"add and delete scalars", R"({"mergingIntList":[1,2,3,4]})",
       R"({"$setElementOrder/mergingIntList":[1,2,4],"$deleteFromPrimitiveList/mergingIntList":[3]})",
       R"({"mergingIntList":[1,2,4]})"},
      {"merge lists of maps",
       R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})",
       R"({"$setElementOrder/mergingList":[{"name":4},{"name":1},{"name":2},{"name":3}],
           "mergingList":[{"name":4,"value":4},{"name":3,"value":3}]})",
       R"({"mergingList":[{"name":4,"value":4},{"name":1,"other":"a"},
                          {"name":2,"value":2,"other":"b"},{"name":3,"value":3}]})"},
      {"delete missing map", R"({"mergingList":[{"name":3,"other":"a"}]})",
       R"({"$setElementOrder/mergingList":[{"name":2}],
           "mergingList":[{"name":2},{"name":1,"$patch":"delete"}]})",
       R"({"mergingList":[{"name":2},{"name":3,"other":"a"}]})"},
      {"add map and delete map",
       R"({"mergingList":[{"name":1},{"name":2,"other":"b"},{"name":4,"other":"c"}]})",
       R"({"$setElementOrder/mergingList":[{"name":2},{"name":3}],
           "mergingList":[{"name":3},{"name":1,"$patch":"delete"}]})",
       R"({"mergingList":[{"name":2,"other":"b"},{"name":4,"other":"c"},{"name":3}]})"},
      {"add map and delete map with conflict",
       R"({"mergingList":[{"name":1,"other":"a"},{"name":4,"other":"c"}]})",
       R"({"$setElementOrder/mergingList":[{"name":2},{"name":3}],
           "mergingList":[{"name":2},{"name":3},{"name":1,"$patch":"delete"}]})",
       R"({"mergingList":[{"name":4,"other":"c"},{"name":2},{"name":3}]})"},
      {"delete field from map in list",
       R"({"mergingList":[{"name":1,"value":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})",
       R"({"$setElementOrder/mergingList":[{"name":1},{"name":2}],
           "mergingList":[{"name":1,"value":null}]})",
       R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})"},
      {"server-only items keep their neighbours",
       R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2},{"name":9},{"name":3},
                          {"name":4}]})",
       R"({"$setElementOrder/mergingList":[{"name":2},{"name":1},{"name":4},{"name":3}]})",
       R"({"mergingList":[{"name":2,"value":2},{"name":1,"other":"a"},{"name":9},{"name":4},
                          {"name":3}]})"},
      {"several server-only items",
       R"({"mergingList":[{"name":1},{"name":2},{"name":7},{"name":9},{"name":8},{"name":3},
                          {"name":4}]})",
       R"({"$setElementOrder/mergingList":[{"name":2},{"name":1},{"name":4},{"name":3}]})",
       R"({"mergingList":[{"name":2},{"name":1},{"name":7},{"name":9},{"name":8},{"name":4},
                          {"name":3}]})"},
      {"server-only scalars", R"({"mergingIntList":[1,2,9,3,4]})",
       R"({"$setElementOrder/mergingIntList":[2,1,4,3]})", R"({"mergingIntList":[2,1,9,4,3]})"},
      {"delete an item and keep order",
       R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"other":"b"},{"name":3}]})",
       R"({"$setElementOrder/mergingList":[{"name":2},{"name":1}],
           "mergingList":[{"name":3,"$patch":"delete"}]})",
       R"({"mergingList":[{"name":2,"other":"b"},{"name":1,"other":"a"}]})"},
      {"add and delete an item and keep order",
       R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"other":"b"},{"name":3}]})",
       R"({"$setElementOrder/mergingList":[{"name":4},{"name":2},{"name":1}],
           "mergingList":[{"name":4,"value":4},{"name":3,"$patch":"delete"}]})",
       R"({"mergingList":[{"name":4,"value":4},{"name":2,"other":"b"},{"name":1,"other":"a"}]})"},
      {"add and delete scalars and keep order", R"({"mergingIntList":[1,2,3]})",
       R"({"$setElementOrder/mergingIntList":[4,2,1],"mergingIntList":[4],
           "$deleteFromPrimitiveList/mergingIntList":[3]})",
       R"({"mergingIntList":[4,2,1]})"},
      {"duplicate keys stay together",
       R"({"mergingList":[{"name":1},{"name":2,"value":"dup1"},{"name":3},
                          {"name":2,"value":"dup2"},{"name":4}]})",
       R"({"$setElementOrder/mergingList":[{"name":2},{"name":1},{"name":4},{"name":3},
                                           {"name":2}]})",
       R"({"mergingList":[{"name":2,"value":"dup1"},{"name":2,"value":"dup2"},{"name":1},
                          {"name":4},{"name":3}]})"},
      {"duplicate scalars stay together", R"({"mergingIntList":[1,2,3,2,4]})",
       R"({"$setElementOrder/mergingIntList":[2,1,4,3,2]})", R"({"mergingIntList":[2,2,1,4,3]})"},
  };
  for (const SmpCase& c : cases) ExpectApplies(c, MergeItemSchema());
}

TEST(StrategicMergeTest, RetainKeys) {
  const SmpCase cases[] = {
      {"clears unlisted keys", R"({"retainKeysMap":{"name":"foo","value":"a","other":"b"}})",
       R"({"retainKeysMap":{"$retainKeys":["name","value"],"value":"c"}})",
       R"({"retainKeysMap":{"name":"foo","value":"c"}})"},
      {"without directive merges as usual", R"({"retainKeysMap":{"name":"foo"}})",
       R"({"retainKeysMap":{"value":"bar"}})", R"({"retainKeysMap":{"name":"foo","value":"bar"}})"},
      {"in list items", R"({"retainKeysMergingList":[{"name":"foo","a":1,"b":2}]})",
       R"({"retainKeysMergingList":[{"name":"foo","$retainKeys":["name","c"],"c":3}]})",
       R"({"retainKeysMergingList":[{"name":"foo","c":3}]})"},
  };
  for (const SmpCase& c : cases) ExpectApplies(c, MergeItemSchema());
}

struct ErrorCase {
  const char* name;
  const char* original;
  const char* patch;
  StatusCode code;
  const char* message_part;
};

TEST(StrategicMergeTest, MalformedPatchesFailWithKubeMessages) {
  const ErrorCase cases[] = {
      {"missing merge key", R"({"mergingList":[{"name":1,"value":"a"}]})",
       R"({"mergingList":[{"value":"b"}]})", StatusCode::kBadRequest,
       "map: map[value:b] does not contain declared merge key: name"},
      {"order mismatch", R"({"mergingList":[{"name":1},{"name":3},{"name":2}]})",
       R"({"$setElementOrder/mergingList":[{"name":1},{"name":2},{"name":3}],"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]})",
       StatusCode::kBadRequest, "doesn't match $setElementOrder list"},
      {"scalar order mismatch", R"({"mergingIntList":[1,3,2]})",
       R"({"$setElementOrder/mergingIntList":[1,2,3],"mergingIntList":[3,1]})",
       StatusCode::kBadRequest, "doesn't match"},
      {"unknown map directive", R"({"simpleMap":{}})", R"({"simpleMap":{"$patch":"bogus"}})",
       StatusCode::kBadRequest, "unknown patch type: bogus in map: map[$patch:bogus]"},
      {"merge directive in list", R"({"mergingList":[{"name":1}]})",
       R"({"mergingList":[{"$patch":"merge"}]})", StatusCode::kBadRequest,
       "merging lists cannot yet be specified in the patch"},
      {"delete without key", R"({"mergingList":[{"name":1}]})",
       R"({"mergingList":[{"$patch":"delete"}]})", StatusCode::kBadRequest,
       "does not contain declared merge key: name"},
      {"list of lists", R"({"mergingIntList":[[1]]})", R"({"mergingIntList":[[2]]})",
       StatusCode::kInvalid, "lists of lists are not supported"},
      {"mixed element kinds", R"({"mergingIntList":[1]})", R"({"mergingIntList":["a"]})",
       StatusCode::kBadRequest, "list element types are not identical"},
      {"retainKeys not a list", R"({"retainKeysMap":{}})",
       R"({"retainKeysMap":{"$retainKeys":"name"}})", StatusCode::kBadRequest,
       "invalid patch format of retainKeys"},
      {"patch outside retainKeys", R"({"retainKeysMap":{}})",
       R"({"retainKeysMap":{"$retainKeys":["name"],"value":1}})", StatusCode::kInvalid,
       "patch content doesn't match retainKeys list"},
      {"bad setElementOrder key", R"({})", R"({"$setElementOrder":[1]})", StatusCode::kBadRequest,
       "invalid patch format of setElementOrder list"},
      {"bad deleteFromPrimitiveList key", R"({})", R"({"$deleteFromPrimitiveListx":[1]})",
       StatusCode::kBadRequest, "invalid patch format of primitive list"},
      {"merging maps without key", R"({"mergingIntList":[{"a":1}]})",
       R"({"mergingIntList":[{"a":2}]})", StatusCode::kBadRequest,
       "cannot merge lists without merge key"},
      {"patch not an object", R"({})", R"([1])", StatusCode::kBadRequest, "invalid JSON document"},
  };
  for (const ErrorCase& c : cases) {
    StatusOr<Json> result = ApplyStrategicMergePatch(J(c.original), J(c.patch), MergeItemSchema());
    ASSERT_FALSE(result.ok()) << c.name << " got " << result->dump();
    EXPECT_EQ(result.status().code(), c.code) << c.name;
    EXPECT_THAT(result.status().message(), ::testing::HasSubstr(c.message_part)) << c.name;
  }
}

const char* kPod = R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "p", "labels": {"app": "x"}, "finalizers": ["a/f"],
               "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "o", "uid": "u1"}]},
  "spec": {
    "containers": [
      {"name": "main", "image": "busybox", "command": ["sleep", "1"],
       "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
       "ports": [{"containerPort": 80, "protocol": "TCP"}],
       "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
      {"name": "sidecar", "image": "envoy"}],
    "volumes": [{"name": "data", "emptyDir": {}}],
    "tolerations": [{"key": "k", "operator": "Exists"}]}})";

TEST(StrategicMergeTest, PodShardPatchMergesContainersByName) {
  StatusOr<Json> result = ApplyStrategicMergePatch(J(kPod), J(R"({"spec":{"containers":[
      {"name":"main","command":["python","task.py"],
       "env":[{"name":"B","value":"20"},{"name":"C","value":"3"}]}]}})"),
                                                   PodSchema());
  ASSERT_TRUE(result.ok()) << result.status().message();
  const Json& containers = (*result)["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0]["name"], "main");
  EXPECT_EQ(containers[0]["image"], "busybox");
  EXPECT_EQ(containers[0]["command"], J(R"(["python","task.py"])"));  // plain lists replace
  EXPECT_EQ(containers[0]["env"], J(R"([{"name":"A","value":"1"},{"name":"B","value":"20"},
                                        {"name":"C","value":"3"}])"));
  EXPECT_EQ(containers[1]["name"], "sidecar");
}

TEST(StrategicMergeTest, PodListsMergeByTheirKubeKeys) {
  StatusOr<Json> result = ApplyStrategicMergePatch(J(kPod), J(R"({
      "metadata":{"finalizers":["b/f"],"ownerReferences":[{"apiVersion":"v1","kind":"Y","name":"o2","uid":"u2"}]},
      "spec":{"containers":[{"name":"main",
          "ports":[{"containerPort":8080}],
          "volumeMounts":[{"mountPath":"/data","readOnly":true}]},
        {"name":"sidecar","$patch":"delete"}],
        "volumes":[{"name":"cache","emptyDir":{}}],
        "tolerations":[{"key":"other","operator":"Exists"}]}})"),
                                                   PodSchema());
  ASSERT_TRUE(result.ok()) << result.status().message();
  const Json& pod = *result;
  EXPECT_EQ(pod["metadata"]["finalizers"], J(R"(["b/f","a/f"])"));
  EXPECT_EQ(pod["metadata"]["ownerReferences"].size(), 2u);
  ASSERT_EQ(pod["spec"]["containers"].size(), 1u);
  const Json& main = pod["spec"]["containers"][0];
  EXPECT_EQ(main["ports"], J(R"([{"containerPort":8080},{"containerPort":80,"protocol":"TCP"}])"));
  EXPECT_EQ(main["volumeMounts"], J(R"([{"name":"data","mountPath":"/data","readOnly":true}])"));
  EXPECT_EQ(pod["spec"]["volumes"],
            J(R"([{"name":"cache","emptyDir":{}},{"name":"data","emptyDir":{}}])"));
  EXPECT_EQ(pod["spec"]["tolerations"], J(R"([{"key":"other","operator":"Exists"}])"));
}

TEST(StrategicMergeTest, PodFinalizerRemovalThroughDeleteList) {
  StatusOr<Json> result = ApplyStrategicMergePatch(
      J(kPod), J(R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a/f"]}})"), PodSchema());
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ((*result)["metadata"]["finalizers"], Json::array());
}

TEST(StrategicMergeTest, PodVolumeSourceSwitchWithRetainKeys) {
  Json pod = J(R"({"spec":{"volumes":[{"name":"v","hostPath":{"path":"/x"}}]}})");
  StatusOr<Json> result = ApplyStrategicMergePatch(
      pod,
      J(R"({"spec":{"volumes":[{"name":"v","$retainKeys":["emptyDir","name"],"emptyDir":{}}]}})"),
      PodSchema());
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ((*result)["spec"]["volumes"], J(R"([{"name":"v","emptyDir":{}}])"));
}

TEST(StrategicMergeTest, TaskTemplateMergesProcessEnvByName) {
  Json base = J(R"({"spec":{"timeoutSeconds":60,"process":{"command":["run"],"args":["a"],
      "env":[{"name":"SHARD","value":"0"},{"name":"MODE","value":"x"}]}}})");
  StatusOr<Json> result = ApplyStrategicMergePatch(
      base, J(R"({"spec":{"process":{"args":["b"],"env":[{"name":"SHARD","value":"3"}]}}})"),
      TaskTemplateSchema());
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(*result, J(R"({"spec":{"timeoutSeconds":60,"process":{"command":["run"],"args":["b"],
      "env":[{"name":"SHARD","value":"3"},{"name":"MODE","value":"x"}]}}})"));
}

TEST(StrategicMergeTest, NullOriginalAndPatchAreEmptyObjects) {
  EXPECT_EQ(*ApplyStrategicMergePatch(Json(), J(R"({"a":1})"), EmptySchema()), J(R"({"a":1})"));
  EXPECT_EQ(*ApplyStrategicMergePatch(J(R"({"a":1})"), Json(), EmptySchema()), J(R"({"a":1})"));
  EXPECT_FALSE(ApplyStrategicMergePatch(J("[1]"), J("{}"), EmptySchema()).ok());
}

}  // namespace
}  // namespace osbx::kube::patch
