#include "internal/controller/allocations.h"

#include <algorithm>
#include <map>

#include "internal/controller/batch_directory.h"
#include "internal/controller/event_reasons.h"
#include "internal/utils/log.h"
#include "pkg/kube/meta/object.h"

namespace osbx::controller {

std::vector<PoolRebuildReport> Allocations::RebuildAll(
    const std::vector<kube::ObjectPtr>& batch_sandboxes) {
  std::map<std::string, std::vector<scheduler::RecordSource>> by_pool;
  for (const kube::ObjectPtr& batch : batch_sandboxes) {
    std::string pool_key = PoolKeyOf(*batch);
    if (pool_key.empty()) continue;
    by_pool[pool_key].push_back(scheduler::RecordSourceFromBatchSandbox(*batch));
  }
  std::vector<PoolRebuildReport> reports;
  std::lock_guard lock(mu_);
  for (auto& [pool_key, records] : by_pool) {
    reports.push_back({pool_key, ledger_.ForPool(pool_key)->Rebuild(records)});
    known_pools_.push_back(pool_key);
  }
  ready_ = true;
  return reports;
}

bool Allocations::ready() const {
  std::lock_guard lock(mu_);
  return ready_;
}

StatusOr<std::shared_ptr<scheduler::PoolLedger>> Allocations::ForPool(std::string_view pool_key,
                                                                      const RecordsFunc& records) {
  std::shared_ptr<scheduler::PoolLedger> ledger = ledger_.ForPool(pool_key);
  if (ledger->rebuilt()) return ledger;
  std::lock_guard lock(mu_);
  if (!ready_) return UnavailableError("the allocation ledger is not rebuilt yet");
  if (!ledger->rebuilt()) {
    scheduler::RebuildReport report =
        ledger->Rebuild(records ? records() : std::vector<scheduler::RecordSource>{});
    for (const auto& q : report.quarantined) {
      OSBX_LOG_WARN("quarantined allocation record", {"batchsandbox", q.key}, {"error", q.error});
    }
    known_pools_.emplace_back(pool_key);
  }
  return ledger;
}

std::shared_ptr<scheduler::PoolLedger> Allocations::Existing(std::string_view pool_key) {
  {
    std::lock_guard lock(mu_);
    if (std::find(known_pools_.begin(), known_pools_.end(), pool_key) == known_pools_.end()) {
      return nullptr;
    }
  }
  std::shared_ptr<scheduler::PoolLedger> ledger = ledger_.ForPool(pool_key);
  return ledger->rebuilt() ? ledger : nullptr;
}

void Allocations::Forget(std::string_view pool_key) {
  std::lock_guard lock(mu_);
  ledger_.Forget(pool_key);
  std::erase(known_pools_, std::string(pool_key));
  if (auto it = gone_.find(pool_key); it != gone_.end()) gone_.erase(it);
}

namespace {

// "namespace/pool" and the Pool's uid when `pod`'s controller is a Pool.
std::optional<std::pair<std::string, std::string>> PoolOfPod(const Json& pod) {
  std::optional<kube::OwnerReference> owner = kube::GetControllerOf(pod);
  if (!owner || owner->kind != "Pool" ||
      owner->api_version.rfind("sandbox.opensandbox.io/", 0) != 0) {
    return std::nullopt;
  }
  return std::make_pair(kube::NamespacedKey(kube::GetNamespace(pod), owner->name), owner->uid);
}

}  // namespace

void Allocations::PodSeen(const Json& pod, const ViewFunc& view) {
  auto pool = PoolOfPod(pod);
  if (!pool) return;
  ledger_.ForPool(pool->first)->ObservePod(view(pool->second), pool->second);
}

void Allocations::PodGone(const Json& pod) {
  auto pool = PoolOfPod(pod);
  if (!pool) return;
  ledger_.ForPool(pool->first)->ForgetPod(kube::GetName(pod));
}

void Allocations::BatchGone(const std::string& pool_key, const std::string& uid) {
  if (pool_key.empty()) return;
  if (auto ledger = Existing(pool_key)) ledger->ForgetBatch(uid);
  std::lock_guard lock(mu_);
  gone_[pool_key].insert(uid);
}

std::set<std::string> Allocations::GoneBatches(std::string_view pool_key) const {
  std::lock_guard lock(mu_);
  auto it = gone_.find(pool_key);
  return it == gone_.end() ? std::set<std::string>{} : it->second;
}

void Allocations::ForgetGone(std::string_view pool_key, const std::string& uid) {
  std::lock_guard lock(mu_);
  auto it = gone_.find(pool_key);
  if (it == gone_.end()) return;
  it->second.erase(uid);
  if (it->second.empty()) gone_.erase(it);
}

LedgerRebuilder::LedgerRebuilder(Allocations& allocations, ListFunc list_batches,
                                 kube::EventRecorder& events, std::chrono::milliseconds settle,
                                 const Clock& clock)
    : allocations_(allocations),
      list_batches_(std::move(list_batches)),
      events_(events),
      settle_(settle),
      clock_(clock),
      created_(clock.Now()) {}

LedgerRebuilder::ListFunc LedgerRebuilder::ReadCache(const kube::Indexer& cache) {
  return [&cache]() -> StatusOr<std::vector<kube::ObjectPtr>> { return cache.List(); };
}

bool LedgerRebuilder::Stop(Clock::TimePoint) {
  std::lock_guard lock(mu_);
  stopping_ = true;
  cv_.notify_all();
  return true;
}

bool LedgerRebuilder::Settle() {
  const Clock::TimePoint deadline = created_ + settle_;
  if (settle_.count() <= 0 || clock_.Now() >= deadline) return true;
  OSBX_LOG_INFO("waiting for writes of a previous controller process to land",
                {"settle", std::to_string(settle_.count()) + "ms"});
  std::unique_lock lock(mu_);
  while (!stopping_ && clock_.Now() < deadline) clock_.WaitUntil(cv_, lock, deadline);
  return !stopping_;
}

Status LedgerRebuilder::Start() {
  if (!Settle()) return Status::Ok();
  OSBX_ASSIGN_OR_RETURN(std::vector<kube::ObjectPtr> batches, list_batches_());
  std::map<std::string, const Json*> by_uid;
  for (const kube::ObjectPtr& b : batches) by_uid[std::string(kube::GetUid(*b))] = b.get();
  std::vector<PoolRebuildReport> reports = allocations_.RebuildAll(batches);
  size_t conflicts = 0, quarantined = 0;
  for (const PoolRebuildReport& r : reports) {
    for (const auto& c : r.report.conflicts) {
      ++conflicts;
      if (auto it = by_uid.find(c.loser_uid); it != by_uid.end()) {
        events_.Event(*it->second, kube::EventType::kWarning, kReasonAllocationConflict,
                      "pod " + c.pod +
                          " is also recorded by an earlier BatchSandbox; its index "
                          "will be served again");
      }
    }
    for (const auto& q : r.report.quarantined) {
      ++quarantined;
      if (auto it = by_uid.find(q.uid); it != by_uid.end()) {
        events_.Event(*it->second, kube::EventType::kWarning, kReasonRecordMalformed,
                      "allocation record quarantined (its pods stay held): " + q.error);
      }
    }
  }
  OSBX_LOG_INFO("allocation ledger rebuilt", {"batchsandboxes", std::to_string(batches.size())},
                {"pools", std::to_string(reports.size())}, {"conflicts", std::to_string(conflicts)},
                {"quarantined", std::to_string(quarantined)});
  return Status::Ok();
}

}  // namespace osbx::controller
