#pragma once
// Pieces shared by the strategic merge patch applier and differ (not a public interface).

#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::kube::patch::smp {

inline constexpr std::string_view kDirectiveMarker = "$patch";
inline constexpr std::string_view kDeleteDirective = "delete";
inline constexpr std::string_view kReplaceDirective = "replace";
inline constexpr std::string_view kMergeDirective = "merge";
inline constexpr std::string_view kRetainKeysDirective = "$retainKeys";
inline constexpr std::string_view kDeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
inline constexpr std::string_view kSetElementOrderPrefix = "$setElementOrder";

// The kind of the elements of one or more lists, as kube's sliceElementType sees Go types.
enum class ElemKind { kNone, kMap, kString, kNumber, kBool, kNull };

ElemKind KindOf(const Json& value);
// Fails on lists of lists and on lists whose elements differ in kind.
[[nodiscard]] StatusOr<ElemKind> ElementKind(std::initializer_list<const Json*> lists);

// "map: map[value:b] does not contain declared merge key: name"
Status NoMergeKeyError(const Json& map, std::string_view merge_key);
Status BadArgTypeError(const Json& actual);

// The position of `item` in `list`, by merge key for maps and by value otherwise; -1 if absent.
long IndexOf(const Json& list, const Json& item, const std::string& merge_key, ElemKind kind);
// Sorts `items` by their position in `order` (stable; items absent from `order` go last). For
// maps, every item of both lists must carry the merge key, and `$patch: delete` items go last.
[[nodiscard]] StatusOr<Json> NormalizeSliceOrder(Json items, const Json& order,
                                                 const std::string& merge_key, ElemKind kind);
// Splits `key` = "<prefix>/<field>" and returns the field.
[[nodiscard]] StatusOr<std::string> ExtractKey(std::string_view key, std::string_view prefix);

}  // namespace osbx::kube::patch::smp
