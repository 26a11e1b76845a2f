#pragma once
// Strategic merge patch (`application/strategic-merge-patch+json`), server and client side, with
// kube's rules: lists with a merge strategy merge item by item (maps by their merge key, scalars
// as an ordered set), other lists and `replace` maps are replaced, null deletes, and the
// directives `$patch: replace|delete` (maps and list items), `$retainKeys`,
// `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>` are honoured. Item order
// follows kube: $setElementOrder first, then the patch's order, then the original's.
//
// Errors: malformed directives are kBadRequest with kube's messages ("invalid patch format of
// retainKeys", "map: map[value:b] does not contain declared merge key: name", ...); lists of lists
// and patches that contradict their $retainKeys are kInvalid (422), as kube-apiserver answers.

#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/patch/patch_schema.h"

namespace osbx::kube::patch {

// Applies `patch` to `original` (both JSON objects; null original counts as {}).
[[nodiscard]] StatusOr<Json> ApplyStrategicMergePatch(const Json& original, const Json& patch,
                                                      const PatchSchema& schema);

// The strategic merge patch that turns `original` into `modified` (what `kubectl apply`, `edit`
// and `patch` compute): changed fields, null for removed ones, `$patch: delete` items and
// `$deleteFromPrimitiveList` for removed list items, `$setElementOrder` for merged lists whose
// content or order changed, `$retainKeys` for retainKeys fields. Empty object when equal.
[[nodiscard]] StatusOr<Json> CreateTwoWayStrategicMergePatch(const Json& original,
                                                             const Json& modified,
                                                             const PatchSchema& schema);

}  // namespace osbx::kube::patch
