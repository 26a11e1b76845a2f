#include "pkg/kube/runtime/lease.h"

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

StatusOr<std::optional<Clock::WallTime>> OptionalTime(const Json& spec, const char* field) {
  auto it = spec.find(field);
  if (it == spec.end() || it->is_null()) return std::optional<Clock::WallTime>();
  if (!it->is_string()) return InvalidError(fmt::format("lease spec.{} is not a string", field));
  auto parsed = ParseMicroTime(it->get<std::string>());
  if (!parsed.ok()) return parsed.status();
  return std::optional<Clock::WallTime>(*parsed);
}

}  // namespace

std::string FormatMicroTime(Clock::WallTime t) {
  auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
  auto secs = us / 1'000'000;
  auto frac = us % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    secs -= 1;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
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
    digits.resize(6, '0');  // nanosecond inputs are truncated to microseconds
    if (!ParseInt(std::string_view(digits).substr(0, 6), micros)) return bad();
  }
  std::time_t secs = timegm(&tm);
  return Clock::WallTime(
      duration_cast<Clock::WallTime::duration>(seconds(secs) + microseconds(micros)));
}

StatusOr<LeaseRecord> DecodeLeaseRecord(const Json& lease) {
  LeaseRecord record;
  auto spec_it = lease.find("spec");
  if (!lease.is_object() || spec_it == lease.end() || !spec_it->is_object()) return record;
  const Json& spec = *spec_it;
  if (auto it = spec.find("holderIdentity"); it != spec.end() && it->is_string()) {
    record.holder_identity = it->get<std::string>();
  }
  if (auto it = spec.find("leaseDurationSeconds"); it != spec.end() && it->is_number_integer()) {
    record.lease_duration_seconds = it->get<int>();
  }
  if (auto it = spec.find("leaseTransitions"); it != spec.end() && it->is_number_integer()) {
    record.lease_transitions = it->get<int>();
  }
  OSBX_ASSIGN_OR_RETURN(record.acquire_time, OptionalTime(spec, "acquireTime"));
  OSBX_ASSIGN_OR_RETURN(record.renew_time, OptionalTime(spec, "renewTime"));
  return record;
}

void EncodeLeaseRecord(const LeaseRecord& record, Json& lease) {
  if (!lease.is_object()) lease = Json::object();
  Json& spec = lease["spec"];
  if (!spec.is_object()) spec = Json::object();
  spec["holderIdentity"] = record.holder_identity;
  spec["leaseDurationSeconds"] = record.lease_duration_seconds;
  spec["leaseTransitions"] = record.lease_transitions;
  auto put_time = [&spec](const char* field, const std::optional<Clock::WallTime>& t) {
    if (t) {
      spec[field] = FormatMicroTime(*t);
    } else {
      spec.erase(field);
    }
  };
  put_time("acquireTime", record.acquire_time);
  put_time("renewTime", record.renew_time);
}

Json NewLease(std::string_view ns, std::string_view name, const LeaseRecord& record) {
  Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", name}, {"namespace", ns}}}};
  EncodeLeaseRecord(record, lease);
  return lease;
}

}  // namespace osbx::kube
