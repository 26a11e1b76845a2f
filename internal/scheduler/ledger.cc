#include "internal/scheduler/ledger.h"

#include <algorithm>
#include <tuple>

namespace osbx::scheduler {
namespace {

// Earlier claim first: creation time (absent last), then uid.
bool EarlierClaim(const RecordSource& a, const RecordSource& b) {
  if (a.created != b.created) {
    if (!a.created) return false;
    if (!b.created) return true;
    return *a.created < *b.created;
  }
  return a.uid < b.uid;
}

}  // namespace

bool AllocateFirst(const PodView& a, const PodView& b, std::string_view revision) {
  const bool a_current = a.revision == revision;
  const bool b_current = b.revision == revision;
  if (a_current != b_current) return a_current;
  if (a.ready_since != b.ready_since) return a.ready_since < b.ready_since;
  if (a.created != b.created) return a.created < b.created;
  return a.name < b.name;
}

bool Allocatable(const PodView& pod) {
  return pod.ready && !pod.terminating && !pod.evict && !pod.Failing();
}

RebuildReport PoolLedger::Rebuild(const std::vector<RecordSource>& records) {
  std::vector<const RecordSource*> order;
  for (const RecordSource& r : records) order.push_back(&r);
  std::stable_sort(order.begin(), order.end(), [](const RecordSource* a, const RecordSource* b) {
    return EarlierClaim(*a, *b);
  });
  RebuildReport report;
  std::unordered_map<std::string, Holding> holdings;
  for (const RecordSource* r : order) {
    if (r->malformed) report.quarantined.push_back({r->uid, r->key, r->error});
    for (const std::string& pod : r->held) {
      auto [it, inserted] = holdings.try_emplace(pod, Holding{r->uid, 0});
      if (!inserted && it->second.uid != r->uid) {
        report.conflicts.push_back({pod, it->second.uid, r->uid, r->key});
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  holdings_ = std::move(holdings);
  inflight_.clear();
  waiting_.clear();
  rebuilt_ = true;
  free_.clear();
  for (auto& [name, candidate] : candidates_) RefreeLocked(name);
  return report;
}

void PoolLedger::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  rebuilt_ = false;
  holdings_.clear();
  inflight_.clear();
  retired_.clear();
  waiting_.clear();
  free_.clear();
}

bool PoolLedger::observes_pods() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !candidates_.empty();
}

void PoolLedger::UnfreeLocked(const std::string& pod) {
  auto it = candidates_.find(pod);
  if (it != candidates_.end()) free_.erase(&it->second);
}

void PoolLedger::RefreeLocked(const std::string& pod) {
  auto it = candidates_.find(pod);
  if (it == candidates_.end() || !rebuilt_) return;
  if (holdings_.count(pod) == 0 && retired_.count(pod) == 0) free_.insert(&it->second);
}

void PoolLedger::ObservePod(std::shared_ptr<const PodView> view, std::string_view owner_uid) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string name = view->name;
  UnfreeLocked(name);
  if (!Allocatable(*view)) {
    candidates_.erase(name);
    return;
  }
  Candidate& candidate = candidates_[name];
  candidate.view = std::move(view);
  candidate.owner_uid = std::string(owner_uid);
  RefreeLocked(name);
}

void PoolLedger::ForgetPod(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string pod(name);
  UnfreeLocked(pod);
  candidates_.erase(pod);
}

size_t PoolLedger::FreeCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return free_.size();
}

StatusOr<ClaimGrant> PoolLedger::ClaimObserved(std::string_view uid, int32_t count,
                                               std::string_view pool_uid,
                                               std::string_view revision) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!rebuilt_) return UnavailableError("allocation ledger not rebuilt yet");
  if (free_.key_comp().revision != revision) {
    std::set<const Candidate*, FreeOrder> resorted(FreeOrder{std::string(revision)});
    resorted.insert(free_.begin(), free_.end());
    free_.swap(resorted);
  }
  std::vector<const PodView*> chosen;
  std::vector<std::shared_ptr<const PodView>> views;
  for (auto it = free_.begin();
       it != free_.end() && chosen.size() < static_cast<size_t>(std::max(count, 0)); ++it) {
    if ((*it)->owner_uid != pool_uid) continue;  // a pod of an earlier Pool of the same name
    chosen.push_back((*it)->view.get());
    views.push_back((*it)->view);
  }
  ClaimGrant grant = GrantLocked(uid, count, chosen);
  grant.views = std::move(views);
  return grant;
}

