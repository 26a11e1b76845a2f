#include "pkg/kube/patch/patch.h"

#include "pkg/kube/patch/json_patch.h"
#include "pkg/kube/patch/merge_patch.h"
#include "pkg/kube/patch/strategic_merge.h"

namespace osbx::kube::patch {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view ContentTypeOf(PatchType type) {
  switch (type) {
    case PatchType::kJsonPatch:
      return "application/json-patch+json";
    case PatchType::kMergePatch:
      return "application/merge-patch+json";
    case PatchType::kStrategicMergePatch:
      return "application/strategic-merge-patch+json";
    case PatchType::kApplyPatch:
      return "application/apply-patch+yaml";
  }
  return "";
}

std::optional<PatchType> PatchTypeFromContentType(std::string_view content_type) {
  std::string_view media = Trim(content_type.substr(0, content_type.find(';')));
  for (PatchType type : {PatchType::kJsonPatch, PatchType::kMergePatch,
                         PatchType::kStrategicMergePatch, PatchType::kApplyPatch}) {
    if (EqualsIgnoreCase(media, ContentTypeOf(type))) return type;
  }
  return std::nullopt;
}

StatusOr<Json> ApplyPatchBody(PatchType type, const Json& original, std::string_view body,
                              const PatchSchema* strategic_schema) {
  switch (type) {
    case PatchType::kJsonPatch: {
      OSBX_ASSIGN_OR_RETURN(Json patch, DecodePatchBody(body));
      return ApplyJsonPatch(original, patch);
    }
    case PatchType::kMergePatch: {
      OSBX_ASSIGN_OR_RETURN(Json patch, DecodeObjectPatchBody(body));
      return ApplyMergePatch(original, patch);
    }
    case PatchType::kStrategicMergePatch: {
      if (strategic_schema == nullptr) {
        return Status(StatusCode::kUnsupportedMediaType,
                      std::string(kCustomResourcePatchTypesMessage));
      }
      OSBX_ASSIGN_OR_RETURN(Json patch, DecodeObjectPatchBody(body));
      return ApplyStrategicMergePatch(original, patch, *strategic_schema);
    }
    case PatchType::kApplyPatch:
      break;
  }
  return Status(StatusCode::kUnsupportedMediaType,
                "server-side apply is not handled by the patch library");
}

}  // namespace osbx::kube::patch
