#pragma once
// JSON merge patch (RFC 7386, `application/merge-patch+json`): applying one, and computing the
// smallest one that turns an original object into a modified one, which is how controllers send
// only what they changed. Also the decoding of patch bodies with kube-apiserver's error wording.

#include <string_view>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::kube::patch {

// Parses a patch body. Malformed JSON is kBadRequest "error decoding patch: <reason>", the way
// kube-apiserver answers (e.g. "error decoding patch: unexpected end of JSON input").
[[nodiscard]] StatusOr<Json> DecodePatchBody(std::string_view body);
// Like DecodePatchBody, and the body must be a JSON object (merge and strategic merge patches).
[[nodiscard]] StatusOr<Json> DecodeObjectPatchBody(std::string_view body);

// Applies a merge patch: objects merge key by key, null deletes a key, anything else (arrays
// included) replaces the target value. A non-object patch replaces the whole target.
Json ApplyMergePatch(const Json& target, const Json& patch);

// The minimal merge patch from `original` to `modified`: changed and added keys, null for removed
// keys, arrays whole. Empty object when nothing changed. Applying it to `original` yields
// `modified` (for documents without null values, which merge patches cannot express).
Json CreateMergePatch(const Json& original, const Json& modified);

// Go's name of a JSON value's kind in decoding errors: "object", "array", "string", "number",
// "bool" or "null".
std::string_view GoJsonKind(const Json& value);
// A JSON value printed the way Go's %v prints the decoded value (map[a:1 b:[x y]]), which is how
// kube quotes patches in its error messages.
std::string GoValueString(const Json& value);

}  // namespace osbx::kube::patch
