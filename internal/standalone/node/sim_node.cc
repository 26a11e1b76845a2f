// SimNode lifecycle: construction, informers and their handlers, the worker pool, node sync,
// node loss and metrics. The per-pod sync lives in pod_sync.cc.

#include "internal/standalone/node/sim_node.h"

#include "internal/standalone/node/pod_trim.h"

#include <fmt/format.h>

#include "internal/utils/log.h"
#include "pkg/kube/meta/object.h"

namespace osbx::standalone {
namespace {

// The queue key of the Node itself; pod keys always contain a '/'.
constexpr char kNodeKey[] = "@node";

const Clock& ClockOf(const SimNodeOptions& options) {
  return options.clock != nullptr ? *options.clock : RealClock::Get();
}

}  // namespace

StatusOr<std::unique_ptr<SimNode>> SimNode::New(KubeletApi& api, SimNodeOptions options) {
  if (options.workers < 1) return InvalidError("the simulated node needs at least one worker");
  if (options.node.name.empty()) return InvalidError("the simulated node needs a name");
  OSBX_ASSIGN_OR_RETURN(auto ips, IpAllocator::New(options.pod_cidr));
  return std::unique_ptr<SimNode>(new SimNode(api, std::move(options), std::move(ips)));
}

SimNode::SimNode(KubeletApi& api, SimNodeOptions options, std::unique_ptr<IpAllocator> ips)
    : api_(api),
      options_(std::move(options)),
      clock_(ClockOf(options_)),
      ips_(std::move(ips)),
      registration_(api, clock_, options_.node, options_.heartbeat_period),
      pod_lw_(api.PodListerWatcher()),
      node_lw_(api.NodeListerWatcher()),
      queue_(kube::WorkQueue::Options{&clock_, &in_flight_}) {
  kube::InformerOptions pod_options;
  pod_options.transform = PackPodForCache;
  pod_informer_ = std::make_unique<kube::SharedInformer>(*pod_lw_, clock_, pod_options);
  kube::InformerOptions node_options;
  node_options.reflector.field_selector = "metadata.name=" + options_.node.name;
  node_informer_ = std::make_unique<kube::SharedInformer>(*node_lw_, clock_, node_options);
}

SimNode::~SimNode() { Stop(); }

Status SimNode::Start(Clock::Duration sync_timeout) {
  if (started_) return Status::Ok();
  started_ = true;
  pod_informer_->AddEventHandler(
      {[this](const kube::ObjectPtr& obj) { OnPodEvent(*obj, false); },
       [this](const kube::ObjectPtr&, const kube::ObjectPtr& obj) { OnPodEvent(*obj, false); },
       [this](const kube::ObjectPtr& obj, bool) { OnPodEvent(*obj, true); }});
  node_informer_->AddEventHandler(
      {[this](const kube::ObjectPtr& obj) { OnNodeEvent(*obj); },
       [this](const kube::ObjectPtr&, const kube::ObjectPtr& obj) { OnNodeEvent(*obj); },
       [this](const kube::ObjectPtr&, bool) {}});
  pod_informer_->Run();
  node_informer_->Run();
  if (!pod_informer_->WaitForSync(clock_.Now() + sync_timeout)) {
    return Status(StatusCode::kServerTimeout, "simulated node: pod cache did not sync");
  }
  AdoptExistingPods();
  queue_.Add(kNodeKey);
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  OSBX_LOG_INFO("simulated node started", {"node", options_.node.name},
                {"workers", std::to_string(options_.workers)}, {"podCIDR", options_.pod_cidr});
  return Status::Ok();
}

void SimNode::Stop() {
  if (!started_) return;
  started_ = false;
  pod_informer_->Stop();
  node_informer_->Stop();
  queue_.ShutDown();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void SimNode::AdoptExistingPods() {
  for (const kube::ObjectPtr& cached : pod_informer_->indexer().List()) {
    Json pod = UnpackCachedPod(*cached);
    const Json& spec = pod.value("spec", Json::object());
    if (spec.value("nodeName", "") != options_.node.name) continue;
    PodEntry& entry = Entry(kube::NamespacedKey(pod), kube::GetUid(pod));
    std::string ip = pod.value("status", Json::object()).value("podIP", "");
    if (!ip.empty() && ips_->Reserve(ip)) entry.ip = ip;
  }
}

void SimNode::OnPodEvent(const Json& pod, bool deleted) {
  if (!deleted) {
    auto spec = pod.find("spec");
    std::string_view node =
        spec != pod.end() && spec->is_object() && spec->contains("nodeName") &&
                (*spec)["nodeName"].is_string()
            ? std::string_view((*spec)["nodeName"].get_ref<const std::string&>())
            : std::string_view();
    if (!node.empty() && node != options_.node.name) return;  // another node's pod
  }
  queue_.Add(kube::NamespacedKey(pod));
}

void SimNode::OnNodeEvent(const Json& node) {
  if (kube::GetName(node) != options_.node.name) return;
  bool lost = NodeLostRequested(node);
  if (lost_by_annotation_.exchange(lost) != lost) OnLostChanged();
}

void SimNode::SetNodeLost(bool lost) {
  if (lost_by_call_.exchange(lost) != lost) OnLostChanged();
}

bool SimNode::node_lost() const { return lost_by_call_.load() || lost_by_annotation_.load(); }

void SimNode::OnLostChanged() {
  OSBX_LOG_INFO(node_lost() ? "simulated node lost" : "simulated node recovered",
                {"node", options_.node.name});
  queue_.Add(kNodeKey);
  for (const std::string& key : pod_informer_->indexer().ListKeys()) queue_.Add(key);
}

void SimNode::WorkerLoop() {
  while (std::optional<std::string> key = queue_.Get()) {
    Handle(*key);
    queue_.Done(*key);
    std::lock_guard<std::mutex> lock(idle_mu_);
    idle_cv_.notify_all();
  }
}

void SimNode::Handle(const std::string& key) {
  Outcome outcome = key == kNodeKey ? SyncNode() : SyncPod(key);
  if (outcome.retry) {
    queue_.AddAfter(key, NextRetry(key));
    return;
  }
  ForgetFailures(key);
  if (outcome.after) queue_.AddAfter(key, *outcome.after);
}

Clock::Duration SimNode::NextRetry(const std::string& key) {
  kube::MutexLock lock(retry_mu_);
  int failures = std::min(++failures_[key], 14);
  return std::min<Clock::Duration>(std::chrono::milliseconds(5) * (1 << (failures - 1)),
                                   std::chrono::seconds(30));
}

void SimNode::ForgetFailures(const std::string& key) {
  kube::MutexLock lock(retry_mu_);
  failures_.erase(key);
}

SimNode::Outcome SimNode::SyncNode() {
  uint64_t before = registration_.writes();
  StatusOr<Clock::Duration> next = registration_.Sync(node_lost());
  node_writes_.fetch_add(registration_.writes() - before);
  if (!next.ok()) {
    OSBX_LOG_WARN("simulated node: node sync failed", {"error", next.status().ToString()});
    return Failed(next.status());
  }
  return Outcome{false, *next};
}

SimNodeMetrics SimNode::Metrics() const {
  SimNodeMetrics m;
  m.pods_bound = counters_.pods_bound.load();
  m.pods_started = counters_.pods_started.load();
  m.pods_deleted = counters_.pods_deleted.load();
  m.bind_writes = counters_.bind_writes.load();
  m.status_writes = counters_.status_writes.load();
  m.delete_writes = counters_.delete_writes.load();
  m.node_writes = node_writes_.load();
  m.conflicts = counters_.conflicts.load();
  m.errors = counters_.errors.load();
  {
    kube::MutexLock lock(entries_mu_);
    m.pods_tracked = entries_.size();
  }
  return m;
}

bool SimNode::WaitForIdle(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock(idle_mu_);
  while (true) {
    // Ready keys first: a key moves from ready to held under the queue's lock, so reading the
    // ready count before the held count never misses a key in between.
    if (queue_.Len() == 0 && in_flight_.count.load() == 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Keys that become ready without a worker finishing do not signal the condition variable,
    // so the queue is re-checked every few milliseconds as well.
    idle_cv_.wait_for(lock, std::chrono::milliseconds(2));
  }
}

}  // namespace osbx::standalone
