// Applying strategic merge patches (the server side of kube's strategicpatch package).

#include <string>

#include "pkg/kube/patch/merge_patch.h"
#include "pkg/kube/patch/smp_internal.h"
#include "pkg/kube/patch/strategic_merge.h"

namespace osbx::kube::patch {
namespace {

using namespace smp;  // NOLINT: the directive names read better unqualified here
using Field = PatchSchema::Field;

const PatchSchema* ChildOf(const Field* field) {
  return field == nullptr ? nullptr : field->schema.get();
}
std::string MergeKeyOf(const Field* field) { return field == nullptr ? "" : field->merge_key; }

StatusOr<Json> MergeMap(Json original, Json patch, const PatchSchema* schema);
StatusOr<Json> MergeSlice(Json original, Json patch, const PatchSchema* child,
                          const std::string& merge_key, bool is_delete_list);

// A patch value for a field the original does not have: directives resolved and nulls dropped,
// which is what kube stores once the patched object is decoded into its type.
StatusOr<Json> Materialize(Json value, const Field* field) {
  if (value.is_object()) return MergeMap(Json::object(), std::move(value), ChildOf(field));
  if (!value.is_array()) return value;
  if (field != nullptr && field->merge) {
    return MergeSlice(Json::array(), std::move(value), ChildOf(field), field->merge_key, false);
  }
  for (Json& item : value) {
    if (item.is_object()) {
      OSBX_ASSIGN_OR_RETURN(item, MergeMap(Json::object(), std::move(item), ChildOf(field)));
    }
  }
  return value;
}

StatusOr<Json> HandleMapDirective(const Json& directive, Json patch, const PatchSchema* schema) {
  if (directive == kReplaceDirective) {
    patch.erase(std::string(kDirectiveMarker));
    return MergeMap(Json::object(), std::move(patch), schema);
  }
  if (directive == kDeleteDirective) return Json::object();
  return BadRequestError("unknown patch type: " + GoValueString(directive) +
                         " in map: " + GoValueString(patch));
}

// $retainKeys: keys of the original missing from the list are cleared; the patch may only set
// keys the list names.
Status ApplyRetainKeys(Json& original, Json& patch) {
  auto it = patch.find(kRetainKeysDirective);
  if (it == patch.end()) return Status::Ok();
  Json keys = std::move(*it);
  patch.erase(it);
  if (!keys.is_array()) return BadRequestError("invalid patch format of retainKeys");
  auto listed = [&keys](const std::string& k) {
    for (const Json& v : keys) {
      if (v.is_string() && v.get_ref<const std::string&>() == k) return true;
    }
    return false;
  };
  for (const auto& [k, v] : patch.items()) {
    if (v.is_null() || k.rfind(kDeleteFromPrimitiveListPrefix, 0) == 0 ||
        k.rfind(kSetElementOrderPrefix, 0) == 0) {
      continue;
    }
    if (!listed(k)) return InvalidError("patch content doesn't match retainKeys list");
  }
  for (auto o = original.begin(); o != original.end();) {
    o = listed(o.key()) ? std::next(o) : original.erase(o);
  }
  return Status::Ok();
}

// The relative order of `set_order` must be the order of the non-deleting items of the patch.
Status ValidateSetOrder(const Json& patch_list, const Json& set_order, const std::string& key) {
  if (set_order.empty() || patch_list.empty()) return Status::Ok();
  std::vector<const Json*> items;
  for (const Json& v : patch_list) {
    if (!key.empty()) {
      if (!v.is_object()) return BadArgTypeError(v);
      auto d = v.find(kDirectiveMarker);
      if (d != v.end() && *d == kDeleteDirective) continue;
    }
    items.push_back(&v);
  }
  size_t p = 0, s = 0;
  while (p < items.size() && s < set_order.size()) {
    if (items[p]->is_object() && items[p]->contains(kDirectiveMarker)) {
      ++p;
      continue;
    }
    if (!key.empty()) {
      for (const Json* v : {items[p], &set_order[s]}) {
        if (!v->is_object()) return BadArgTypeError(*v);
        if (!v->contains(key)) return NoMergeKeyError(*v, key);
      }
      if ((*items[p])[key] == set_order[s][key]) ++p;
    } else if (*items[p] == set_order[s]) {
      ++p;
    }
    ++s;
  }
  if (p < items.size()) {
    return BadRequestError("The order in patch list:\n" + GoValueString(patch_list) +
                           "\n doesn't match $setElementOrder list:\n" + GoValueString(set_order) +
                           "\n");
  }
  return Status::Ok();
}

// Splits `merged` into the items present in `by` and the others, keeping their order.
StatusOr<std::pair<Json, Json>> Partition(const Json& merged, const Json& by,
                                          const std::string& key, ElemKind kind) {
  Json in = Json::array(), out = Json::array();
  for (const Json& v : merged) {
    if (kind == ElemKind::kMap && !key.empty()) {
      if (!v.is_object()) return BadArgTypeError(v);
      if (!v.contains(key)) return NoMergeKeyError(v, key);
      for (const Json& b : by) {
        if (!b.is_object()) return BadRequestError("value for key is not a map.");
      }
    }
    (IndexOf(by, v, key, key.empty() ? ElemKind::kNone : kind) >= 0 ? in : out).push_back(v);
  }
  return std::make_pair(std::move(in), std::move(out));
}

// Interleaves server-only items (`left`) into patch items (`right`), both already sorted; an
// item of `left` goes first only when both appear in `server_order` and it comes earlier there.
Json MergeSortedSlice(const Json& left, const Json& right, const Json& server_order,
                      const std::string& key, ElemKind kind) {
  Json out = Json::array();
  size_t i = 0, j = 0;
  while (i < left.size() || j < right.size()) {
    if (i >= left.size()) {
      out.push_back(right[j++]);
    } else if (j >= right.size()) {
      out.push_back(left[i++]);
    } else {
      long li = IndexOf(server_order, left[i], key, kind);
      long ri = IndexOf(server_order, right[j], key, kind);
      out.push_back(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
    }
  }
  return out;
}

StatusOr<Json> NormalizeElementOrder(Json patch_items, Json server_only, const Json& patch_order,
                                     const Json& server_order, const std::string& key,
                                     ElemKind kind) {
  OSBX_ASSIGN_OR_RETURN(patch_items,
                        NormalizeSliceOrder(std::move(patch_items), patch_order, key, kind));
  OSBX_ASSIGN_OR_RETURN(server_only,
                        NormalizeSliceOrder(std::move(server_only), server_order, key, kind));
  return MergeSortedSlice(server_only, patch_items, server_order, key, kind);
}

// `$patch` items of a merged list of maps: delete drops matching originals, replace makes the
// plain items the whole list, merge is refused (as kube does).
Status ApplySpecialElements(Json& original, Json& patch, const std::string& key,
                            const PatchSchema* child) {
  Json plain = Json::array();
  bool replace = false;
  for (Json& v : patch) {
    auto d = v.find(kDirectiveMarker);
    if (d == v.end()) {
      plain.push_back(std::move(v));
    } else if (*d == kDeleteDirective) {
      auto k = v.find(key);
      if (k == v.end()) return NoMergeKeyError(v, key);
      Json kept = Json::array();
      for (Json& o : original) {
        if (!(o.is_object() && o.contains(key) && o[key] == *k)) kept.push_back(std::move(o));
      }
      original = std::move(kept);
    } else if (*d == kReplaceDirective) {
      replace = true;
    } else if (*d == kMergeDirective) {
      return BadRequestError("merging lists cannot yet be specified in the patch");
    } else {
      return BadRequestError("unknown patch type: " + GoValueString(*d) +
                             " in map: " + GoValueString(v));
    }
  }
  if (!replace) {
    patch = std::move(plain);
    return Status::Ok();
  }
  for (Json& v : plain) {
    OSBX_ASSIGN_OR_RETURN(v, MergeMap(Json::object(), std::move(v), child));
  }
  original = std::move(plain);
  patch = Json::array();
  return Status::Ok();
}

// Merges patch items into the original items that share their merge key; appends the others.
StatusOr<Json> MergeItems(Json original, const Json& patch, const std::string& key,
                          const PatchSchema* child) {
  for (const Json& v : patch) {
    auto k = v.find(key);
    if (k == v.end()) return NoMergeKeyError(v, key);
    bool found = false;
    for (Json& o : original) {
      if (!o.is_object()) return BadRequestError("value for key is not a map.");
      auto ok = o.find(key);
      if (ok != o.end() && *ok == *k) {
        OSBX_ASSIGN_OR_RETURN(o, MergeMap(std::move(o), v, child));
        found = true;
        break;
      }
    }
    if (!found) {
      OSBX_ASSIGN_OR_RETURN(Json added, MergeMap(Json::object(), v, child));
      original.push_back(std::move(added));
    }
  }
  return original;
}

StatusOr<Json> MergeSlice(Json original, Json patch, const PatchSchema* child,
                          const std::string& merge_key, bool is_delete_list) {
  if (original.empty() && patch.empty()) return original;
  OSBX_ASSIGN_OR_RETURN(ElemKind kind, ElementKind({&original, &patch}));
  Json merged = Json::array();
  if (kind != ElemKind::kMap) {
    if (is_delete_list) {
      for (const Json& v : original) {
        if (IndexOf(patch, v, "", kind) < 0) merged.push_back(v);
      }
      return merged;
    }
    for (const Json* list : {&original, &patch}) {
      for (const Json& v : *list) {
        if (IndexOf(merged, v, "", kind) < 0) merged.push_back(v);
      }
    }
  } else {
    if (merge_key.empty())
      return BadRequestError("cannot merge lists without merge key for type map");
    OSBX_RETURN_IF_ERROR(ApplySpecialElements(original, patch, merge_key, child));
    OSBX_ASSIGN_OR_RETURN(merged, MergeItems(original, patch, merge_key, child));
  }
  OSBX_ASSIGN_OR_RETURN(auto parts, Partition(merged, patch, merge_key, kind));
  return NormalizeElementOrder(std::move(parts.first), std::move(parts.second), patch, original,
                               merge_key, kind);
}

// A list field: merged when its strategy says so, replaced otherwise.
StatusOr<Json> MergeList(Json original, Json patch, const Field* field, bool is_delete_list) {
  if (field != nullptr && field->merge) {
    return MergeSlice(std::move(original), std::move(patch), field->schema.get(), field->merge_key,
                      is_delete_list);
  }
  return Materialize(std::move(patch), field);
}

// The order kube consults for server-only items after merging a list of maps under
// $setElementOrder: the original items left after `$patch: delete`, then the items the patch
// appended, cut to the original length. (kube reads the original list through storage that the
// merge rewrote in place; matching it keeps item order identical to kube-apiserver's.)
Json MergedServerOrder(const Json& original, const Json& patch, const std::string& key) {
  auto key_of = [&key](const Json& v) { return v.is_object() ? v.value(key, Json()) : Json(); };
  auto deleted = [&](const Json& item) {
    for (const Json& p : patch) {
      if (p.is_object() && p.value(kDirectiveMarker, Json()) == kDeleteDirective &&
          p.contains(key) && key_of(p) == key_of(item)) {
        return true;
      }
    }
    return false;
  };
  Json order = Json::array();
  for (const Json& item : original) {
    if (!deleted(item)) order.push_back(item);
  }
  for (const Json& p : patch) {
    if (!p.is_object() || p.contains(kDirectiveMarker) || !p.contains(key)) continue;
    if (IndexOf(order, p, key, ElemKind::kMap) < 0) order.push_back(p);
  }
  Json window = Json::array();
  for (size_t i = 0; i < order.size() && i < original.size(); ++i) window.push_back(order[i]);
  return window;
}

// $setElementOrder/<field>: merges that list now and orders it as the directive says.
Status MergeSetElementOrder(Json& original, Json& patch, const PatchSchema* schema) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : patch.items()) {
    if (k.rfind(kSetElementOrderPrefix, 0) == 0) keys.push_back(k);
  }
  for (const std::string& directive_key : keys) {
    Json order = std::move(patch[directive_key]);
    patch.erase(directive_key);
    if (!order.is_array()) return BadRequestError("invalid patch format of setElementOrder list");
    OSBX_ASSIGN_OR_RETURN(std::string name, ExtractKey(directive_key, kSetElementOrderPrefix));
    const Field* field = schema == nullptr ? nullptr : schema->Lookup(name);
    const std::string key = MergeKeyOf(field);
    bool in_original = original.contains(name), in_patch = patch.contains(name);
    Json original_list = in_original ? original[name] : Json::array();
    Json patch_list = in_patch ? patch[name] : Json::array();
    if (!original_list.is_array() || !patch_list.is_array()) {
      return BadRequestError("invalid patch format of setElementOrder list");
    }
    OSBX_RETURN_IF_ERROR(ValidateSetOrder(patch_list, order, key));
    if (!in_original && !in_patch) continue;
    Json merged;
    if (in_original && !in_patch) {
      merged = original_list;
    } else if (!in_original) {
      OSBX_ASSIGN_OR_RETURN(merged, Materialize(patch_list, field));
    } else {
      OSBX_ASSIGN_OR_RETURN(merged, MergeList(original_list, patch_list, field, false));
    }
    patch.erase(name);
    OSBX_ASSIGN_OR_RETURN(ElemKind kind, ElementKind({&original_list, &patch_list}));
    if (kind == ElemKind::kNone) {
      original[name] = std::move(merged);
      continue;
    }
    OSBX_ASSIGN_OR_RETURN(auto parts, Partition(merged, order, key, kind));
    Json server_order = in_patch && kind == ElemKind::kMap && field != nullptr && field->merge
                            ? MergedServerOrder(original_list, patch_list, key)
                            : original_list;
    OSBX_ASSIGN_OR_RETURN(original[name],
                          NormalizeElementOrder(std::move(parts.first), std::move(parts.second),
                                                order, server_order, key, kind));
  }
  return Status::Ok();
}

// One key of a patch map merged into the original map.
Status MergeField(Json& original, std::string key, Json value, const PatchSchema* schema) {
  bool is_delete_list = false;
  if (key.rfind(kDeleteFromPrimitiveListPrefix, 0) == 0) {
    OSBX_ASSIGN_OR_RETURN(key, ExtractKey(key, kDeleteFromPrimitiveListPrefix));
    is_delete_list = true;
  }
  if (value.is_null()) {
    original.erase(key);
    return Status::Ok();
  }
  const Field* field = schema == nullptr ? nullptr : schema->Lookup(key);
  auto existing = original.find(key);
  if (existing == original.end()) {
    if (!is_delete_list) {
      OSBX_ASSIGN_OR_RETURN(original[key], Materialize(std::move(value), field));
    }
    return Status::Ok();
  }
  Json& target = *existing;
  if (target.is_object() && value.is_object()) {
    if (field != nullptr && field->replace) {
      OSBX_ASSIGN_OR_RETURN(target, Materialize(std::move(value), field));
    } else {
      OSBX_ASSIGN_OR_RETURN(target, MergeMap(std::move(target), std::move(value), ChildOf(field)));
    }
  } else if (target.is_array() && value.is_array()) {
    OSBX_ASSIGN_OR_RETURN(target,
                          MergeList(std::move(target), std::move(value), field, is_delete_list));
  } else if (!is_delete_list || GoJsonKind(target) == GoJsonKind(value)) {
    OSBX_ASSIGN_OR_RETURN(target, Materialize(std::move(value), field));
  }
  return Status::Ok();
}

StatusOr<Json> MergeMap(Json original, Json patch, const PatchSchema* schema) {
  if (!original.is_object()) original = Json::object();
  if (!patch.is_object()) return BadRequestError("invalid JSON document");
  auto directive = patch.find(kDirectiveMarker);
  if (directive != patch.end()) {
    Json value = *directive;
    return HandleMapDirective(value, std::move(patch), schema);
  }
  OSBX_RETURN_IF_ERROR(ApplyRetainKeys(original, patch));
  OSBX_RETURN_IF_ERROR(MergeSetElementOrder(original, patch, schema));
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    OSBX_RETURN_IF_ERROR(MergeField(original, it.key(), std::move(it.value()), schema));
  }
  return original;
}

}  // namespace

StatusOr<Json> ApplyStrategicMergePatch(const Json& original, const Json& patch,
                                        const PatchSchema& schema) {
  if (!(original.is_object() || original.is_null()) || !(patch.is_object() || patch.is_null())) {
    return BadRequestError("invalid JSON document");
  }
  try {
    return MergeMap(original, patch.is_null() ? Json::object() : patch, &schema);
  } catch (const Json::exception& e) {
    return BadRequestError(std::string("strategic merge patch: ") + e.what());
  }
}

}  // namespace osbx::kube::patch
