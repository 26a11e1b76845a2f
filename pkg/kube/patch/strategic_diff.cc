// Computing strategic merge patches from two documents (the client side of kube's
// strategicpatch package, as `kubectl apply`, `edit` and `patch` use it).

#include <algorithm>
#include <string>

#include "pkg/kube/patch/merge_patch.h"
#include "pkg/kube/patch/smp_internal.h"
#include "pkg/kube/patch/strategic_merge.h"

namespace osbx::kube::patch {
namespace {

using namespace smp;  // NOLINT: the directive names read better unqualified here
using Field = PatchSchema::Field;

StatusOr<Json> DiffMaps(const Json& original, const Json& modified, const PatchSchema* schema,
                        bool build_retain_keys);

// Lists sorted by the textual form of their merge key (maps) or value (scalars), which is how
// kube walks two lists side by side.
std::vector<const Json*> SortedByKey(const Json& list, const std::string& merge_key) {
  std::vector<const Json*> out;
  for (const Json& v : list) out.push_back(&v);
  auto text = [&merge_key](const Json* v) {
    return GoValueString(merge_key.empty() ? *v : v->value(merge_key, Json()));
  };
  std::stable_sort(out.begin(), out.end(),
                   [&text](const Json* a, const Json* b) { return text(a) < text(b); });
  return out;
}

Status CheckMergeKeys(const Json& list, const std::string& key) {
  for (const Json& v : list) {
    if (!v.is_object()) return BadArgTypeError(v);
    if (!v.contains(key)) return NoMergeKeyError(v, key);
  }
  return Status::Ok();
}

struct ListDiff {
  Json patch = Json::array();
  Json deletions = Json::array();  // scalars only; map deletions go into `patch`
  Json order = Json::array();
};

Status DiffListsOfMaps(const Json& original, const Json& modified, const std::string& key,
                       const PatchSchema* child, bool retain_keys, ListDiff& out) {
  OSBX_RETURN_IF_ERROR(CheckMergeKeys(original, key));
  OSBX_RETURN_IF_ERROR(CheckMergeKeys(modified, key));
  std::vector<const Json*> a = SortedByKey(original, key), b = SortedByKey(modified, key);
  Json deletions = Json::array();
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    std::string ka = i < a.size() ? GoValueString((*a[i])[key]) : "";
    std::string kb = j < b.size() ? GoValueString((*b[j])[key]) : "";
    if (i < a.size() && j < b.size() && ka == kb) {
      OSBX_ASSIGN_OR_RETURN(Json item, DiffMaps(*a[i], *b[j], child, retain_keys));
      if (!item.empty()) {
        item[key] = (*b[j])[key];
        out.patch.push_back(std::move(item));
      }
      ++i, ++j;
    } else if (i >= a.size() || (j < b.size() && ka > kb)) {
      out.patch.push_back(*b[j++]);
    } else {
      deletions.push_back({{key, (*a[i])[key]}, {std::string(kDirectiveMarker), kDeleteDirective}});
      ++i;
    }
  }
  OSBX_ASSIGN_OR_RETURN(out.patch,
                        NormalizeSliceOrder(std::move(out.patch), modified, key, ElemKind::kMap));
  bool same_order = original.size() == modified.size();
  for (size_t k = 0; same_order && k < modified.size(); ++k) {
    same_order = original[k][key] == modified[k][key];
  }
  for (Json& d : deletions) out.patch.push_back(std::move(d));
  if (!out.patch.empty() || !same_order) {
    for (const Json& m : modified) out.order.push_back({{key, m[key]}});
  }
  return Status::Ok();
}

Status DiffListsOfScalars(const Json& original, const Json& modified, ElemKind kind,
                          ListDiff& out) {
  std::vector<const Json*> a = SortedByKey(original, ""), b = SortedByKey(modified, "");
  Json additions = Json::array();
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    std::string va = i < a.size() ? GoValueString(*a[i]) : "";
    std::string vb = j < b.size() ? GoValueString(*b[j]) : "";
    if (i < a.size() && j < b.size() && va == vb) {
      ++i, ++j;
    } else if (i >= a.size() || (j < b.size() && va > vb)) {
      additions.push_back(*b[j++]);
    } else {
      if (IndexOf(out.deletions, *a[i], "", kind) < 0) out.deletions.push_back(*a[i]);
      ++i;
    }
  }
  OSBX_ASSIGN_OR_RETURN(out.patch, NormalizeSliceOrder(std::move(additions), modified, "", kind));
  if (!out.deletions.empty() || original != modified) out.order = modified;
  return Status::Ok();
}

