#include "test/crash/allocation_auditor.h"

#include <fmt/format.h>

#include <algorithm>

namespace osbx::crash {
namespace {

constexpr const char* kAllocStatus = "sandbox.opensandbox.io/alloc-status";
constexpr const char* kAllocRelease = "sandbox.opensandbox.io/alloc-release";
constexpr const char* kAllocReleased = "sandbox.opensandbox.io/alloc-released";

std::string Str(const Json& obj, const char* a, const char* b) {
  if (!obj.is_object() || !obj.contains(a) || !obj[a].is_object()) return "";
  const Json& inner = obj[a];
  auto it = inner.find(b);
  return it != inner.end() && it->is_string() ? it->get<std::string>() : "";
}

int64_t Rv(const Json& obj) {
  const std::string rv = Str(obj, "metadata", "resourceVersion");
  return rv.empty() ? 0 : std::stoll(rv);
}

// The pod names of one record annotation; false when the value is not {"pods":[strings]}.
bool PodsOf(const Json& batch, const char* annotation, std::vector<std::string>& out) {
  const Json& meta = batch.value("metadata", Json::object());
  const Json& annotations = meta.value("annotations", Json::object());
  auto it = annotations.find(annotation);
  if (it == annotations.end()) return true;
  if (!it->is_string()) return false;
  Json value = Json::parse(it->get<std::string>(), nullptr, /*allow_exceptions=*/false);
  if (!value.is_object() || !value.contains("pods") || !value["pods"].is_array()) return false;
  for (const Json& pod : value["pods"]) {
    if (!pod.is_string()) return false;
    out.push_back(pod.get<std::string>());
  }
  return true;
}

}  // namespace

void AllocationAuditor::SetPoolStrategy(const std::string& pool_key, const std::string& strategy) {
  std::lock_guard lock(mu_);
  strategies_[pool_key] = strategy;
}

void AllocationAuditor::ObserveBatch(const Json& batch, bool deleted) {
  const std::string uid = Str(batch, "metadata", "uid");
  const std::string ns = Str(batch, "metadata", "namespace");
  const std::string pool = Str(batch, "spec", "poolRef");
  const int64_t rv = Rv(batch);
  if (pool.empty()) return;  // not pooled: no record
  BatchState next;
  next.key = ns + "/" + Str(batch, "metadata", "name");
  next.pool_key = ns + "/" + pool;
  std::lock_guard lock(mu_);
  ++records_;
  if (!deleted) {
    std::vector<std::string> pods, release, released_list;
    if (!PodsOf(batch, kAllocStatus, pods) || !PodsOf(batch, kAllocRelease, release) ||
        !PodsOf(batch, kAllocReleased, released_list)) {
      violations_.push_back(fmt::format("{} rv {}: malformed allocation record", next.key, rv));
      return;
    }
    std::set<std::string> released;
    for (const std::string& p : released_list) released.insert(ns + "/" + p);
    for (const auto* list : {&pods, &release}) {
      for (const std::string& p : *list) {
        if (!p.empty() && released.count(ns + "/" + p) == 0) next.held.insert(ns + "/" + p);
      }
    }
  }
  ApplyBatchLocked(uid, std::move(next), rv);
  if (deleted) batches_.erase(uid);
}

void AllocationAuditor::ApplyBatchLocked(const std::string& uid, BatchState next, int64_t rv) {
  BatchState& state = batches_[uid];
  for (const std::string& pod : next.held) {
    if (state.held.count(pod) != 0) continue;
    std::set<std::string>& holders = holders_[pod];
    for (const std::string& other : holders) {
      if (other == uid) continue;
      auto it = batches_.find(other);
      violations_.push_back(fmt::format("rv {}: pod {} is held by {} and by {} at the same time",
                                        rv, pod, next.key,
                                        it != batches_.end() ? it->second.key : other));
    }
    holders.insert(uid);
    holds_.push_back({pod, next.key, rv});
  }
  // A pod leaving a Delete pool's batch was recycled by deletion (or the batch was deleted and
  // its pods go with it or are deleted as orphans): it must never be handed out again.
  auto strategy = strategies_.find(next.pool_key);
  const bool retire = strategy == strategies_.end() || strategy->second == "Delete";
  for (const std::string& pod : state.held) {
    if (next.held.count(pod) != 0) continue;
    holders_[pod].erase(uid);
    if (holders_[pod].empty()) holders_.erase(pod);
    if (retire) retirements_[pod].push_back({next.key, rv});
  }
  state = std::move(next);
}

void AllocationAuditor::ObservePod(const Json& pod, bool deleted) {
  const std::string key = Str(pod, "metadata", "namespace") + "/" + Str(pod, "metadata", "name");
  const std::string uid = Str(pod, "metadata", "uid");
  const int64_t rv = Rv(pod);
  const bool deleting = deleted || !Str(pod, "metadata", "deletionTimestamp").empty();
  std::lock_guard lock(mu_);
  std::vector<Incarnation>& history = pods_[key];
  auto it = std::find_if(history.begin(), history.end(),
                         [&](const Incarnation& i) { return i.uid == uid; });
  if (it == history.end()) it = history.insert(history.end(), Incarnation{uid, rv, 0});
  if (deleting && it->deleting_rv == 0) it->deleting_rv = rv;
}

const AllocationAuditor::Incarnation* AllocationAuditor::IncarnationAtLocked(const std::string& pod,
                                                                             int64_t rv) const {
  auto it = pods_.find(pod);
  if (it == pods_.end()) return nullptr;
  const Incarnation* found = nullptr;
  for (const Incarnation& inc : it->second) {
    if (inc.first_rv <= rv && (found == nullptr || inc.first_rv > found->first_rv)) found = &inc;
  }
  return found;
}

std::vector<std::string> AllocationAuditor::Violations() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out = violations_;
  for (const Hold& hold : holds_) {
    const Incarnation* pod = IncarnationAtLocked(hold.pod, hold.rv);
    if (pod != nullptr && pod->deleting_rv != 0 && pod->deleting_rv < hold.rv) {
      out.push_back(
          fmt::format("rv {}: pod {} (uid {}) allocated to {} after it was marked for "
                      "deletion at rv {}",
                      hold.rv, hold.pod, pod->uid, hold.batch, pod->deleting_rv));
    }
    auto retired = retirements_.find(hold.pod);
    if (retired == retirements_.end()) continue;
    for (const Retirement& r : retired->second) {
      if (r.rv >= hold.rv || IncarnationAtLocked(hold.pod, r.rv) != pod) continue;
      out.push_back(
          fmt::format("rv {}: pod {} allocated to {} after {} released it under the "
                      "Delete recycle strategy at rv {}",
                      hold.rv, hold.pod, hold.batch, r.batch, r.rv));
    }
  }
  return out;
}

int64_t AllocationAuditor::records_observed() const {
  std::lock_guard lock(mu_);
  return records_;
}

int64_t AllocationAuditor::allocations_observed() const {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(holds_.size());
}

std::map<std::string, std::set<std::string>> AllocationAuditor::Holdings() const {
  std::lock_guard lock(mu_);
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [uid, state] : batches_) out[state.key] = state.held;
  return out;
}

}  // namespace osbx::crash
