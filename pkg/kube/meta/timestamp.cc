#include "pkg/kube/meta/timestamp.h"

#include <cstdio>
#include <optional>

#include "pkg/kube/meta/names.h"

namespace osbx::kube {
namespace {

constexpr std::string_view kRfc3339 = "2006-01-02T15:04:05Z07:00";
constexpr std::string_view kRfc3339Micro = "2006-01-02T15:04:05.000000Z07:00";

using std::chrono::duration_cast;
using Nanos = std::chrono::nanoseconds;

bool IsDigit(std::string_view s, size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; }

// Layout elements of the two layouts, in order. Literal elements must match exactly.
enum class Elem { kYear, kMonth, kDay, kHour, kMinute, kSecond, kMicros, kZone, kLiteral };
struct LayoutElem {
  Elem kind;
  std::string_view text;  // the element as written in the layout
};

constexpr LayoutElem kElems[] = {
    {Elem::kYear, "2006"},   {Elem::kLiteral, "-"}, {Elem::kMonth, "01"},
    {Elem::kLiteral, "-"},   {Elem::kDay, "02"},    {Elem::kLiteral, "T"},
    {Elem::kHour, "15"},     {Elem::kLiteral, ":"}, {Elem::kMinute, "04"},
    {Elem::kLiteral, ":"},   {Elem::kSecond, "05"}, {Elem::kMicros, ".000000"},
    {Elem::kZone, "Z07:00"},
};

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t nanos = 0;
  int offset_seconds = 0;
};

class TimeParser {
 public:
  TimeParser(std::string_view text, bool micro)
      : text_(text), rest_(text), micro_(micro), layout_(micro ? kRfc3339Micro : kRfc3339) {}

  StatusOr<Time> Run();

 private:
  Status CannotParse(std::string_view value_elem, std::string_view layout_elem) const {
    return BadRequestError("parsing time " + GoQuote(text_) + " as " + GoQuote(layout_) +
                           ": cannot parse " + GoQuote(value_elem) + " as " + GoQuote(layout_elem));
  }
  Status WithMessage(std::string_view message) const {
    return BadRequestError("parsing time " + GoQuote(text_) + std::string(message));
  }
  // Two digits (one allowed when !fixed, as Go's getnum does).
  std::optional<int> Number(bool fixed) {
    if (!IsDigit(rest_, 0)) return std::nullopt;
    if (!IsDigit(rest_, 1)) {
      if (fixed) return std::nullopt;
      int v = rest_[0] - '0';
      rest_.remove_prefix(1);
      return v;
    }
    int v = (rest_[0] - '0') * 10 + (rest_[1] - '0');
    rest_.remove_prefix(2);
    return v;
  }
  Status ParseElem(const LayoutElem& e, const char** range_error);
  Status ParseFraction(size_t digits);
  Status ParseZone();