// A merged list field: additions and changes, deletions and the order of `modified`.
Status DiffMergedList(const std::string& name, const Json& original, const Json& modified,
                      const Field& field, Json& patch) {
  ListDiff diff;
  if (original.empty()) {
    if (!modified.empty()) patch[name] = modified;
    return Status::Ok();
  }
  OSBX_ASSIGN_OR_RETURN(ElemKind kind, ElementKind({&original, &modified}));
  if (kind == ElemKind::kMap) {
    OSBX_RETURN_IF_ERROR(DiffListsOfMaps(original, modified, field.merge_key, field.schema.get(),
                                         field.retain_keys, diff));
  } else {
    OSBX_RETURN_IF_ERROR(DiffListsOfScalars(original, modified, kind, diff));
  }
  if (!diff.patch.empty()) patch[name] = std::move(diff.patch);
  if (!diff.deletions.empty()) {
    patch[std::string(kDeleteFromPrimitiveListPrefix) + "/" + name] = std::move(diff.deletions);
  }
  if (!diff.order.empty()) {
    patch[std::string(kSetElementOrderPrefix) + "/" + name] = std::move(diff.order);
  }
  return Status::Ok();
}

Status DiffField(const std::string& name, const Json& before, const Json& after,
                 const PatchSchema* schema, Json& patch) {
  const Field* field = schema == nullptr ? nullptr : schema->Lookup(name);
  if (name == kDirectiveMarker) {
    if (!before.is_string() || !after.is_string()) {
      return BadRequestError("invalid value for special key: $patch");
    }
    if (before != after) patch[name] = after;
    return Status::Ok();
  }
  if (before.is_object() && after.is_object()) {
    if (field != nullptr && field->replace) {
      patch[name] = after;
      return Status::Ok();
    }
    OSBX_ASSIGN_OR_RETURN(Json nested,
                          DiffMaps(before, after, field == nullptr ? nullptr : field->schema.get(),
                                   field != nullptr && field->retain_keys));
    if (!nested.empty()) patch[name] = std::move(nested);
    return Status::Ok();
  }
  if (before.is_array() && after.is_array() && field != nullptr && field->merge) {
    return DiffMergedList(name, before, after, *field, patch);
  }
  if (before != after) patch[name] = after;
  return Status::Ok();
}

StatusOr<Json> DiffMaps(const Json& original, const Json& modified, const PatchSchema* schema,
                        bool build_retain_keys) {
  Json patch = Json::object();
  Json retain = Json::array();
  for (const auto& [name, after] : modified.items()) {
    if (build_retain_keys && !after.is_null()) retain.push_back(name);
    auto before = original.find(name);
    if (before == original.end()) {
      patch[name] = after;
      continue;
    }
    OSBX_RETURN_IF_ERROR(DiffField(name, *before, after, schema, patch));
  }
  bool removed = false;
  for (const auto& [name, before] : original.items()) {
    if (modified.contains(name)) continue;
    patch[name] = nullptr;
    removed |= !before.is_null();
  }
  if (!retain.empty() && (!patch.empty() || removed)) {
    patch[std::string(kRetainKeysDirective)] = std::move(retain);  // keys iterate sorted
  }
  return patch;
}

}  // namespace

StatusOr<Json> CreateTwoWayStrategicMergePatch(const Json& original, const Json& modified,
                                               const PatchSchema& schema) {
  for (const Json* doc : {&original, &modified}) {
    if (!doc->is_object() && !doc->is_null()) return BadRequestError("invalid JSON document");
  }
  try {
    return DiffMaps(original.is_null() ? Json::object() : original,
                    modified.is_null() ? Json::object() : modified, &schema, false);
  } catch (const Json::exception& e) {
    return BadRequestError(std::string("strategic merge patch: ") + e.what());
  }
}

}  // namespace osbx::kube::patch
