#include "internal/standalone/apiserver/wire_json.h"

#include <algorithm>
#include <array>

namespace osbx::standalone {
namespace {

constexpr std::array<std::string_view, 16> kObjectMetaOrder = {"name",
                                                               "generateName",
                                                               "namespace",
                                                               "selfLink",
                                                               "uid",
                                                               "resourceVersion",
                                                               "generation",
                                                               "creationTimestamp",
                                                               "deletionTimestamp",
                                                               "deletionGracePeriodSeconds",
                                                               "labels",
                                                               "annotations",
                                                               "ownerReferences",
                                                               "finalizers",
                                                               "managedFields",
                                                               ""};

constexpr std::array<std::string_view, 7> kManagedFieldsOrder = {
    "manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1", "subresource"};

constexpr std::array<std::string_view, 5> kTopOrder = {"kind", "apiVersion", "metadata", "spec",
                                                       "status"};

template <size_t N>
OrderedJson OrderKeys(const Json& object, const std::array<std::string_view, N>& order) {
  OrderedJson out = OrderedJson::object();
  for (std::string_view key : order) {
    if (key.empty()) continue;
    auto it = object.find(std::string(key));
    if (it != object.end()) out[std::string(key)] = ToOrdered(*it);
  }
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (!out.contains(it.key())) out[it.key()] = ToOrdered(it.value());
  }
  return out;
}

}  // namespace

void EscapeGoHtml(std::string& text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(text[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(text[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  text.swap(out);
}

std::string GoJson(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  EscapeGoHtml(text);
  return text;
}

std::string GoJson(const OrderedJson& value) {
  std::string text = value.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
  EscapeGoHtml(text);
  return text;
}

OrderedJson ToOrdered(const Json& value) {
  if (value.is_object()) {
    OrderedJson out = OrderedJson::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = ToOrdered(it.value());
    return out;
  }
  if (value.is_array()) {
    OrderedJson out = OrderedJson::array();
    for (const Json& item : value) out.push_back(ToOrdered(item));
    return out;
  }
  // Scalars convert through their JSON text to keep integer/float distinctions exact.
  switch (value.type()) {
    case Json::value_t::null:
      return nullptr;
    case Json::value_t::boolean:
      return value.get<bool>();
    case Json::value_t::number_integer:
      return value.get<int64_t>();
    case Json::value_t::number_unsigned:
      return value.get<uint64_t>();
    case Json::value_t::number_float:
      return value.get<double>();
    case Json::value_t::string:
      return value.get_ref<const std::string&>();
    default:
      return OrderedJson::parse(value.dump());
  }
}

bool IsObjectMetaField(std::string_view field) {
  return !field.empty() && std::find(kObjectMetaOrder.begin(), kObjectMetaOrder.end(), field) !=
                               kObjectMetaOrder.end();
}

OrderedJson OrderObjectMeta(const Json& metadata) {
  if (!metadata.is_object()) return ToOrdered(metadata);
  OrderedJson out = OrderKeys(metadata, kObjectMetaOrder);
  auto mf = metadata.find("managedFields");
  if (mf != metadata.end() && mf->is_array()) {
    OrderedJson entries = OrderedJson::array();
    for (const Json& entry : *mf) {
      entries.push_back(entry.is_object() ? OrderKeys(entry, kManagedFieldsOrder)
                                          : ToOrdered(entry));
    }
    out["managedFields"] = std::move(entries);
  }
  return out;
}

OrderedJson OrderBuiltinObject(const Json& object) {
  if (!object.is_object()) return ToOrdered(object);
  OrderedJson out = OrderKeys(object, kTopOrder);
  auto meta = object.find("metadata");
  if (meta != object.end()) out["metadata"] = OrderObjectMeta(*meta);
  return out;
}

}  // namespace osbx::standalone
