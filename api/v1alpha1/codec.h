#pragma once
// The scalar vocabulary of the generated v1alpha1 codec (types_generated.h): IntOrString and the
// DecodeJson / EncodeJson overloads for strings, integers, booleans, JSON documents, optionals and
// lists, plus the helpers that name a failing field by its path ("spec.capacitySpec.poolMax").
//
// Decoding never throws: a value of the wrong type or out of range is an Invalid Status naming
// the field. JSON null reads as "absent", as in the Kubernetes API.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::api::v1alpha1 {

using ::osbx::Json;
using ::osbx::Status;
using ::osbx::StatusOr;

// A value that is either an integer or a string (x-kubernetes-int-or-string), such as
// maxUnavailable: 3 or "25%".
class IntOrString {
 public:
  IntOrString() = default;
  static IntOrString FromInt(int32_t value);
  static IntOrString FromString(std::string value);

  bool is_int() const { return is_int_; }
  int32_t int_value() const { return int_value_; }
  const std::string& str_value() const { return str_value_; }

  // The value against `total`: an integer as is, "N%" as N percent of total, rounded up or down.
  // A string that is not a percentage, or a negative result, is an Invalid Status.
  [[nodiscard]] StatusOr<int32_t> Scaled(int32_t total, bool round_up) const;

  bool operator==(const IntOrString&) const = default;

 private:
  bool is_int_ = true;
  int32_t int_value_ = 0;
  std::string str_value_;
};

// "spec" + "replicas" -> "spec.replicas"; "" + "spec" -> "spec".
std::string FieldPath(std::string_view parent, std::string_view key);
// "spec.shardPatches" + 2 -> "spec.shardPatches[2]".
std::string IndexPath(std::string_view parent, size_t index);

// Invalid unless `in` is a JSON object.
[[nodiscard]] Status ExpectObject(const Json& in, std::string_view path);
// Invalid ("Required value") unless `in` has a non-null `key`.
[[nodiscard]] Status ExpectField(const Json& in, std::string_view path, std::string_view key);

[[nodiscard]] Status DecodeJson(const Json& in, std::string_view path, std::string* out);
[[nodiscard]] Status DecodeJson(const Json& in, std::string_view path, int32_t* out);
[[nodiscard]] Status DecodeJson(const Json& in, std::string_view path, int64_t* out);
[[nodiscard]] Status DecodeJson(const Json& in, std::string_view path, bool* out);
[[nodiscard]] Status DecodeJson(const Json& in, std::string_view path, Json* out);
[[nodiscard]] Status DecodeJson(const Json& in, std::string_view path, IntOrString* out);

template <typename T>
[[nodiscard]] Status DecodeJson(const Json& in, std::string_view path, std::optional<T>* out) {
  T value{};
  OSBX_RETURN_IF_ERROR(DecodeJson(in, path, &value));
  *out = std::move(value);
  return Status::Ok();
}

template <typename T>
[[nodiscard]] Status DecodeJson(const Json& in, std::string_view path, std::vector<T>* out) {
  if (!in.is_array()) return InvalidError(std::string(path) + ": expected a list");
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    T item{};
    OSBX_RETURN_IF_ERROR(DecodeJson(in[i], IndexPath(path, i), &item));
    out->push_back(std::move(item));
  }
  return Status::Ok();
}

inline Json EncodeJson(const std::string& v) { return v; }
inline Json EncodeJson(int32_t v) { return v; }
inline Json EncodeJson(int64_t v) { return v; }
inline Json EncodeJson(bool v) { return v; }
inline Json EncodeJson(const Json& v) { return v; }
Json EncodeJson(const IntOrString& v);

template <typename T>
Json EncodeJson(const std::vector<T>& items) {
  Json out = Json::array();
  for (const auto& item : items) out.push_back(EncodeJson(item));
  return out;
}

}  // namespace osbx::api::v1alpha1
