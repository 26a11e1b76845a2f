#pragma once
// The leader-election record as stored in a coordination.k8s.io/v1 Lease, and the small API the
// elector needs to read and write Leases.
//
// The elector talks to a LeaseClient rather than to the REST client so that lease timing can be
// tested on simulated time against an in-memory fake; RestLeaseClient (rest_adapters.h) is the
// production implementation.

#include <optional>
#include <string>
#include <string_view>

#include "internal/utils/clock.h"
#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::kube {

// The fields of Lease.spec that leader election reads and writes.
struct LeaseRecord {
  std::string holder_identity;
  int lease_duration_seconds = 0;
  std::optional<Clock::WallTime> acquire_time;
  std::optional<Clock::WallTime> renew_time;
  int lease_transitions = 0;

  bool operator==(const LeaseRecord&) const = default;
};

// Reads the record out of a Lease object. Missing fields keep their zero values; malformed
// timestamps are an error.
StatusOr<LeaseRecord> DecodeLeaseRecord(const Json& lease);
// Writes `record` into `lease` (a Lease object, or an empty object for a new one), keeping every
// other field; timestamps become MicroTime with six fraction digits.
void EncodeLeaseRecord(const LeaseRecord& record, Json& lease);
// A new Lease object named `ns`/`name` carrying `record`.
Json NewLease(std::string_view ns, std::string_view name, const LeaseRecord& record);

// Get/Create/Update of Lease objects in one API. Update must be a compare-and-swap on
// metadata.resourceVersion (Conflict when stale), as a Kubernetes API server does it.
class LeaseClient {
 public:
  virtual ~LeaseClient() = default;
  virtual StatusOr<Json> Get(const std::string& ns, const std::string& name) = 0;
  virtual StatusOr<Json> Create(const std::string& ns, const Json& lease) = 0;
  virtual StatusOr<Json> Update(const std::string& ns, const Json& lease) = 0;
};

}  // namespace osbx::kube