  std::string_view text_;
  std::string_view rest_;
  bool micro_;
  std::string_view layout_;
  Fields f_;
};

Status TimeParser::ParseFraction(size_t digits) {
  // rest_ starts with '.' followed by `digits` digits.
  int64_t value = 0;
  for (size_t i = 1; i <= digits; ++i) {
    if (!IsDigit(rest_, i)) return InvalidError("bad fraction");
    if (i <= 9) value = value * 10 + (rest_[i] - '0');
  }
  for (size_t i = digits; i < 9; ++i) value *= 10;
  f_.nanos = value;
  rest_.remove_prefix(digits + 1);
  return Status::Ok();
}

Status TimeParser::ParseZone() {
  if (!rest_.empty() && rest_[0] == 'Z') {
    rest_.remove_prefix(1);
    return Status::Ok();
  }
  if (rest_.size() < 6 || rest_[3] != ':') return InvalidError("bad zone");
  char sign = rest_[0];
  std::string_view hh = rest_.substr(1, 2), mm = rest_.substr(4, 2);
  if (!IsDigit(hh, 0) || !IsDigit(hh, 1) || !IsDigit(mm, 0) || !IsDigit(mm, 1)) {
    return InvalidError("bad zone");
  }
  if (sign != '+' && sign != '-') return InvalidError("bad zone");
  int hours = (hh[0] - '0') * 10 + (hh[1] - '0');
  int minutes = (mm[0] - '0') * 10 + (mm[1] - '0');
  if (hours >= 24) return WithMessage(": time zone offset hour out of range");
  if (minutes >= 60) return WithMessage(": time zone offset minute out of range");
  f_.offset_seconds = (hours * 60 + minutes) * 60 * (sign == '-' ? -1 : 1);
  rest_.remove_prefix(6);
  return Status::Ok();
}

Status TimeParser::ParseElem(const LayoutElem& e, const char** range_error) {
  std::optional<int> n;
  switch (e.kind) {
    case Elem::kLiteral:
      if (rest_.substr(0, e.text.size()) != e.text) return InvalidError("literal");
      rest_.remove_prefix(e.text.size());
      return Status::Ok();
    case Elem::kYear:
      if (rest_.size() < 4 || !IsDigit(rest_, 0) || !IsDigit(rest_, 1) || !IsDigit(rest_, 2) ||
          !IsDigit(rest_, 3)) {
        return InvalidError("year");
      }
      f_.year = std::stoi(std::string(rest_.substr(0, 4)));
      rest_.remove_prefix(4);
      return Status::Ok();
    case Elem::kMonth:
      if (!(n = Number(true))) return InvalidError("month");
      f_.month = *n;
      if (f_.month < 1 || f_.month > 12) *range_error = "month";
      return Status::Ok();
    case Elem::kDay:
      if (!(n = Number(true))) return InvalidError("day");
      f_.day = *n;
      return Status::Ok();
    case Elem::kHour:
      if (!(n = Number(true))) return InvalidError("hour");
      f_.hour = *n;
      if (f_.hour >= 24) *range_error = "hour";
      return Status::Ok();
    case Elem::kMinute:
      if (!(n = Number(true))) return InvalidError("minute");
      f_.minute = *n;
      if (f_.minute >= 60) *range_error = "minute";
      return Status::Ok();
    case Elem::kSecond:
      if (!(n = Number(true))) return InvalidError("second");
      f_.second = *n;
      if (f_.second >= 60) {
        *range_error = "second";
        return Status::Ok();
      }
      // A fraction the layout does not name is accepted after the seconds, as Go does.
      if (!micro_ && rest_.size() >= 2 && rest_[0] == '.' && IsDigit(rest_, 1)) {
        size_t digits = 1;
        while (IsDigit(rest_, digits + 1)) ++digits;
        return ParseFraction(digits);
      }
      return Status::Ok();
    case Elem::kMicros:
      if (!micro_) return Status::Ok();
      if (rest_.size() < 7 || rest_[0] != '.') return InvalidError("fraction");
      return ParseFraction(6);
    case Elem::kZone:
      return ParseZone();
  }
  return Status::Ok();
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysIn(int month, int year) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

StatusOr<Time> TimeParser::Run() {
  for (const LayoutElem& e : kElems) {
    if (e.kind == Elem::kMicros && !micro_) continue;
    std::string_view hold = rest_;
    const char* range_error = nullptr;
    Status s = ParseElem(e, &range_error);
    if (range_error != nullptr)
      return WithMessage(std::string(": ") + range_error + " out of range");
    if (s.code() == StatusCode::kBadRequest) return s;
    if (!s.ok()) return CannotParse(hold, e.text);
  }
  if (!rest_.empty()) return WithMessage(": extra text: " + GoQuote(rest_));
  if (f_.day < 1 || f_.day > DaysIn(f_.month, f_.year)) return WithMessage(": day out of range");
  using namespace std::chrono;
  sys_days date = year_month_day{year{f_.year}, month{static_cast<unsigned>(f_.month)},
                                 day{static_cast<unsigned>(f_.day)}};
  auto t =
      date + hours{f_.hour} + minutes{f_.minute} + seconds{f_.second} - seconds{f_.offset_seconds};
  return Time(duration_cast<Time::duration>(t.time_since_epoch() + Nanos{f_.nanos}));
}

std::string Format(Time t, bool micro) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t);
  sys_days date = floor<days>(secs);
  year_month_day ymd{date};
  hh_mm_ss hms{secs - date};
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02ld:%02ld:%02ld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  std::string out = buf;
  if (micro) {
    auto us = duration_cast<microseconds>(t - secs).count();
    std::snprintf(buf, sizeof(buf), ".%06ld", static_cast<long>(us));
    out += buf;
  }
  return out + "Z";
}

}  // namespace

std::string FormatTime(Time t) { return Format(t, false); }
std::string FormatMicroTime(Time t) { return Format(t, true); }

StatusOr<Time> ParseTime(std::string_view text) { return TimeParser(text, false).Run(); }
StatusOr<Time> ParseMicroTime(std::string_view text) { return TimeParser(text, true).Run(); }

Time TruncateToSeconds(Time t) { return std::chrono::floor<std::chrono::seconds>(t); }

}  // namespace osbx::kube
