#include "pkg/kube/cache/watch_event_decoder.h"
#include "pkg/kube/meta/packed.h"

#include "pkg/kube/meta/packed.h"

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <utility>

namespace osbx::kube {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

Json ConvertWhole(element e);

Json ConvertWholeObject(simdjson::dom::object object) {
  Json out(Json::value_t::object);
  Json::object_t& members = *out.get_ptr<Json::object_t*>();
  for (simdjson::dom::key_value_pair field : object) {
    // Of duplicate keys the last wins, as with nlohmann's parser.
    members.insert_or_assign(std::string(field.key), ConvertWhole(field.value));
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
      members.insert_or_assign(std::string(field.key), std::move(child));
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
  const bool tree = e.type() == element_type::OBJECT || e.type() == element_type::ARRAY;
  if (rule.kind() == Kind::kPacked && tree) {
    if (rule.element().kind() == Kind::kWhole) {
      out = PackedText(simdjson::minify(e));  // the wire text, never built as a tree
      return true;
    }
    if (!ConvertProjected(e, rule.element(), out)) return false;
    PackValue(out);
    return true;
  }
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

// The slow path, for documents simdjson refuses: nlohmann::json reads integers beyond 64 bits as
// doubles where simdjson fails. nullopt when nlohmann refuses the text too.
std::optional<Json> ParseWithNlohmann(std::string_view text) {
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return std::nullopt;
  return doc;
}

// DecodeEvent on an already parsed line.
StatusOr<WatchEvent> EventFromJson(Json doc, const FieldProjection& objects,
                                   const FieldProjection& bookmarks) {
  Json::object_t* members = doc.get_ptr<Json::object_t*>();
  if (members == nullptr) return BadRequestError("watch event not an object");
  auto type = members->find("type");
  auto object = members->find("object");
  if (type == members->end() || !type->second.is_string() || object == members->end()) {
    return BadRequestError("watch event without type or object");
  }
  OSBX_ASSIGN_OR_RETURN(WatchEventType event_type,
                        ParseType(type->second.get_ref<const std::string&>()));
  if (!object->second.is_object()) return BadRequestError("watch object not an object");
  WatchEvent event{event_type, std::move(object->second)};
  if (event_type == WatchEventType::kBookmark) Project(event.object, bookmarks);
  if (event_type != WatchEventType::kBookmark && event_type != WatchEventType::kError) {
    Project(event.object, objects);
  }
  return event;
}

// DecodeList on an already parsed answer (items not yet stamped).
StatusOr<ListResult> ListFromJson(Json doc, const FieldProjection& objects) {
  if (!doc.is_object()) return InternalError("list answer is not a JSON object");
  ListResult result;
  const Json& meta = doc.value("metadata", Json::object());
  if (meta.is_object()) {
    auto text = [&meta](const char* key) {
      auto it = meta.find(key);
      return it != meta.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    result.resource_version = text("resourceVersion");
    result.continue_token = text("continue");
    auto remaining = meta.find("remainingItemCount");
    if (remaining != meta.end() && remaining->is_number_integer()) {
      result.remaining_item_count = remaining->get<int64_t>();
    }
  }
  auto items = doc.find("items");
  if (items == doc.end() || items->is_null()) return result;
  if (!items->is_array()) return InternalError("list answer: items is not an array");
  for (Json& item : *items) {
    if (!item.is_object()) return InternalError("list answer: an item is not an object");
    Project(item, objects);
    result.items.push_back(std::move(item));
  }
  return result;
}

// The list envelope's metadata into `result`.
void ReadListMeta(element doc, ListResult& result) {
  element meta;
  if (doc["metadata"].get(meta) || meta.type() != element_type::OBJECT) return;
  std::string_view text;
  if (!meta["resourceVersion"].get(text)) result.resource_version = std::string(text);
  if (!meta["continue"].get(text)) result.continue_token = std::string(text);
  int64_t remaining = 0;
  if (!meta["remainingItemCount"].get(remaining)) result.remaining_item_count = remaining;
}

}  // namespace

// Documents larger than this are parsed with a parser of their own (see DecodeList).
constexpr size_t kLargeDocument = 1 << 20;

struct WatchEventDecoder::Impl {
  Impl(FieldProjection objects_projection, FieldProjection bookmarks_projection)
      : objects(std::move(objects_projection)), bookmarks(std::move(bookmarks_projection)) {}

  // Items of built-in lists come without apiVersion and kind: give them the resource's, unless
  // the projection would drop them anyway.
  void Stamp(Json& item, const ResourceRef& resource) const {
    Json::object_t* members = item.get_ptr<Json::object_t*>();
    if (members == nullptr) return;
    if (objects.RuleFor("apiVersion") != nullptr && !members->contains("apiVersion")) {
      members->emplace("apiVersion", resource.ApiVersion());
    }
    if (objects.RuleFor("kind") != nullptr && !resource.kind.empty() &&
        !members->contains("kind")) {
      members->emplace("kind", resource.kind);
    }
  }

  simdjson::dom::parser parser;
  // Applied to the objects of ADDED, MODIFIED and DELETED events, list items and DecodeObject
  // documents.
  const FieldProjection objects;
  // Applied to BOOKMARK objects (ERROR objects are kept whole).
  const FieldProjection bookmarks;
};

WatchEventDecoder::WatchEventDecoder(std::vector<std::string> skip_paths)
    : impl_(std::make_unique<Impl>(FieldProjection::SkipPaths(skip_paths),
                                   FieldProjection::SkipPaths(skip_paths))) {}

WatchEventDecoder::WatchEventDecoder(const FieldProjection& projection)
    : impl_(std::make_unique<Impl>(projection,
                                   FieldProjection::SkipPaths({"metadata.managedFields"}))) {}

WatchEventDecoder::~WatchEventDecoder() = default;

StatusOr<WatchEvent> WatchEventDecoder::DecodeEvent(std::string_view line) {
  element doc;
  if (auto error = impl_->parser.parse(line.data(), line.size()).get(doc)) {
    std::optional<Json> whole = ParseWithNlohmann(line);
    if (!whole) {
      return BadRequestError(std::string("malformed watch event: ") +
                             simdjson::error_message(error));
    }
    return EventFromJson(std::move(*whole), impl_->objects, impl_->bookmarks);
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

StatusOr<ListResult> WatchEventDecoder::DecodeList(std::string_view body,
                                                   const ResourceRef& resource) {
  // A parser keeps the capacity of the largest document it parsed (several times its size), and
  // this one lives as long as the informer: a large list gets a parser of its own, freed here.
  std::optional<simdjson::dom::parser> own;
  if (body.size() > kLargeDocument) own.emplace();
  simdjson::dom::parser& parser = own ? *own : impl_->parser;
  element doc;
  if (parser.parse(body.data(), body.size()).get(doc)) {
    std::optional<Json> whole = ParseWithNlohmann(body);
    if (!whole) {
      return InternalError("the server answered with a body that is not JSON (" +
                           std::to_string(body.size()) + " bytes)");
    }
    OSBX_ASSIGN_OR_RETURN(ListResult result, ListFromJson(std::move(*whole), impl_->objects));
    for (Json& item : result.items) impl_->Stamp(item, resource);
    return result;
  }
  if (doc.type() != element_type::OBJECT) return InternalError("list answer is not a JSON object");
  ListResult result;
  ReadListMeta(doc, result);
  element items;
  if (doc["items"].get(items) || items.type() == element_type::NULL_VALUE) return result;
  if (items.type() != element_type::ARRAY) {
    return InternalError("list answer: items is not an array");
  }
  simdjson::dom::array array = items.get_array().value_unsafe();
  result.items.reserve(array.size());
  for (element item : array) {
    if (item.type() != element_type::OBJECT) {
      return InternalError("list answer: an item is not an object");
    }
    result.items.push_back(ConvertRoot(item, impl_->objects));
    impl_->Stamp(result.items.back(), resource);
  }
  return result;
}

StatusOr<Json> WatchEventDecoder::DecodeObject(std::string_view text) {
  element doc;
  if (auto error = impl_->parser.parse(text.data(), text.size()).get(doc)) {
    std::optional<Json> whole = ParseWithNlohmann(text);
    if (!whole) {
      return BadRequestError(std::string("malformed JSON: ") + simdjson::error_message(error));
    }
    Project(*whole, impl_->objects);
    return std::move(*whole);
  }
  return ConvertRoot(doc, impl_->objects);
}

}  // namespace osbx::kube
