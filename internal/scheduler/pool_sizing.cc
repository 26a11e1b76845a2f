#include "internal/scheduler/pool_sizing.h"

#include <algorithm>
#include <tuple>

namespace osbx::scheduler {
namespace {

namespace v1 = ::osbx::api::v1alpha1;

// The pool's pods sorted into what sizing treats differently.
struct Census {
  int32_t existing = 0;                  // not terminating, allocated or idle
  int32_t terminating = 0;               // already going away; still occupies a poolMax slot
  std::vector<const PodView*> ready;     // idle, Ready, usable
  std::vector<const PodView*> creating;  // idle, starting, healthy so far
  std::vector<const PodView*> unhealthy;
  std::vector<PodDeletion> free_deletions;  // dead or evicted idle pods
};

Census TakeCensus(const std::vector<PoolPod>& pods) {
  Census c;
  for (const PoolPod& p : pods) {
    if (p.pod.terminating) {
      ++c.terminating;
      continue;
    }
    ++c.existing;
    if (p.allocated) continue;
    if (p.pod.Dead()) {
      c.free_deletions.push_back({p.pod.name, DeleteReason::kDead});
    } else if (p.pod.evict) {
      c.free_deletions.push_back({p.pod.name, DeleteReason::kEvicted});
    } else if (!p.pod.failing_reason.empty()) {
      c.unhealthy.push_back(&p.pod);
    } else if (p.pod.ready) {
      c.ready.push_back(&p.pod);
    } else {
      c.creating.push_back(&p.pod);
    }
  }
  return c;
}

void SortForDeletion(std::vector<const PodView*>& pods, std::string_view revision) {
  std::sort(pods.begin(), pods.end(), [revision](const PodView* a, const PodView* b) {
    return LessUsefulFirst(*a, *b, revision);
  });
}

// Moves up to `limit` pods matching `pick` from `from` into `out` (in order); returns how many.
template <typename Pred>
int32_t TakeDeletions(std::vector<const PodView*>& from, int32_t limit, DeleteReason reason,
                      Pred pick, std::vector<PodDeletion>& out) {
  int32_t taken = 0;
  auto keep = std::stable_partition(from.begin(), from.end(), [&](const PodView* p) {
    if (taken >= limit || !pick(*p)) return true;
    out.push_back({p->name, reason});
    ++taken;
    return false;
  });
  from.erase(keep, from.end());
  return taken;
}

// Working state of one decision.
struct Plan {
  Census census;
  SizingDecision decision;
  int32_t delete_room = 0;  // budgeted deletions still allowed this round
  int32_t rolled = 0;       // Ready pods deleted for the rolling update (replaced 1:1)
};

void DeleteUnhealthyAndOutdated(const SizingInput& in, int32_t update_budget, Plan& plan) {
  Census& c = plan.census;
  auto all = [](const PodView&) { return true; };
  plan.delete_room -= TakeDeletions(c.unhealthy, plan.delete_room, DeleteReason::kUnhealthy, all,
                                    plan.decision.deletions);
  auto outdated = [&](const PodView& p) { return p.revision != in.revision; };
  // Old-revision pods that are still starting are not available: replace them freely.
  TakeDeletions(c.creating, static_cast<int32_t>(c.creating.size()), DeleteReason::kOutdated,
                outdated, plan.decision.deletions);
  if (in.waiting_demand > 0) return;  // serve waiting sandboxes before rolling Ready pods
  const int32_t in_flight = static_cast<int32_t>(c.creating.size()) + c.terminating;
  const int32_t room = std::min(plan.delete_room, std::max(0, update_budget - in_flight));
  plan.rolled =
      TakeDeletions(c.ready, room, DeleteReason::kOutdated, outdated, plan.decision.deletions);
  plan.delete_room -= plan.rolled;
}

int32_t WantedCreations(const SizingInput& in, const Plan& plan, int32_t existing_left) {
  const SizingParams& p = in.params;
  const int32_t supply =
      static_cast<int32_t>(plan.census.ready.size() + plan.census.creating.size());
  int32_t want = 0;
  if (supply < p.buffer_min + in.waiting_demand) want = p.buffer_max + in.waiting_demand - supply;
  want = std::max(want, plan.rolled);
  return std::max(want, p.pool_min - existing_left);
}

void DecideCreations(const SizingInput& in, int32_t scale_budget, int32_t existing_left,
                     Plan& plan) {
  if (in.pool_deleting) return;
  const int32_t want = WantedCreations(in, plan, existing_left);
  if (want <= 0) return;
  const Census& c = plan.census;
  const int32_t pool_room = std::max(0, in.params.pool_max - c.existing - c.terminating);
  const int32_t budget_room = std::max(0, scale_budget - static_cast<int32_t>(c.creating.size()));
  plan.decision.create = std::min({want, pool_room, budget_room});
  plan.decision.limited_by_pool_max = pool_room < want && pool_room <= budget_room;
  plan.decision.limited_by_budget = budget_room < want && budget_room < pool_room;
}

void DecideScaleDown(const SizingInput& in, int32_t existing_left, Plan& plan) {
  if (plan.decision.create > 0 || in.waiting_demand > 0) return;
  const SizingParams& p = in.params;
  Census& c = plan.census;
  const int32_t ready = static_cast<int32_t>(c.ready.size());
  const int32_t idle = ready + static_cast<int32_t>(c.creating.size());
  int32_t excess = ready > p.buffer_max ? idle - p.buffer_max : 0;
  const int32_t over_max = existing_left - p.pool_max;
  excess = std::min(std::max(excess, over_max), existing_left - p.pool_min);
  // Only idle pods can go: allocated pods above poolMax (poolMax lowered below the allocated
  // count, or a Pool read older than its pods) stay until released.
  std::vector<const PodView*> candidates = c.creating;
  candidates.insert(candidates.end(), c.ready.begin(), c.ready.end());
  const int32_t count =
      std::min({excess, plan.delete_room, static_cast<int32_t>(candidates.size())});
  if (count <= 0) return;
  plan.decision.limited_by_budget = plan.delete_room < excess;
  // Least useful first: pods still starting, then Ready ones in deletion order.
  SortForDeletion(candidates, in.revision);
  const DeleteReason reason =
      over_max >= count ? DeleteReason::kOverPoolMax : DeleteReason::kScaleDown;
  for (int32_t i = 0; i < count; ++i)
    plan.decision.deletions.push_back({candidates[i]->name, reason});
}

}  // namespace

SizingParams SizingParamsFromPool(const v1::Pool& pool) {
  SizingParams p;
  const v1::CapacitySpec& cap = pool.spec.capacity_spec;
  p.buffer_min = cap.buffer_min;
  p.buffer_max = std::max(cap.buffer_max, cap.buffer_min);
  p.pool_min = cap.pool_min;
  p.pool_max = std::max(cap.pool_max, cap.pool_min);
  if (pool.spec.scale_strategy) p.scale_max_unavailable = pool.spec.scale_strategy->max_unavailable;
  if (pool.spec.update_strategy) {
    p.update_max_unavailable = pool.spec.update_strategy->max_unavailable;
  }
  return p;
}

std::string_view DeleteReasonName(DeleteReason reason) {
  switch (reason) {
    case DeleteReason::kDead:
      return "PodDead";
    case DeleteReason::kEvicted:
      return "PodEvicted";
    case DeleteReason::kUnhealthy:
      return "PodUnhealthy";
    case DeleteReason::kOutdated:
      return "PodOutdated";
    case DeleteReason::kScaleDown:
      return "ScaleDown";
    case DeleteReason::kOverPoolMax:
      return "OverPoolMax";
  }
  return "Unknown";
}

StatusOr<int32_t> ResolveMaxUnavailable(const v1::IntOrString& value, int32_t base) {
  StatusOr<int32_t> scaled = value.Scaled(std::max(base, 0), /*round_up=*/true);
  if (!scaled.ok()) return InvalidError("maxUnavailable: " + scaled.status().message());
  return std::max(*scaled, 1);
}

bool LessUsefulFirst(const PodView& a, const PodView& b, std::string_view revision) {
  if (a.ready != b.ready) return !a.ready;
  const bool a_old = a.revision != revision;
  const bool b_old = b.revision != revision;
  if (a_old != b_old) return a_old;
  if (a.ready_since != b.ready_since) return a.ready_since > b.ready_since;
  if (a.restarts != b.restarts) return a.restarts > b.restarts;
  if (a.created != b.created) return a.created > b.created;
  return a.name < b.name;
}

StatusOr<SizingDecision> DecideSizing(const SizingInput& in) {
  Plan plan;
  plan.census = TakeCensus(in.pods);
  const Census& c = plan.census;
  OSBX_ASSIGN_OR_RETURN(int32_t scale_budget,
                        ResolveMaxUnavailable(in.params.scale_max_unavailable, in.params.pool_max));
  OSBX_ASSIGN_OR_RETURN(int32_t update_budget,
                        ResolveMaxUnavailable(in.params.update_max_unavailable, c.existing));
  plan.decision.idle_ready = static_cast<int32_t>(c.ready.size());
  plan.decision.creating = static_cast<int32_t>(c.creating.size());
  plan.decision.terminating = c.terminating;
  plan.decision.deletions = c.free_deletions;
  plan.delete_room = std::max(0, scale_budget - c.terminating);
  SortForDeletion(plan.census.ready, in.revision);
  SortForDeletion(plan.census.unhealthy, in.revision);
  DeleteUnhealthyAndOutdated(in, update_budget, plan);
  const int32_t existing_left = c.existing - static_cast<int32_t>(plan.decision.deletions.size());
  DecideCreations(in, scale_budget, existing_left, plan);
  DecideScaleDown(in, existing_left, plan);
  return plan.decision;
}

}  // namespace osbx::scheduler
