#include "pkg/kube/meta/packed.h"

namespace osbx::kube {
namespace {

constexpr char kMarker = '\x1e';

}  // namespace

void PackValue(Json& value) {
  if (!(value.is_object() || value.is_array())) return;
  value = PackedText(value.dump());
}

std::string PackedText(std::string_view json_text) {
  std::string text;
  text.reserve(json_text.size() + 1);
  text += kMarker;
  text += json_text;
  return text;
}

bool IsPacked(const Json& value) {
  const std::string* text = value.get_ptr<const std::string*>();
  return text != nullptr && !text->empty() && (*text)[0] == kMarker;
}

const Json& Unpacked(const Json& value, Json& storage) {
  if (!IsPacked(value)) return value;
  const std::string& text = value.get_ref<const std::string&>();
  storage = Json::parse(text.begin() + 1, text.end(), nullptr, false);
  if (storage.is_discarded()) storage = nullptr;
  return storage;
}

Json UnpackedCopy(const Json& object) {
  Json copy = object;
  if (!copy.is_object()) return copy;
  for (auto& [key, value] : copy.items()) {
    Json storage;
    if (IsPacked(value)) {
      value = Unpacked(value, storage);
      continue;
    }
    if (!value.is_object()) continue;
    for (auto& [inner_key, inner] : value.items()) {
      if (IsPacked(inner)) inner = Json(Unpacked(inner, storage));
    }
  }
  return copy;
}

}  // namespace osbx::kube
