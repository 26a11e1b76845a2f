// Random documents and patches: every patcher answers with a value or an error, never a crash,
// and two-way strategic patches always reproduce the modified document.

#include <gtest/gtest.h>

#include <random>

#include "pkg/kube/patch/json_patch.h"
#include "pkg/kube/patch/merge_patch.h"
#include "pkg/kube/patch/strategic_merge.h"

namespace osbx::kube::patch {
namespace {

// Small random JSON values whose keys include the names the patchers treat specially.
class RandomJson {
 public:
  explicit RandomJson(unsigned seed) : rng_(seed) {}

  Json Value(int depth) {
    switch (Pick(depth > 0 ? 7 : 4)) {
      case 0:
        return nullptr;
      case 1:
        return Pick(3);
      case 2:
        return Key();
      case 3:
        return Pick(2) == 0;
      case 4:
      case 5:
        return Object(depth - 1);
      default:
        return Array(depth - 1);
    }
  }
  Json Object(int depth) {
    Json out = Json::object();
    for (int n = Pick(4); n > 0; --n) out[Key()] = Value(depth);
    return out;
  }
  Json Array(int depth) {
    Json out = Json::array();
    for (int n = Pick(4); n > 0; --n) out.push_back(Value(depth));
    return out;
  }
  // A list of JSON patch operations with plausible and implausible parts.
  Json Operations() {
    static const char* kOps[] = {"add", "remove", "replace", "move", "copy", "test", "bogus"};
    Json ops = Json::array();
    for (int n = Pick(4); n > 0; --n) {
      Json op = {{"op", kOps[Pick(7)]}, {"path", Path()}};
      if (Pick(3) != 0) op["value"] = Value(1);
      if (Pick(2) == 0) op["from"] = Path();
      ops.push_back(std::move(op));
    }
    return ops;
  }
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

 private:
  std::string Key() {
    static const char* kKeys[] = {"name",
                                  "mergingList",
                                  "mergingIntList",
                                  "$patch",
                                  "delete",
                                  "replace",
                                  "merge",
                                  "$retainKeys",
                                  "$setElementOrder/mergingList",
                                  "$deleteFromPrimitiveList/mergingIntList",
                                  "value",
                                  "a"};
    return kKeys[Pick(12)];
  }
  std::string Path() {
    static const char* kSegments[] = {"name", "mergingList", "0", "-", "1", "a", "~1", "x"};
    std::string path;
    for (int n = Pick(3) + 1; n > 0; --n) path += std::string("/") + kSegments[Pick(8)];
    return path;
  }

  std::mt19937 rng_;
};

const PatchSchema& FuzzSchema() {
  static const PatchSchema* schema = [] {
    auto* s = new PatchSchema();
    s->MergeList("mergingList", "name").MergeList("mergingIntList").RetainKeys("retainKeysMap");
    s->MergeList("mergingList.mergingList", "name");
    return s;
  }();
  return *schema;
}

TEST(PatchRobustnessTest, RandomPatchesNeverCrash) {
  RandomJson random(2026);
  for (int i = 0; i < 5000; ++i) {
    Json doc = random.Object(3);
    Json patch = random.Object(3);
    EXPECT_NO_THROW({
      (void)ApplyMergePatch(doc, patch);
      (void)ApplyStrategicMergePatch(doc, patch, FuzzSchema());
      (void)ApplyStrategicMergePatch(doc, patch, PodSchema());
      (void)ApplyJsonPatch(doc, random.Operations());
      (void)ApplyJsonPatch(doc, random.Value(2));
    }) << doc.dump()
       << " / " << patch.dump();
  }
}

TEST(PatchRobustnessTest, MergePatchCreatedFromTwoDocumentsReproducesTheSecond) {
  RandomJson random(99);
  for (int i = 0; i < 5000; ++i) {
    Json a = random.Object(3), b = random.Object(3);
    b.erase("$patch");  // documents without nulls: merge patches cannot carry a null value
    if (b.dump().find("null") != std::string::npos) continue;
    EXPECT_EQ(ApplyMergePatch(a, CreateMergePatch(a, b)), b) << a.dump() << " -> " << b.dump();
  }
}

TEST(PatchRobustnessTest, TwoWayStrategicPatchOnPodsReproducesTheModifiedPod) {
  std::mt19937 rng(5);
  auto pick = [&rng](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  auto random_pod = [&] {
    static const char* kNames[] = {"a", "b", "c", "d"};
    Json containers = Json::array();
    std::vector<int> order = {0, 1, 2, 3};
    std::shuffle(order.begin(), order.end(), rng);
    for (int n = pick(4); n > 0; --n) {
      Json c = {{"name", kNames[order[n - 1]]}, {"image", kNames[pick(4)]}};
      if (pick(2) == 0) c["env"] = Json::array({{{"name", kNames[pick(4)]}, {"value", "v"}}});
      containers.push_back(std::move(c));
    }
    Json finalizers = Json::array();
    for (int n = pick(3); n > 0; --n) {
      std::string f = kNames[pick(4)];
      if (std::find(finalizers.begin(), finalizers.end(), f) == finalizers.end()) {
        finalizers.push_back(f);
      }
    }
    return Json{{"metadata", {{"finalizers", finalizers}}}, {"spec", {{"containers", containers}}}};
  };
  for (int i = 0; i < 2000; ++i) {
    Json original = random_pod(), modified = random_pod();
    StatusOr<Json> patch = CreateTwoWayStrategicMergePatch(original, modified, PodSchema());
    ASSERT_TRUE(patch.ok()) << patch.status().message();
    StatusOr<Json> applied = ApplyStrategicMergePatch(original, *patch, PodSchema());
    ASSERT_TRUE(applied.ok()) << applied.status().message();
    EXPECT_EQ(*applied, modified) << original.dump() << "\npatch " << patch->dump();
  }
}

}  // namespace
}  // namespace osbx::kube::patch
