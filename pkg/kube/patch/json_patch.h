#pragma once
// JSON patch (RFC 6902, `application/json-patch+json`): add, remove, replace, move, copy and
// test, with "-" for the end of an array, ~0 / ~1 escapes in paths and negative array indices, as
// kube-apiserver applies them. A patch that does not apply (failing test, missing path, bad
// index) is kInvalid, which the server answers with 422 and kJsonPatchRejectedMessage; a body that
// is not a list of operations is kBadRequest (400).

#include <cstddef>
#include <string_view>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::kube::patch {

// The message kube-apiserver puts in its 422 answer when a JSON patch does not apply.
inline constexpr std::string_view kJsonPatchRejectedMessage =
    "the server rejected our request due to an error in our request";
// kube-apiserver refuses longer patches (413).
inline constexpr size_t kMaxJsonPatchOperations = 10000;

// Checks the shape of a decoded patch: an array of objects (null counts as no operation).
[[nodiscard]] Status ValidateJsonPatch(const Json& patch);

// Applies every operation in order to a copy of `document`; all or nothing.
[[nodiscard]] StatusOr<Json> ApplyJsonPatch(const Json& document, const Json& patch);

}  // namespace osbx::kube::patch
