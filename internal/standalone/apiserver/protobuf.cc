#include "internal/standalone/apiserver/protobuf.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace osbx::standalone {
namespace {

constexpr std::string_view kMagic{"k8s\0", 4};

// A cursor over one protobuf message.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }

  std::optional<uint64_t> Varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64 && pos_ < data_.size(); shift += 7) {
      auto byte = static_cast<uint8_t>(data_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    return std::nullopt;
  }

  // Reads one field: its number, wire type and (length-delimited) payload. False when malformed.
  bool Next(int& field, int& wire, std::string_view& bytes, uint64_t& number) {
    std::optional<uint64_t> tag = Varint();
    if (!tag) return false;
    field = static_cast<int>(*tag >> 3);
    wire = static_cast<int>(*tag & 7);
    switch (wire) {
      case 0: {
        std::optional<uint64_t> v = Varint();
        if (!v) return false;
        number = *v;
        return true;
      }
      case 2: {
        std::optional<uint64_t> len = Varint();
        if (!len || *len > data_.size() - pos_) return false;
        bytes = data_.substr(pos_, *len);
        pos_ += *len;
        return true;
      }
      case 1:
        if (data_.size() - pos_ < 8) return false;
        pos_ += 8;
        return true;
      case 5:
        if (data_.size() - pos_ < 4) return false;
        pos_ += 4;
        return true;
      default:
        return false;
    }
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

using FieldFn = std::function<bool(int field, int wire, std::string_view bytes)>;

bool ForEachField(std::string_view message, const FieldFn& fn) {
  Reader reader(message);
  while (!reader.done()) {
    int field = 0, wire = 0;
    std::string_view bytes;
    uint64_t number = 0;
    if (!reader.Next(field, wire, bytes, number)) return false;
    if (!fn(field, wire, bytes)) return false;
  }
  return true;
}

bool DecodeMapEntry(std::string_view entry, Json& map) {
  std::string key, value;
  bool ok = ForEachField(entry, [&](int field, int wire, std::string_view bytes) {
    if (wire != 2) return true;
    if (field == 1) key = std::string(bytes);
    if (field == 2) value = std::string(bytes);
    return true;
  });
  if (ok) map[key] = value;
  return ok;
}

bool DecodeObjectMeta(std::string_view message, Json& meta) {
  return ForEachField(message, [&](int field, int wire, std::string_view bytes) {
    if (wire != 2) return true;
    switch (field) {
      case 1:
        if (!bytes.empty()) meta["name"] = std::string(bytes);
        return true;
      case 2:
        if (!bytes.empty()) meta["generateName"] = std::string(bytes);
        return true;
      case 3:
        if (!bytes.empty()) meta["namespace"] = std::string(bytes);
        return true;
      case 11:
        return DecodeMapEntry(bytes, meta["labels"]);
      case 12:
        return DecodeMapEntry(bytes, meta["annotations"]);
      case 14:
        meta["finalizers"].push_back(std::string(bytes));
        return true;
      default:
        return true;
    }
  });
}

bool DecodeNamespace(std::string_view message, Json& object) {
  return ForEachField(message, [&](int field, int wire, std::string_view bytes) {
    if (wire != 2) return true;
    if (field == 1) return DecodeObjectMeta(bytes, object["metadata"]);
    if (field == 2) {
      return ForEachField(bytes, [&](int f, int w, std::string_view b) {
        if (f == 1 && w == 2) object["spec"]["finalizers"].push_back(std::string(b));
        return true;
      });
    }
    return true;
  });
}

}  // namespace

StatusOr<Json> DecodeProtobufObject(std::string_view body) {
  if (body.substr(0, kMagic.size()) != kMagic) {
    return BadRequestError("provided object does not have the protobuf magic prefix");
  }
  std::string api_version, kind;
  std::string_view raw;
  bool ok =
      ForEachField(body.substr(kMagic.size()), [&](int field, int wire, std::string_view bytes) {
        if (wire != 2) return true;
        if (field == 1) {
          return ForEachField(bytes, [&](int f, int w, std::string_view b) {
            if (w == 2 && f == 1) api_version = std::string(b);
            if (w == 2 && f == 2) kind = std::string(b);
            return true;
          });
        }
        if (field == 2) raw = bytes;
        return true;
      });
  if (!ok) return BadRequestError("unable to decode the protobuf request body");
  if (api_version != "v1" || kind != "Namespace") {
    return Status(StatusCode::kUnsupportedMediaType,
                  "the body of the request was in an unknown format - accepted media types "
                  "include: application/json, application/yaml");
  }
  Json object = {{"apiVersion", api_version}, {"kind", kind}, {"metadata", Json::object()}};
  if (!DecodeNamespace(raw, object)) {
    return BadRequestError("unable to decode the protobuf Namespace");
  }
  return object;
}

}  // namespace osbx::standalone
