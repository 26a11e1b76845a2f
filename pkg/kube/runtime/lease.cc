#include "pkg/kube/runtime/lease.h"

#include <fmt/format.h>

#include "pkg/kube/meta/timestamp.h"

namespace osbx::kube {
namespace {

StatusOr<std::optional<Clock::WallTime>> OptionalTime(const Json& spec, const char* field) {
  auto it = spec.find(field);
  if (it == spec.end() || it->is_null()) return std::optional<Clock::WallTime>();
  if (!it->is_string()) return InvalidError(fmt::format("lease spec.{} is not a string", field));
  const std::string text = it->get<std::string>();
  auto parsed = ParseMicroTime(text);
  if (!parsed.ok()) parsed = ParseTime(text);  // tolerate writers that drop the fraction
  if (!parsed.ok()) return parsed.status();
  return std::optional<Clock::WallTime>(*parsed);
}

}  // namespace

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
