#include "bench/delivery/watchers.h"

#include "api/v1alpha1/well_known.h"
#include "pkg/kube/meta/object.h"

namespace osbx::bench {
namespace {

namespace v1 = ::osbx::api::v1alpha1;

const kube::ResourceRef kBatches{"sandbox.opensandbox.io", "v1alpha1", "batchsandboxes",
                                 "BatchSandbox", true};
const kube::ResourceRef kPods{"", "v1", "pods", "Pod", true};

int64_t Replicas(const Json& batch) {
  auto spec = batch.find("spec");
  if (spec == batch.end() || !spec->is_object()) return 1;
  return spec->value("replicas", int64_t{1});
}

bool PodReady(const Json& pod) {
  if (kube::IsBeingDeleted(pod)) return false;
  const Json* conditions = nullptr;
  auto status = pod.find("status");
  if (status != pod.end() && status->is_object()) {
    auto c = status->find("conditions");
    if (c != status->end() && c->is_array()) conditions = &*c;
  }
  if (conditions == nullptr) return false;
  for (const Json& c : *conditions) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

// Opens a watch of `resource` from the resourceVersion of a fresh list.
StatusOr<std::unique_ptr<kube::WatchHandle>> ListThenWatch(
    kube::RestClient& client, const kube::ResourceRef& resource, const std::string& ns,
    kube::ListOptions options, std::function<void(kube::WatchEvent&&)> on_event) {
  options.limit = 1;
  OSBX_ASSIGN_OR_RETURN(kube::ListResult list, client.List(resource, ns, options));
  options.limit = 0;
  options.resource_version = list.resource_version;
  kube::WatchCallbacks callbacks;
  callbacks.on_event = std::move(on_event);
  callbacks.on_close = [](const Status&) {};
  return client.Watch(resource, ns, options, std::move(callbacks));
}

}  // namespace

bool EndpointsComplete(const Json& batch) {
  auto text = kube::GetAnnotation(batch, v1::kEndpointsAnnotation);
  if (!text) return false;
  Json endpoints = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!endpoints.is_array()) return false;
  if (static_cast<int64_t>(endpoints.size()) != Replicas(batch)) return false;
  for (const Json& e : endpoints) {
    if (!e.is_string() || e.get_ref<const std::string&>().empty()) return false;
  }
  return true;
}

StatusOr<std::unique_ptr<BatchWatcher>> BatchWatcher::Start(kube::RestClient& client,
                                                            const std::string& ns) {
  std::unique_ptr<BatchWatcher> w(new BatchWatcher());
  BatchWatcher* raw = w.get();
  OSBX_ASSIGN_OR_RETURN(w->watch_,
                        ListThenWatch(client, kBatches, ns, {},
                                      [raw](kube::WatchEvent&& e) { raw->OnEvent(std::move(e)); }));
  return w;
}

BatchWatcher::~BatchWatcher() {
  if (watch_) watch_->Stop();
}

void BatchWatcher::OnEvent(kube::WatchEvent&& event) {
  const SteadyTime now = std::chrono::steady_clock::now();
  if (event.type == kube::WatchEventType::kBookmark || event.type == kube::WatchEventType::kError)
    return;
  const std::string name(kube::GetName(event.object));
  std::lock_guard lock(mu_);
  if (event.type == kube::WatchEventType::kDeleted) {
    present_.erase(name);
  } else {
    present_.insert(name);
    if (EndpointsComplete(event.object) && delivered_.emplace(name, now).second) {
      untaken_.push_back(name);
    }
    auto status = event.object.find("status");
    if (status != event.object.end() && status->is_object() &&
        status->value("ready", int64_t{-1}) == Replicas(event.object)) {
      status_ready_.insert(name);
    }
  }
  cv_.notify_all();
}

std::optional<SteadyTime> BatchWatcher::WaitDelivered(const std::string& name,
                                                      std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return delivered_.count(name) != 0; })) {
    return std::nullopt;
  }
  return delivered_[name];
}

bool BatchWatcher::WaitStatusReady(const std::string& name, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return status_ready_.count(name) != 0; });
}

bool BatchWatcher::WaitGone(const std::string& name, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return present_.count(name) == 0; });
}

std::string BatchWatcher::TakeDelivered(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return !untaken_.empty(); })) return "";
  std::string name = std::move(untaken_.front());
  untaken_.pop_front();
  return name;
}

size_t BatchWatcher::DeliveredCount() {
  std::lock_guard lock(mu_);
  return delivered_.size();
}

void BatchWatcher::Forget(const std::string& name) {
  std::lock_guard lock(mu_);
  delivered_.erase(name);
  status_ready_.erase(name);
}

StatusOr<std::unique_ptr<ReadyPodCounter>> ReadyPodCounter::Start(
    kube::RestClient& client, const std::string& ns, const std::string& label_selector) {
  std::unique_ptr<ReadyPodCounter> c(new ReadyPodCounter());
  ReadyPodCounter* raw = c.get();
  kube::ListOptions options;
  options.label_selector = label_selector;
  OSBX_ASSIGN_OR_RETURN(c->watch_,
                        ListThenWatch(client, kPods, ns, options,
                                      [raw](kube::WatchEvent&& e) { raw->OnEvent(std::move(e)); }));
  return c;
}

ReadyPodCounter::~ReadyPodCounter() {
  if (watch_) watch_->Stop();
}

void ReadyPodCounter::OnEvent(kube::WatchEvent&& event) {
  const SteadyTime now = std::chrono::steady_clock::now();
  if (event.type == kube::WatchEventType::kBookmark || event.type == kube::WatchEventType::kError)
    return;
  const std::string name(kube::GetName(event.object));
  std::lock_guard lock(mu_);
  if (seen_.insert(name).second) seen_at_.emplace(seen_.size(), now);
  if (event.type == kube::WatchEventType::kDeleted) {
    present_.erase(name);
  } else {
    present_.insert(name);
  }
  if (event.type != kube::WatchEventType::kDeleted && PodReady(event.object)) {
    ready_.insert(name);
    reached_.emplace(ready_.size(), now);
  } else {
    ready_.erase(name);
  }
  cv_.notify_all();
}

std::optional<SteadyTime> ReadyPodCounter::WaitReady(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return reached_.count(n) != 0; })) return std::nullopt;
  return reached_[n];
}

std::optional<SteadyTime> ReadyPodCounter::SeenAt(size_t n) {
  std::lock_guard lock(mu_);
  auto it = seen_at_.find(n);
  if (it == seen_at_.end()) return std::nullopt;
  return it->second;
}

size_t ReadyPodCounter::present() {
  std::lock_guard lock(mu_);
  return present_.size();
}

size_t ReadyPodCounter::ready() {
  std::lock_guard lock(mu_);
  return ready_.size();
}

}  // namespace osbx::bench
