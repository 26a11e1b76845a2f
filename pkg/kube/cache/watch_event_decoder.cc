#include "pkg/kube/cache/watch_event_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace osbx::kube {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Dotted skip paths ("metadata.managedFields") as the members of an Except projection; paths
// that share a first key share one rule for it, and dropping a key wins over paths below it.
std::vector<FieldProjection::Member> MergedSkipMembers(const std::vector<std::string>& paths) {
  std::vector<std::pair<std::string, std::vector<std::string>>> by_key;
  std::vector<std::string> dropped;
  for (const std::string& path : paths) {
    const size_t dot = path.find('.');
    std::string key = path.substr(0, dot);
    if (dot == std::string::npos) {
      dropped.push_back(std::move(key));
      continue;
    }
    auto it = std::find_if(by_key.begin(), by_key.end(), [&](auto& k) { return k.first == key; });
    if (it == by_key.end()) it = by_key.insert(by_key.end(), {std::move(key), {}});
    it->second.push_back(path.substr(dot + 1));
  }
  std::vector<FieldProjection::Member> members;
  for (std::string& key : dropped) members.emplace_back(std::move(key), FieldProjection::Drop());
  for (auto& [key, rest] : by_key) {
    if (std::find(dropped.begin(), dropped.end(), key) != dropped.end()) continue;
    members.emplace_back(key, FieldProjection::Except(MergedSkipMembers(rest)));
  }
  return members;
}

Json ConvertWhole(element e);

Json ConvertWholeObject(simdjson::dom::object object) {
  Json out(Json::value_t::object);
  Json::object_t& members = *out.get_ptr<Json::object_t*>();
  for (simdjson::dom::key_value_pair field : object) {
    members.emplace_hint(members.end(), std::string(field.key), ConvertWhole(field.value));
  }
  return out;
}

