#include "internal/standalone/store/stamp.h"

#include <charconv>
#include <string>

namespace osbx::standalone {
namespace {

// Decimal digits of a non-negative RV into a small stack buffer.
struct Digits {
  char buf[24];
  size_t len = 0;
  explicit Digits(int64_t rv) {
    auto res = std::to_chars(buf, buf + sizeof(buf), rv);
    len = static_cast<size_t>(res.ptr - buf);
  }
  std::string_view view() const { return {buf, len}; }
};

}  // namespace

size_t StampResourceVersion(std::string& json, int64_t rv) {
  std::string quoted;
  quoted.reserve(kResourceVersionPlaceholder.size() + 2);
  quoted.append("\"").append(kResourceVersionPlaceholder).append("\"");
  size_t at = json.find(quoted);
  if (at == std::string::npos) return std::string::npos;
  Digits digits(rv);
  json.replace(at + 1, kResourceVersionPlaceholder.size(), digits.view());
  return at + 1;
}

void RestampResourceVersion(std::string& json, size_t pos, int64_t old_rv, int64_t new_rv) {
  Digits old_digits(old_rv);
  Digits new_digits(new_rv);
  json.replace(pos, old_digits.len, new_digits.view());
}

bool HasResourceVersionAt(std::string_view json, size_t pos, int64_t rv) {
  Digits digits(rv);
  if (pos > json.size() || json.size() - pos < digits.len) return false;
  if (json.substr(pos, digits.len) != digits.view()) return false;
  // The digits must be the whole quoted value, not a prefix of a longer number.
  return pos > 0 && json[pos - 1] == '"' && pos + digits.len < json.size() &&
         json[pos + digits.len] == '"';
}

}  // namespace osbx::standalone