bool PoolLedger::rebuilt() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rebuilt_;
}

ClaimGrant PoolLedger::GrantLocked(std::string_view uid, int32_t count,
                                   const std::vector<const PodView*>& chosen) {
  ClaimGrant grant;
  for (const PodView* p : chosen) grant.pods.push_back(p->name);
  grant.shortfall = std::max(count, 0) - static_cast<int32_t>(chosen.size());
  if (grant.shortfall > 0) {
    waiting_[std::string(uid)] = grant.shortfall;
  } else if (auto it = waiting_.find(uid); it != waiting_.end()) {
    waiting_.erase(it);
  }
  if (grant.pods.empty()) return grant;
  grant.id = next_claim_id_++;
  for (const std::string& pod : grant.pods) {
    UnfreeLocked(pod);
    holdings_[pod] = Holding{std::string(uid), grant.id};
  }
  inflight_[grant.id] = grant.pods;
  return grant;
}

void PoolLedger::Confirm(uint64_t claim_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = inflight_.find(claim_id);
  if (it == inflight_.end()) return;
  for (const std::string& pod : it->second) {
    auto h = holdings_.find(pod);
    if (h != holdings_.end() && h->second.claim_id == claim_id) h->second.claim_id = 0;
  }
  inflight_.erase(it);
}

void PoolLedger::Rollback(uint64_t claim_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = inflight_.find(claim_id);
  if (it == inflight_.end()) return;
  for (const std::string& pod : it->second) {
    auto h = holdings_.find(pod);
    if (h != holdings_.end() && h->second.claim_id == claim_id) {
      holdings_.erase(h);
      RefreeLocked(pod);
    }
  }
  inflight_.erase(it);
}

void PoolLedger::Release(std::string_view uid, const std::vector<std::string>& pods,
                         bool reusable) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& pod : pods) {
    auto h = holdings_.find(pod);
    if (h == holdings_.end() || h->second.uid != uid) continue;
    holdings_.erase(h);
    if (!reusable) retired_.insert(pod);
    RefreeLocked(pod);
  }
}

std::vector<std::string> PoolLedger::RetireIdle(const std::vector<std::string>& pods) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> retired;
  for (const std::string& pod : pods) {
    if (holdings_.count(pod) != 0) continue;
    UnfreeLocked(pod);
    retired_.insert(pod);
    retired.push_back(pod);
  }
  return retired;
}

void PoolLedger::ForgetRetired(const std::set<std::string, std::less<>>& existing) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> gone;
  for (const std::string& pod : retired_) {
    if (existing.count(pod) == 0) gone.push_back(pod);
  }
  for (const std::string& pod : gone) {
    retired_.erase(pod);
    RefreeLocked(pod);
  }
}

void PoolLedger::ForgetBatch(std::string_view uid) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = waiting_.find(uid); it != waiting_.end()) waiting_.erase(it);
}

std::optional<std::string> PoolLedger::Owner(std::string_view pod) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = holdings_.find(std::string(pod));
  if (it == holdings_.end()) return std::nullopt;
  return it->second.uid;
}

int32_t PoolLedger::HeldCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int32_t>(holdings_.size());
}

int32_t PoolLedger::WaitingDemand() const {
  std::lock_guard<std::mutex> lock(mu_);
  int32_t total = 0;
  for (const auto& [uid, n] : waiting_) total += n;
  return total;
}

std::vector<std::string> PoolLedger::WaitingBatches() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  out.reserve(waiting_.size());
  for (const auto& [uid, n] : waiting_) {
    if (n > 0) out.push_back(uid);
  }
  return out;
}

std::shared_ptr<PoolLedger> Ledger::ForPool(std::string_view pool_key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pools_.find(pool_key);
  if (it == pools_.end()) {
    it = pools_.emplace(std::string(pool_key), std::make_shared<PoolLedger>()).first;
  }
  return it->second;
}

void Ledger::Forget(std::string_view pool_key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pools_.find(pool_key);
  if (it == pools_.end()) return;
  if (it->second->observes_pods()) {
    it->second->Reset();
  } else {
    pools_.erase(it);
  }
}

}  // namespace osbx::scheduler
