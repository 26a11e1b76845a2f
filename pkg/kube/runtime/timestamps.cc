#include "pkg/kube/runtime/timestamps.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace osbx::kube {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::seconds;

bool ParseInt(std::string_view text, int& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Splits `t` into UTC calendar fields and the microseconds within the second.
std::tm Civil(Clock::WallTime t, int64_t& micros_out) {
  auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
  auto secs = us / 1'000'000;
  micros_out = us % 1'000'000;
  if (micros_out < 0) {
    micros_out += 1'000'000;
    secs -= 1;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm;
}

}  // namespace

std::string FormatTime(Clock::WallTime t) {
  int64_t frac = 0;
  std::tm tm = Civil(t, frac);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string FormatMicroTime(Clock::WallTime t) {
  int64_t frac = 0;
  std::tm tm = Civil(t, frac);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

StatusOr<Clock::WallTime> ParseMicroTime(std::string_view text) {
  auto bad = [&] { return InvalidError(fmt::format("invalid MicroTime \"{}\"", text)); };
  if (text.size() < 20 || text.back() != 'Z' || text[4] != '-' || text[7] != '-' ||
      text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return bad();
  }
  std::tm tm{};
  if (!ParseInt(text.substr(0, 4), tm.tm_year) || !ParseInt(text.substr(5, 2), tm.tm_mon) ||
      !ParseInt(text.substr(8, 2), tm.tm_mday) || !ParseInt(text.substr(11, 2), tm.tm_hour) ||
      !ParseInt(text.substr(14, 2), tm.tm_min) || !ParseInt(text.substr(17, 2), tm.tm_sec)) {
    return bad();
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int micros = 0;
  std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 10) return bad();
    std::string digits(rest.substr(1));
    for (char ch : digits) {
      if (ch < '0' || ch > '9') return bad();
    }
    digits.resize(6, '0');  // nanosecond inputs are truncated to microseconds
    if (!ParseInt(std::string_view(digits).substr(0, 6), micros)) return bad();
  }
  std::time_t secs = timegm(&tm);
  return Clock::WallTime(
      duration_cast<Clock::WallTime::duration>(seconds(secs) + microseconds(micros)));
}

}  // namespace osbx::kube
