#pragma once
// Test-only: the schema both strategic merge patch tests (apply and two-way diff) run their
// kube-derived cases against, and a JSON literal shorthand.

#include "internal/utils/json.h"
#include "pkg/kube/patch/patch_schema.h"

namespace osbx::kube::patch::testing {

inline Json J(const char* text) { return Json::parse(text); }

// The shape of kube's own strategic merge patch test type (mergeItem), one level deep.
inline const PatchSchema& MergeItemSchema() {
  static const PatchSchema* schema = [] {
    auto* s = new PatchSchema();
    s->MergeList("mergingList", "name")
        .MergeList("mergingList.mergingList", "name")
        .MergeList("mergingList.mergingIntList")
        .MergeList("mergingIntList")
        .RetainKeys("retainKeysMap")
        .MergeList("retainKeysMergingList", "name")
        .RetainKeys("retainKeysMergingList")
        .ReplaceMap("replacingItem");
    return s;
  }();
  return *schema;
}

}  // namespace osbx::kube::patch::testing
