#include "pkg/kube/schema/format.h"

#include <regex>

namespace osbx::kube::schema {
namespace {

bool InRange(const std::string& s, size_t pos, size_t len, int lo, int hi) {
  int v = std::stoi(s.substr(pos, len));
  return v >= lo && v <= hi;
}

bool ValidDate(const std::string& v) {
  static const std::regex kDate(R"(^\d{4}-\d{2}-\d{2})");
  if (!std::regex_search(v, kDate)) return false;
  return InRange(v, 5, 2, 1, 12) && InRange(v, 8, 2, 1, 31);
}

// RFC 3339 date-time, also accepting the zone offset without a colon as strfmt does.
bool ValidDateTime(const std::string& v) {
  static const std::regex kDateTime(
      R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$)");
  if (!std::regex_match(v, kDateTime) || !ValidDate(v)) return false;
  return InRange(v, 11, 2, 0, 23) && InRange(v, 14, 2, 0, 59) && InRange(v, 17, 2, 0, 60);
}

bool ValidIpv4(const std::string& v) {
  static const std::regex kIp(R"(^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$)");
  std::smatch m;
  if (!std::regex_match(v, m, kIp)) return false;
  for (size_t i = 1; i <= 4; ++i) {
    if (std::stoi(m[i].str()) > 255) return false;
  }
  return true;
}

}  // namespace

bool IsValidFormat(std::string_view format, const std::string& value) {
  if (format == "date-time") return ValidDateTime(value);
  if (format == "date") {
    static const std::regex kDate(R"(^\d{4}-\d{2}-\d{2}$)");
    return std::regex_match(value, kDate) && ValidDate(value);
  }
  if (format == "uuid") {
    static const std::regex kUuid(
        R"(^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$)");
    return std::regex_match(value, kUuid);
  }
  if (format == "byte") {
    static const std::regex kBase64(
        R"(^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$)");
    return std::regex_match(value, kBase64);
  }
  if (format == "ipv4") return ValidIpv4(value);
  return true;
}

}  // namespace osbx::kube::schema
