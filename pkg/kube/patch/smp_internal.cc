#include "pkg/kube/patch/smp_internal.h"

#include <algorithm>

#include "pkg/kube/patch/merge_patch.h"

namespace osbx::kube::patch::smp {

ElemKind KindOf(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      return ElemKind::kMap;
    case Json::value_t::string:
      return ElemKind::kString;
    case Json::value_t::boolean:
      return ElemKind::kBool;
    case Json::value_t::null:
      return ElemKind::kNull;
    default:
      return ElemKind::kNumber;
  }
}

StatusOr<ElemKind> ElementKind(std::initializer_list<const Json*> lists) {
  ElemKind kind = ElemKind::kNone;
  for (const Json* list : lists) {
    if (list == nullptr || !list->is_array()) continue;
    for (const Json& v : *list) {
      if (kind == ElemKind::kNone) {
        if (v.is_array()) return InvalidError("lists of lists are not supported");
        kind = KindOf(v);
      } else if (v.is_array() || KindOf(v) != kind) {
        Json all = Json::array();
        for (const Json* l : lists) all.push_back(l != nullptr ? *l : Json::array());
        return BadRequestError("list element types are not identical: " + GoValueString(all));
      }
    }
  }
  return kind;
}

Status NoMergeKeyError(const Json& map, std::string_view merge_key) {
  return BadRequestError("map: " + GoValueString(map) +
                         " does not contain declared merge key: " + std::string(merge_key));
}

Status BadArgTypeError(const Json& actual) {
  return BadRequestError("expected a map[string]interface {}, but received a " +
                         std::string(GoJsonKind(actual)));
}

long IndexOf(const Json& list, const Json& item, const std::string& merge_key, ElemKind kind) {
  auto key_of = [&merge_key](const Json& v) -> Json {
    if (!v.is_object()) return Json();
    auto it = v.find(merge_key);
    return it == v.end() ? Json() : *it;
  };
  Json wanted = kind == ElemKind::kMap ? key_of(item) : item;
  for (size_t i = 0; i < list.size(); ++i) {
    if ((kind == ElemKind::kMap ? key_of(list[i]) : list[i]) == wanted) return static_cast<long>(i);
  }
  return -1;
}

StatusOr<Json> NormalizeSliceOrder(Json items, const Json& order, const std::string& merge_key,
                                   ElemKind kind) {
  Json to_delete = Json::array();
  if (kind == ElemKind::kMap) {
    for (const Json* list : {static_cast<const Json*>(&items), &order}) {
      for (const Json& v : *list) {
        if (!v.is_object()) return BadArgTypeError(v);
        if (!v.contains(merge_key)) return NoMergeKeyError(v, merge_key);
      }
    }
    Json kept = Json::array();
    for (Json& v : items) {
      auto d = v.find(kDirectiveMarker);
      bool deletes = d != v.end() && d->is_string() && *d == kDeleteDirective;
      (deletes ? to_delete : kept).push_back(std::move(v));
    }
    items = std::move(kept);
  }
  std::vector<std::pair<long, Json>> indexed;
  for (Json& v : items) {
    long index = IndexOf(order, v, merge_key, kind);
    indexed.emplace_back(index, std::move(v));
  }
  std::stable_sort(indexed.begin(), indexed.end(), [](const auto& a, const auto& b) {
    if (a.first >= 0 && b.first >= 0) return a.first < b.first;
    return a.first >= 0 && b.first < 0;
  });
  Json out = Json::array();
  for (auto& [index, v] : indexed) out.push_back(std::move(v));
  for (Json& v : to_delete) out.push_back(std::move(v));
  return out;
}

StatusOr<std::string> ExtractKey(std::string_view key, std::string_view prefix) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos || key.substr(0, slash) != prefix) {
    if (prefix == kDeleteFromPrimitiveListPrefix) {
      return BadRequestError("invalid patch format of primitive list");
    }
    return BadRequestError("invalid patch format of setElementOrder list");
  }
  return std::string(key.substr(slash + 1));
}

}  // namespace osbx::kube::patch::smp
