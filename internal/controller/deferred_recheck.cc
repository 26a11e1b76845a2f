#include "internal/controller/deferred_recheck.h"

#include <algorithm>
#include <set>
#include <string>

#include "api/v1alpha1/well_known.h"
#include "internal/scheduler/allocation_record.h"
#include "pkg/kube/meta/object.h"
#include "pkg/kube/meta/packed.h"

namespace osbx::controller {
namespace {

namespace v1 = ::osbx::api::v1alpha1;

int64_t IntField(const Json& obj, const char* name, int64_t missing) {
  if (!obj.is_object()) return missing;
  auto it = obj.find(name);
  return it != obj.end() && it->is_number_integer() ? it->get<int64_t>() : missing;
}

}  // namespace

bool LooksSettled(const Json& batch) {
  if (!batch.is_object() || kube::IsBeingDeleted(batch)) return false;
  const Json& spec = batch.contains("spec") ? batch["spec"] : Json();
  if (!spec.is_object() || !spec.contains("poolRef") || !spec["poolRef"].is_string()) {
    return false;
  }
  const std::string pool = spec["poolRef"].get<std::string>();
  if (pool.empty() || pool == "*") return false;
  static const Json kNone;
  Json unpacked;  // the controllers' cache keeps a batch's status packed (setup.cc)
  const Json& status =
      kube::Unpacked(batch.contains("status") ? batch["status"] : kNone, unpacked);
  const int64_t replicas = IntField(spec, "replicas", 1);
  if (IntField(status, "observedGeneration", -1) != kube::GetGeneration(batch) ||
      IntField(status, "ready", -1) != replicas) {
    return false;
  }
  StatusOr<scheduler::AllocationRecord> record = scheduler::ParseAllocationRecord(batch);
  if (!record.ok()) return false;
  const std::set<std::string> released(record->released.begin(), record->released.end());
  return std::all_of(record->release.begin(), record->release.end(),
                     [&](const std::string& pod) { return pod.empty() || released.count(pod); });
}

Clock::Duration RecheckSpreader::Next() {
  const Clock::TimePoint now = clock_.Now();
  std::lock_guard lock(mu_);
  last_slot_ = std::max(now + base_, last_slot_ + spacing_);
  return last_slot_ - now;
}

}  // namespace osbx::controller