Json ConvertWhole(element e) {
  switch (e.type()) {
    case element_type::OBJECT:
      return ConvertWholeObject(e.get_object().value_unsafe());
    case element_type::ARRAY: {
      simdjson::dom::array array = e.get_array().value_unsafe();
      Json::array_t items;
      items.reserve(array.size());
      for (element item : array) items.push_back(ConvertWhole(item));
      return Json(std::move(items));
    }
    case element_type::STRING:
      return Json(std::string(e.get_string().value_unsafe()));
    case element_type::INT64:
      return Json(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return Json(e.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return Json(e.get_double().value_unsafe());
    case element_type::BOOL:
      return Json(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
      return Json(nullptr);
  }
  return Json();
}

// Whether an array element passes rule's filter (EachWhere): an object whose filter member is the
// filter string.
bool Matches(element item, const FieldProjection& rule) {
  std::string_view value;
  return item.type() == element_type::OBJECT && !item.at_key(rule.filter_key()).get(value) &&
         value == rule.filter_value();
}

bool ConvertProjected(element e, const FieldProjection& rule, Json& out);

Json ConvertProjectedObject(simdjson::dom::object object, const FieldProjection& rule) {
  Json out(Json::value_t::object);
  Json::object_t& members = *out.get_ptr<Json::object_t*>();
  for (simdjson::dom::key_value_pair field : object) {
    const FieldProjection* member_rule = rule.RuleFor(field.key);
    if (member_rule == nullptr) continue;
    Json child;
    if (ConvertProjected(field.value, *member_rule, child)) {
      members.emplace_hint(members.end(), std::string(field.key), std::move(child));
    }
  }
  return out;
}

Json ConvertProjectedArray(simdjson::dom::array array, const FieldProjection& rule) {
  Json::array_t items;
  for (element item : array) {
    if (rule.filters() && !Matches(item, rule)) continue;
    Json child;
    if (ConvertProjected(item, rule.element(), child)) items.push_back(std::move(child));
  }
  return Json(std::move(items));
}

// Builds into `out` what `rule` keeps of `e`; false when the value is to be left out of its
// parent. Mirrors ProjectValue in projection.cc, on simdjson's DOM instead of a Json.
bool ConvertProjected(element e, const FieldProjection& rule, Json& out) {
  using Kind = FieldProjection::Kind;
  if (rule.kind() == Kind::kDrop) return false;
  if (rule.kind() == Kind::kObject && e.type() == element_type::OBJECT) {
    out = ConvertProjectedObject(e.get_object().value_unsafe(), rule);
  } else if (rule.kind() == Kind::kArray && e.type() == element_type::ARRAY) {
    out = ConvertProjectedArray(e.get_array().value_unsafe(), rule);
  } else {
    out = ConvertWhole(e);
  }
  if (!rule.drop_if_empty()) return true;
  const Json::object_t* members = out.get_ptr<const Json::object_t*>();
  return members == nullptr || !members->empty();
}

Json ConvertRoot(element e, const FieldProjection& projection) {
  Json out;
  (void)ConvertProjected(e, projection, out);  // the root is kept even when empty
  return out;
}

StatusOr<WatchEventType> ParseType(std::string_view type) {
  if (type == "ADDED") return WatchEventType::kAdded;
  if (type == "MODIFIED") return WatchEventType::kModified;
  if (type == "DELETED") return WatchEventType::kDeleted;
  if (type == "BOOKMARK") return WatchEventType::kBookmark;
  if (type == "ERROR") return WatchEventType::kError;
  return BadRequestError("unknown watch event type " + std::string(type));
}

}  // namespace

struct WatchEventDecoder::Impl {
  Impl(FieldProjection objects_projection, FieldProjection bookmarks_projection)
      : objects(std::move(objects_projection)), bookmarks(std::move(bookmarks_projection)) {}

  simdjson::dom::parser parser;
  // Applied to the objects of ADDED, MODIFIED and DELETED events and to DecodeObject documents.
  const FieldProjection objects;
  // Applied to BOOKMARK objects (ERROR objects are kept whole).
  const FieldProjection bookmarks;
};

WatchEventDecoder::WatchEventDecoder(std::vector<std::string> skip_paths)
    : impl_(std::make_unique<Impl>(FieldProjection::Except(MergedSkipMembers(skip_paths)),
                                   FieldProjection::Except(MergedSkipMembers(skip_paths)))) {}

WatchEventDecoder::WatchEventDecoder(const FieldProjection& projection)
    : impl_(std::make_unique<Impl>(
          projection, FieldProjection::Except(MergedSkipMembers({"metadata.managedFields"})))) {}

WatchEventDecoder::~WatchEventDecoder() = default;

StatusOr<WatchEvent> WatchEventDecoder::DecodeEvent(std::string_view line) {
  element doc;
  if (auto error = impl_->parser.parse(line.data(), line.size()).get(doc)) {
    return BadRequestError(std::string("malformed watch event: ") + simdjson::error_message(error));
  }
  std::string_view type;
  element object;
  if (doc["type"].get(type) || doc["object"].get(object)) {
    return BadRequestError("watch event without type or object");
  }
  OSBX_ASSIGN_OR_RETURN(WatchEventType event_type, ParseType(type));
  if (object.type() != element_type::OBJECT) return BadRequestError("watch object not an object");
  switch (event_type) {
    case WatchEventType::kError:  // a Status: nothing in it is dropped
      return WatchEvent{event_type, ConvertWhole(object)};
    case WatchEventType::kBookmark:
      return WatchEvent{event_type, ConvertRoot(object, impl_->bookmarks)};
    default:
      return WatchEvent{event_type, ConvertRoot(object, impl_->objects)};
  }
}

StatusOr<Json> WatchEventDecoder::DecodeObject(std::string_view text) {
  element doc;
  if (auto error = impl_->parser.parse(text.data(), text.size()).get(doc)) {
    return BadRequestError(std::string("malformed JSON: ") + simdjson::error_message(error));
  }
  return ConvertRoot(doc, impl_->objects);
}

}  // namespace osbx::kube
