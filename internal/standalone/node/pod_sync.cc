// SimNode's per-pod sync: binding, startup delay, status writes, graceful deletion and failure
// injection, one key at a time, level-based on the cached pod.

#include <charconv>

#include "internal/standalone/node/pod_status.h"
#include "internal/standalone/node/pod_trim.h"
#include "internal/standalone/node/sim_node.h"
#include "internal/utils/log.h"
#include "pkg/kube/meta/object.h"
#include "pkg/kube/patch/merge_patch.h"

namespace osbx::standalone {
namespace {

// A conflict is retried on a freshly read pod this many times before backing off.
constexpr int kMaxAttempts = 3;
// A pod without deletionGracePeriodSeconds gets the API default.
constexpr int64_t kDefaultGraceSeconds = 30;

const Json& Section(const Json& pod, const char* key) {
  static const Json kEmpty = Json::object();
  auto it = pod.find(key);
  return it != pod.end() && it->is_object() ? *it : kEmpty;
}

std::string NodeNameOf(const Json& pod) { return Section(pod, "spec").value("nodeName", ""); }
std::string PhaseOf(const Json& pod) { return Section(pod, "status").value("phase", ""); }

// resourceVersion as a number; 0 when the server's versions are not numeric.
uint64_t NumericVersion(const Json& obj) {
  std::string_view rv = kube::GetResourceVersion(obj);
  uint64_t value = 0;
  auto [end, err] = std::from_chars(rv.data(), rv.data() + rv.size(), value);
  return err == std::errc() && end == rv.data() + rv.size() ? value : 0;
}

}  // namespace

SimNode::PodEntry& SimNode::Entry(const std::string& key, std::string_view uid) {
  kube::MutexLock lock(entries_mu_);
  PodEntry& entry = entries_[key];
  if (entry.uid != uid) {
    // A new pod under an old name starts from scratch.
    if (!entry.ip.empty()) ips_->Release(entry.ip);
    entry = PodEntry{};
    entry.uid = std::string(uid);
  }
  return entry;
}

void SimNode::Forget(const std::string& key) {
  kube::MutexLock lock(entries_mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (!it->second.ip.empty()) ips_->Release(it->second.ip);
  entries_.erase(it);
}

const std::string& SimNode::EnsureIp(PodEntry& entry, const Json& pod) {
  if (!entry.ip.empty()) return entry.ip;
  std::string current = Section(pod, "status").value("podIP", "");
  if (!current.empty() && ips_->Reserve(current)) {
    entry.ip = current;
  } else if (auto ip = ips_->Allocate()) {
    entry.ip = *ip;
  } else {
    OSBX_LOG_WARN("simulated node: pod IP range exhausted", {"cidr", options_.pod_cidr});
  }
  return entry.ip;
}

SimNode::Outcome SimNode::Failed(const Status& status) {
  counters_.errors.fetch_add(1);
  if (log::V(2)) OSBX_LOG_WARN("simulated node: write failed", {"error", status.ToString()});
  return Outcome{true, std::nullopt};
}

SimNode::Outcome SimNode::SyncPod(const std::string& key) {
  kube::ObjectPtr cached = pod_informer_->indexer().Get(key);
  if (cached == nullptr) {
    Forget(key);
    return {};
  }
  return SyncPodObject(key, UnpackCachedPod(*cached), 0);
}

SimNode::Outcome SimNode::SyncPodObject(const std::string& key, const Json& pod, int attempt) {
  std::string node = NodeNameOf(pod);
  if (!node.empty() && node != options_.node.name) {
    Forget(key);
    return {};
  }
  PodEntry& entry = Entry(key, kube::GetUid(pod));
  // Until the cache shows our last write, it has nothing new to say: its event will come.
  if (entry.written_rv > NumericVersion(pod)) return {};
  if (kube::IsBeingDeleted(pod)) return SyncDeletion(key, pod, entry, attempt);
  if (IsTerminalPhase(PhaseOf(pod))) return {};
  bool lost = node_lost();
  bool started = PodStarted(pod);
  if (lost && !started) return {};  // a lost node binds and starts nothing
  if (node.empty() && !entry.bound) {
    Outcome bound = Bind(key, pod, entry, attempt);
    if (!entry.bound) return bound;
  }
  PodFaults faults = ParseFaults(pod);
  if (faults.loss == PodLoss::kDeleted) return FinalDelete(pod, entry);
  if (!started) {
    Clock::TimePoint now = clock_.Now();
    if (!entry.start_at)
      entry.start_at = now + faults.startup_delay.value_or(options_.startup_delay);
    if (now < *entry.start_at) return Outcome{false, *entry.start_at - now};
  }
  return WriteStatus(key, pod, entry, faults, false, attempt);
}

SimNode::Outcome SimNode::Bind(const std::string& key, const Json& pod, PodEntry& entry,
                               int attempt) {
  Status status = api_.BindPod(kube::GetNamespace(pod), kube::GetName(pod), kube::GetUid(pod),
                               options_.node.name);
  if (status.ok()) {
    entry.bound = true;
    counters_.pods_bound.fetch_add(1);
    counters_.bind_writes.fetch_add(1);
    return {};
  }
  if (status.IsNotFound()) return {};  // gone; its delete event forgets it
  // Conflict: bound meanwhile, or replaced. Invalid: a server without pods/binding refused to
  // move an already bound pod. Either way the current pod decides.
  if (status.IsConflict() || status.IsInvalid()) {
    counters_.conflicts.fetch_add(1);
    return Reread(key, pod, attempt);
  }
  return Failed(status);
}

SimNode::Outcome SimNode::Reread(const std::string& key, const Json& pod, int attempt) {
  if (attempt + 1 >= kMaxAttempts) return Outcome{true, std::nullopt};
  StatusOr<Json> fresh = api_.GetPod(kube::GetNamespace(pod), kube::GetName(pod));
  if (fresh.status().IsNotFound()) return {};
  if (!fresh.ok()) return Failed(fresh.status());
  TrimPodForNode(*fresh);
  return SyncPodObject(key, *fresh, attempt + 1);
}

SimNode::Outcome SimNode::WriteStatus(const std::string& key, const Json& pod, PodEntry& entry,
                                      const PodFaults& faults, bool terminating, int attempt) {
  bool started = PodStarted(pod);
  PodStatusInputs in;
  in.now = clock_.WallNow();
  in.pod_ip = EnsureIp(entry, pod);
  in.host_ip = options_.node.internal_ip;
  in.node_lost = node_lost();
  in.terminating = terminating;
  if (!entry.oom_known) {
    // A pod found running already reported its OOM kills; a pod we start reports them all.
    entry.oom_applied = started ? faults.oom_kills : 0;
    entry.oom_known = true;
  }
  if (!faults.crash_loop && faults.oom_kills > entry.oom_applied) {
    in.new_oom_kills = faults.oom_kills - entry.oom_applied;
  }
  std::optional<kube::Time> crash_at = faults.crash_loop ? NextCrashAt(pod) : std::nullopt;
  in.crash_restart_due = crash_at && *crash_at <= in.now;

  Json desired = DesiredPodStatus(pod, faults, in);
  const Json& current = Section(pod, "status");
  Json comparable = desired;
  TrimStatusForNode(comparable);  // the cache holds trimmed statuses
  if (comparable != current) {
    Json diff = kube::patch::CreateMergePatch(current, desired);
    Json patch = {{"metadata", {{"uid", kube::GetUid(pod)}}}, {"status", std::move(diff)}};
    StatusOr<Json> written =
        api_.PatchPodStatus(kube::GetNamespace(pod), kube::GetName(pod), patch);
    if (written.status().IsNotFound()) return {};
    if (written.status().IsConflict()) {
      counters_.conflicts.fetch_add(1);
      return Reread(key, pod, attempt);
    }
    if (!written.ok()) return Failed(written.status());
    counters_.status_writes.fetch_add(1);
    entry.written_rv = NumericVersion(*written);
    if (!started && desired.value("phase", "") == "Running") counters_.pods_started.fetch_add(1);
  }
  entry.oom_applied = std::max(entry.oom_applied, faults.oom_kills);
  if (!faults.crash_loop || terminating) return {};
  // The next crash of a crash loop: a timer from the status just computed.
  Json after = {{"status", desired}};
  std::optional<kube::Time> next = NextCrashAt(after);
  if (!next) return {};
  auto wait = std::chrono::duration_cast<Clock::Duration>(*next - clock_.WallNow());
  return Outcome{false, std::max(wait, Clock::Duration::zero())};
}

SimNode::Outcome SimNode::SyncDeletion(const std::string& key, const Json& pod, PodEntry& entry,
                                       int attempt) {
  if (entry.final_delete_sent) return {};
  // An unbound pod is removed by the API server itself.
  if (NodeNameOf(pod).empty() && !entry.bound) return {};
  // deletionTimestamp is the request time plus the grace period; the containers end after the
  // grace period, cut to the cap. Derived from the pod alone, so it does not matter when (or
  // how often) the node looks.
  int64_t grace = std::max<int64_t>(
      Section(pod, "metadata").value("deletionGracePeriodSeconds", kDefaultGraceSeconds), 0);
  kube::Time requested =
      kube::GetDeletionTimestamp(pod).value_or(kube::Time{}) - std::chrono::seconds(grace);
  kube::Time deadline =
      requested + std::chrono::duration_cast<kube::Time::duration>(std::min<Clock::Duration>(
                      std::chrono::seconds(grace), options_.grace_period_cap));
  kube::Time now = clock_.WallNow();
  if (now < deadline) {
    return Outcome{false, std::chrono::duration_cast<Clock::Duration>(deadline - now)};
  }
  if (PodStarted(pod) && !IsTerminalPhase(PhaseOf(pod))) {
    // The containers end before the pod goes: a status write, then the delete.
    Outcome stopped = WriteStatus(key, pod, entry, ParseFaults(pod), true, attempt);
    if (stopped.retry) return stopped;
  }
  return FinalDelete(pod, entry);
}

SimNode::Outcome SimNode::FinalDelete(const Json& pod, PodEntry& entry) {
  if (entry.final_delete_sent) return {};
  Status status = api_.DeletePod(kube::GetNamespace(pod), kube::GetName(pod), kube::GetUid(pod));
  if (status.ok()) {
    counters_.delete_writes.fetch_add(1);
    counters_.pods_deleted.fetch_add(1);
  } else if (status.IsConflict()) {
    counters_.conflicts.fetch_add(1);  // replaced by a new pod of the same name: not ours to end
  } else if (!status.IsNotFound()) {
    return Failed(status);
  }
  entry.final_delete_sent = true;
  return {};
}

}  // namespace osbx::standalone
