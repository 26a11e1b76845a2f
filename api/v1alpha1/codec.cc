#include "api/v1alpha1/codec.h"

#include <charconv>
#include <limits>

namespace osbx::api::v1alpha1 {
namespace {

Status TypeError(std::string_view path, std::string_view want, const Json& got) {
  return InvalidError(std::string(path) + ": Invalid value: " + got.dump() + ": must be of type " +
                      std::string(want));
}

template <typename Int>
Status DecodeInt(const Json& in, std::string_view path, Int* out) {
  if (in.is_number_unsigned()) {
    const auto v = in.get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<Int>::max())) {
      return TypeError(path, sizeof(Int) == 4 ? "int32" : "int64", in);
    }
    *out = static_cast<Int>(v);
    return Status::Ok();
  }
  if (!in.is_number_integer()) return TypeError(path, "integer", in);
  const auto v = in.get<int64_t>();
  if constexpr (sizeof(Int) < sizeof(int64_t)) {
    if (v < std::numeric_limits<Int>::min() || v > std::numeric_limits<Int>::max()) {
      return TypeError(path, "int32", in);
    }
  }
  *out = static_cast<Int>(v);
  return Status::Ok();
}

}  // namespace

IntOrString IntOrString::FromInt(int32_t value) {
  IntOrString v;
  v.int_value_ = value;
  return v;
}

IntOrString IntOrString::FromString(std::string value) {
  IntOrString v;
  v.is_int_ = false;
  v.str_value_ = std::move(value);
  return v;
}

StatusOr<int32_t> IntOrString::Scaled(int32_t total, bool round_up) const {
  if (is_int_) {
    if (int_value_ < 0) return InvalidError("negative value " + std::to_string(int_value_));
    return int_value_;
  }
  int64_t percent = -1;
  const std::string& s = str_value_;
  if (s.size() >= 2 && s.back() == '%') {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size() - 1, percent);
    if (ec != std::errc() || ptr != s.data() + s.size() - 1) percent = -1;
  }
  if (percent < 0) return InvalidError("invalid value \"" + s + "\": must be an integer or N%");
  const int64_t product = percent * static_cast<int64_t>(total);
  const int64_t scaled = round_up ? (product + 99) / 100 : product / 100;
  if (scaled > std::numeric_limits<int32_t>::max()) return InvalidError("value out of range");
  return static_cast<int32_t>(scaled);
}

std::string FieldPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string IndexPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

Status ExpectObject(const Json& in, std::string_view path) {
  if (in.is_object()) return Status::Ok();
  return TypeError(path.empty() ? "<root>" : path, "object", in);
}

Status ExpectField(const Json& in, std::string_view path, std::string_view key) {
  auto it = in.find(key);
  if (it != in.end() && !it->is_null()) return Status::Ok();
  return InvalidError(FieldPath(path, key) + ": Required value");
}

Status DecodeJson(const Json& in, std::string_view path, std::string* out) {
  if (!in.is_string()) return TypeError(path, "string", in);
  *out = in.get<std::string>();
  return Status::Ok();
}

Status DecodeJson(const Json& in, std::string_view path, int32_t* out) {
  return DecodeInt(in, path, out);
}

Status DecodeJson(const Json& in, std::string_view path, int64_t* out) {
  return DecodeInt(in, path, out);
}

Status DecodeJson(const Json& in, std::string_view path, bool* out) {
  if (!in.is_boolean()) return TypeError(path, "boolean", in);
  *out = in.get<bool>();
  return Status::Ok();
}

Status DecodeJson(const Json& in, std::string_view /*path*/, Json* out) {
  *out = in;
  return Status::Ok();
}

Status DecodeJson(const Json& in, std::string_view path, IntOrString* out) {
  if (in.is_string()) {
    *out = IntOrString::FromString(in.get<std::string>());
    return Status::Ok();
  }
  int32_t v = 0;
  if (!DecodeJson(in, path, &v).ok()) return TypeError(path, "integer or string", in);
  *out = IntOrString::FromInt(v);
  return Status::Ok();
}

Json EncodeJson(const IntOrString& v) {
  if (v.is_int()) return v.int_value();
  return v.str_value();
}

}  // namespace osbx::api::v1alpha1
