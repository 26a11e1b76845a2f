#include "pkg/kube/cache/watch_event_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace osbx::kube {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The skip paths as a tree of keys; a node with no children is a subtree to drop.
struct SkipNode {
  std::vector<std::pair<std::string, SkipNode>> children;
  bool drop = false;

  const SkipNode* Child(std::string_view key) const {
    for (const auto& [name, node] : children) {
      if (name == key) return &node;
    }
    return nullptr;
  }
  void Add(std::string_view path) {
    SkipNode* node = this;
    while (!path.empty()) {
      const size_t dot = path.find('.');
      std::string_view key = path.substr(0, dot);
      path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
      auto it = std::find_if(node->children.begin(), node->children.end(),
                             [&](const auto& c) { return c.first == key; });
      if (it == node->children.end()) {
        node->children.emplace_back(std::string(key), SkipNode{});
        it = std::prev(node->children.end());
      }
      node = &it->second;
    }
    node->drop = true;
  }
};

Json Convert(element e, const SkipNode* skip);

Json ConvertObject(simdjson::dom::object object, const SkipNode* skip) {
  Json out(Json::value_t::object);
  Json::object_t& members = *out.get_ptr<Json::object_t*>();
  for (simdjson::dom::key_value_pair field : object) {
    const SkipNode* child = skip != nullptr ? skip->Child(field.key) : nullptr;
    if (child != nullptr && child->drop) continue;
    members.emplace_hint(members.end(), std::string(field.key), Convert(field.value, child));
  }
  return out;
}

Json Convert(element e, const SkipNode* skip) {
  switch (e.type()) {
    case element_type::OBJECT:
      return ConvertObject(e.get_object().value_unsafe(), skip);
    case element_type::ARRAY: {
      simdjson::dom::array array = e.get_array().value_unsafe();
      Json::array_t items;
      items.reserve(array.size());
      for (element item : array) items.push_back(Convert(item, nullptr));
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
  simdjson::dom::parser parser;
  SkipNode skip;
};

WatchEventDecoder::WatchEventDecoder(std::vector<std::string> skip_paths)
    : impl_(std::make_unique<Impl>()) {
  for (const std::string& path : skip_paths) impl_->skip.Add(path);
}

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
  // An ERROR event's object is a Status; nothing in it is skipped.
  const SkipNode* skip = event_type == WatchEventType::kError ? nullptr : &impl_->skip;
  return WatchEvent{event_type, Convert(object, skip)};
}

StatusOr<Json> WatchEventDecoder::DecodeObject(std::string_view text) {
  element doc;
  if (auto error = impl_->parser.parse(text.data(), text.size()).get(doc)) {
    return BadRequestError(std::string("malformed JSON: ") + simdjson::error_message(error));
  }
  return Convert(doc, &impl_->skip);
}

}  // namespace osbx::kube
