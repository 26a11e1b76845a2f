#include "internal/scheduler/batch_plan.h"

#include <algorithm>
#include <charconv>

#include "api/v1alpha1/well_known.h"
#include "pkg/kube/meta/object.h"
#include "pkg/kube/patch/patch_schema.h"
#include "pkg/kube/patch/strategic_merge.h"

namespace osbx::scheduler {
namespace {

namespace v1 = ::osbx::api::v1alpha1;

std::optional<int32_t> SuffixIndex(std::string_view batch, std::string_view name) {
  if (name.size() <= batch.size() + 1 || name.substr(0, batch.size()) != batch ||
      name[batch.size()] != '-') {
    return std::nullopt;
  }
  std::string_view digits = name.substr(batch.size() + 1);
  int32_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || value < 0) return std::nullopt;
  return value;
}

std::string PodName(std::string_view batch, int32_t index) {
  return std::string(batch) + "-" + std::to_string(index);
}

bool Died(const std::optional<PodView>& pod) { return !pod || pod->terminating || pod->Dead(); }

}  // namespace

std::optional<int32_t> NonPooledIndex(std::string_view batch, const PodView& pod) {
  if (pod.index) return *pod.index;
  return SuffixIndex(batch, pod.name);
}

NonPooledPlan PlanNonPooled(std::string_view batch, int32_t replicas,
                            const std::vector<PodView>& pods) {
  NonPooledPlan plan;
  plan.by_index.resize(static_cast<size_t>(std::max(replicas, 0)));
  std::set<int32_t> terminating;
  std::vector<std::pair<int32_t, std::string>> extra;
  for (const PodView& pod : pods) {
    std::optional<int32_t> index = NonPooledIndex(batch, pod);
    if (!index) continue;
    if (pod.terminating) {
      if (pod.name == PodName(batch, *index)) terminating.insert(*index);
      continue;
    }
    if (*index >= replicas) {
      extra.emplace_back(*index, pod.name);
    } else if (!plan.by_index[*index] || pod.name == PodName(batch, *index)) {
      if (plan.by_index[*index]) extra.emplace_back(*index, plan.by_index[*index]->name);
      plan.by_index[*index] = pod;
    } else {
      extra.emplace_back(*index, pod.name);  // a second pod claiming the index
    }
  }
  for (int32_t i = 0; i < replicas; ++i) {
    if (plan.by_index[i]) continue;
    (terminating.count(i) != 0 ? plan.blocked : plan.create).push_back(i);
  }
  std::sort(extra.begin(), extra.end(), std::greater<>());
  for (auto& [index, name] : extra) plan.deletions.push_back(std::move(name));
  return plan;
}

StatusOr<Json> BuildNonPooledPod(const Json& bsx, const Json& pod_template, const Json& shard_patch,
                                 int32_t index) {
  if (!pod_template.is_object()) return InvalidError("spec.template: expected an object");
  Json pod = Json::object();
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  pod["metadata"] = pod_template.value("metadata", Json::object());
  pod["spec"] = pod_template.value("spec", Json::object());
  if (!pod["metadata"].is_object() || !pod["spec"].is_object()) {
    return InvalidError("spec.template: metadata and spec must be objects");
  }
  if (!shard_patch.is_null()) {
    if (!shard_patch.is_object()) {
      return InvalidError("spec.shardPatches[" + std::to_string(index) + "]: expected an object");
    }
    StatusOr<Json> patched =
        kube::patch::ApplyStrategicMergePatch(pod, shard_patch, kube::patch::PodSchema());
    if (!patched.ok()) {
      return InvalidError("spec.shardPatches[" + std::to_string(index) +
                          "]: " + patched.status().message());
    }
    pod = std::move(*patched);
  }
  const std::string_view batch = kube::GetName(bsx);
  Json& meta = pod["metadata"];
  meta.erase("generateName");
  meta.erase("ownerReferences");
  meta["name"] = PodName(batch, index);
  meta["namespace"] = std::string(kube::GetNamespace(bsx));
  kube::SetLabel(pod, v1::kBatchSandboxNameLabel, batch);
  kube::SetLabel(pod, v1::kPodIndexLabel, std::to_string(index));
  OSBX_RETURN_IF_ERROR(kube::SetControllerReference(
      pod, kube::MakeControllerRef(bsx, "sandbox.opensandbox.io/v1alpha1", "BatchSandbox")));
  return pod;
}

PooledPlan PlanPooled(const PooledInput& in) {
  PooledPlan plan;
  plan.record = in.record;
  AllocationRecord& rec = plan.record;
  auto release = [&](const std::string& pod, ReleaseReason why) {
    if (pod.empty()) return;
    rec.release.push_back(pod);
    plan.released.emplace_back(pod, why);
  };
  if (in.deleting) {
    for (const std::string& pod : in.record.Held()) {
      if (std::find(rec.release.begin(), rec.release.end(), pod) != rec.release.end()) continue;
      release(pod, ReleaseReason::kDeleting);
    }
    rec.pods.clear();
    rec.Compact();
    plan.want_finalizer = !rec.Held().empty();
    return plan;
  }
  const size_t replicas = static_cast<size_t>(std::max(in.replicas, 0));
  while (rec.pods.size() > replicas) {
    release(rec.pods.back(), ReleaseReason::kScaleDown);
    rec.pods.pop_back();
  }
  rec.pods.resize(replicas);
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < rec.pods.size(); ++i) {
    std::string& slot = rec.pods[i];
    if (!slot.empty() && (in.held_by_other.count(slot) != 0 || !seen.insert(slot).second)) {
      plan.dropped.push_back(slot);
      slot.clear();
    } else if (!slot.empty()) {
      auto it = in.pods.find(slot);
      std::optional<PodView> pod;
      if (it != in.pods.end()) pod = it->second;
      const bool requested = in.release_requested.count(static_cast<int32_t>(i)) != 0;
      if (Died(pod) || requested) {
        release(slot, requested ? ReleaseReason::kRequested : ReleaseReason::kDied);
        slot.clear();
      }
    }
    if (slot.empty() && in.release_requested.count(static_cast<int32_t>(i)) == 0) {
      plan.to_serve.push_back(static_cast<int32_t>(i));
    }
  }
  rec.Compact();
  plan.want_finalizer = !rec.pods.empty() || !rec.Held().empty();
  return plan;
}

void FillIndexes(AllocationRecord& record, const std::vector<int32_t>& to_serve,
                 const std::vector<std::string>& pods) {
  size_t next = 0;
  for (int32_t index : to_serve) {
    if (next >= pods.size()) return;
    if (index < 0 || static_cast<size_t>(index) >= record.pods.size()) continue;
    record.pods[index] = pods[next++];
  }
}

std::vector<std::optional<PodView>> PooledByIndex(
    const AllocationRecord& record, const std::map<std::string, PodView, std::less<>>& pods) {
  std::vector<std::optional<PodView>> out(record.pods.size());
  for (size_t i = 0; i < record.pods.size(); ++i) {
    auto it = pods.find(record.pods[i]);
    if (it != pods.end() && !it->second.terminating) out[i] = it->second;
  }
  return out;
}

std::vector<std::string> Endpoints(int32_t replicas,
                                   const std::vector<std::optional<PodView>>& by_index) {
  std::vector<std::string> out(static_cast<size_t>(std::max(replicas, 0)));
  for (size_t i = 0; i < out.size() && i < by_index.size(); ++i) {
    if (by_index[i] && by_index[i]->ready) out[i] = by_index[i]->pod_ip;
  }
  return out;
}

}  // namespace osbx::scheduler
