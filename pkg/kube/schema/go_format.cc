#include "pkg/kube/schema/go_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace osbx::kube::schema {

std::string GoFloat(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  int exp = std::stoi(sci.substr(sci.find('e') + 1));
  if (exp < -4 || exp >= 21) {
    // Go writes at least two exponent digits with an explicit sign: 1e+21, 1.5e-07.
    std::string mant = sci.substr(0, sci.find('e'));
    char e[16];
    std::snprintf(e, sizeof(e), "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return mant + e;
  }
  res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

std::string GoValue(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return GoQuote(v.get<std::string>());
  if (v.is_number_float()) return GoFloat(v.get<double>());
  return v.dump();
}

std::string JsonTypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "number";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "array";
    case Json::value_t::object:
      return "object";
    default:
      return "unknown";
  }
}

int64_t RuneCount(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace osbx::kube::schema
