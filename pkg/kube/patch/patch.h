#pragma once
// The patch types of the Kubernetes API by content type, and one entry point that decodes and
// applies a PATCH body of any of them (except server-side apply, which needs field managers).
// Error codes are those kube-apiserver answers with: 400 for undecodable bodies, 422 for JSON
// patches that do not apply, 415 for a strategic merge patch on a type without patch metadata
// (custom resources).

#include <optional>
#include <string_view>

#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/patch/patch_schema.h"

namespace osbx::kube::patch {

enum class PatchType { kJsonPatch, kMergePatch, kStrategicMergePatch, kApplyPatch };

// "application/json-patch+json", "application/merge-patch+json",
// "application/strategic-merge-patch+json", "application/apply-patch+yaml".
std::string_view ContentTypeOf(PatchType type);
// The patch type of a Content-Type header (parameters such as "; charset=utf-8" ignored).
std::optional<PatchType> PatchTypeFromContentType(std::string_view content_type);

// kube-apiserver's 415 message for a PATCH it cannot take on a custom resource.
inline constexpr std::string_view kCustomResourcePatchTypesMessage =
    "the body of the request was in an unknown format - accepted media types include: "
    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";

// Decodes `body` and applies it to `original`. `strategic_schema` is the patch metadata of the
// object's type; nullptr means the type has none and a strategic merge patch is refused (415).
// kApplyPatch is refused here (kUnsupportedMediaType): it needs the field manager machinery.
[[nodiscard]] StatusOr<Json> ApplyPatchBody(PatchType type, const Json& original,
                                            std::string_view body,
                                            const PatchSchema* strategic_schema);

}  // namespace osbx::kube::patch
