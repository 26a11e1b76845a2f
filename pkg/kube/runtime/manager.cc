#include "pkg/kube/runtime/manager.h"

#include "pkg/kube/cache/transform.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <random>

#include "internal/utils/log.h"
#include "pkg/http/router.h"

namespace osbx::kube {
namespace {

using std::chrono::milliseconds;

// Runs a Controller as a leader-only runnable.
class ControllerRunnable final : public Runnable {
 public:
  explicit ControllerRunnable(std::unique_ptr<Controller> controller)
      : controller_(std::move(controller)) {}
  Status Start() override { return controller_->Start(); }
  bool Stop(Clock::TimePoint deadline) override { return controller_->Stop(deadline); }
  std::string name() const override { return "controller/" + controller_->name(); }
  Controller& controller() { return *controller_; }

 private:
  std::unique_ptr<Controller> controller_;
};

std::string DefaultIdentity() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::random_device rd;
  return fmt::format("{}_{:08x}{:08x}", host[0] != '\0' ? host : "unknown", rd(), rd());
}

std::string InformerKey(const ResourceRef& r, const std::string& ns) {
  return fmt::format("{}/{}@{}", r.ApiVersion(), r.resource, ns);
}

}  // namespace

StatusOr<std::optional<std::pair<std::string, uint16_t>>> ParseBindAddress(
    const std::string& address) {
  using Bind = std::optional<std::pair<std::string, uint16_t>>;
  if (address.empty() || address == "0") return Bind();
  auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    return InvalidError(fmt::format("bind address \"{}\" is not host:port", address));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  std::string_view port_text(address.data() + colon + 1, address.size() - colon - 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
      port > 65535) {
    return InvalidError(fmt::format("bind address \"{}\" has an invalid port", address));
  }
  return Bind(std::make_pair(host, static_cast<uint16_t>(port)));
}

StatusOr<std::unique_ptr<Manager>> Manager::Create(ManagerOptions options, ClusterClient& client) {
  OSBX_RETURN_IF_ERROR(ParseBindAddress(options.metrics_bind_address).status());
  OSBX_RETURN_IF_ERROR(ParseBindAddress(options.health_probe_bind_address).status());
  if (options.leader_election_identity.empty())
    options.leader_election_identity = DefaultIdentity();
  if (options.leader_election) {
    OSBX_RETURN_IF_ERROR(ValidateLeaderElectionConfig({
        .lease_namespace = options.leader_election_namespace,
        .lease_name = options.leader_election_id,
        .identity = options.leader_election_identity,
        .lease_duration = options.lease_duration,
        .renew_deadline = options.renew_deadline,
        .retry_period = options.retry_period,
        .release_on_cancel = options.leader_election_release_on_cancel,
    }));
  }
  return std::unique_ptr<Manager>(new Manager(std::move(options), client));
}

Manager::Manager(ManagerOptions options, ClusterClient& client)
    : options_(std::move(options)),
      client_(client),
      clock_(options_.clock != nullptr ? *options_.clock : RealClock::Get()),
      metrics_(options_.metrics != nullptr ? *options_.metrics : Metrics::Global()) {
  healthz_.Add("ping", &HealthChecks::Ping);
  readyz_.Add("ping", &HealthChecks::Ping);
  readyz_.Add("informer-sync", [this] { return InformersSynced(); });
}

Manager::~Manager() {
  Stop();
  if (elector_thread_.joinable()) {
    elector_->Stop();
    elector_thread_.join();
  }
  // Runnables (and their worker threads) go before the informers they read.
  runnables_.clear();
  recorder_.reset();
  for (auto& [key, entry] : informers_) entry.informer->Stop();
}

SharedInformer& Manager::GetInformer(const ResourceRef& resource, const std::string& ns) {
  return **GetInformer(resource, ns, nullptr);  // never fails without a customization
}

StatusOr<SharedInformer*> Manager::GetInformer(
    const ResourceRef& resource, const std::string& ns,
    const std::function<void(InformerOptions&)>& customize) {
  MutexLock lock(mu_);
  auto [it, inserted] = informers_.try_emplace(InformerKey(resource, ns));
  InformerEntry& entry = it->second;
  if (!inserted) {
    if (customize) {
      return InternalError("the informer for " + resource.resource +
                           " exists already and cannot be customized");
    }
    return entry.informer.get();
  }
  entry.lister_watcher = client_.NewListerWatcher(resource, ns);
  // Unless the manager was given a projection or a transform, each resource is cached through
  // the projection that keeps only what controllers read (pods: the cache contract, under
  // 4 KiB instead of ~22 KiB each), decoded straight from the watch bytes.
  InformerOptions informer_options = options_.informer_options;
  if (customize) customize(informer_options);
  if (!informer_options.projection && !informer_options.transform) {
    informer_options.projection = DefaultProjectionFor(resource);
  }
  entry.informer =
      std::make_unique<SharedInformer>(*entry.lister_watcher, clock_, informer_options);
  if (caches_started_) entry.informer->Run();
  return entry.informer.get();
}

Controller& Manager::NewController(ControllerOptions options, Reconciler& reconciler) {
  if (options.clock == nullptr) options.clock = &clock_;
  if (options.metrics == nullptr) options.metrics = &metrics_;
  if (options.cache_sync_timeout > options_.cache_sync_timeout) {
    options.cache_sync_timeout = options_.cache_sync_timeout;
  }
  auto runnable = std::make_unique<ControllerRunnable>(
      std::make_unique<Controller>(std::move(options), reconciler));
  Controller& controller = runnable->controller();
  Add(std::move(runnable));
  return controller;
}

void Manager::Add(std::unique_ptr<Runnable> runnable) {
  MutexLock lock(mu_);
  if (phase_ != Phase::kNew) {
    OSBX_LOG_ERROR("runnable added after the manager started; it will not run",
                   {"runnable", runnable->name()});
  }
  runnables_.push_back(std::move(runnable));
}

EventRecorder& Manager::GetEventRecorder() {
  MutexLock lock(mu_);
  if (!recorder_) {
    EventRecorderOptions options;
    options.component = options_.component;
    options.host = options_.leader_election_identity;
    recorder_ = std::make_unique<EventRecorder>(client_.Events(), clock_, options);
  }
  return *recorder_;
}

void Manager::Stop() {
  MutexLock lock(mu_);
  stop_requested_ = true;
  cv_.notify_all();
}

bool Manager::WaitUntilServing(milliseconds timeout) const { return WaitFor(timeout, false); }
bool Manager::WaitUntilLeading(milliseconds timeout) const { return WaitFor(timeout, true); }

bool Manager::WaitFor(milliseconds timeout, bool leading) const {
  // A real-time bound: callers wait for start-up, not for simulated time.
  const auto until = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(mu_);
  while (phase_ < Phase::kStopping && !(leading ? all_started_ : phase_ == Phase::kRunning)) {
    if (cv_.wait_until(lock.lock(), until) == std::cv_status::timeout) break;
  }
  return phase_ == Phase::kRunning && (!leading || all_started_);
}

Status Manager::InformersSynced() const {
  MutexLock lock(mu_);
  if (!caches_started_) return UnavailableError("caches not started");
  for (const auto& [key, entry] : informers_) {
    if (!entry.informer->HasSynced()) return UnavailableError(key + " not synced");
  }
  return Status::Ok();
}

}  // namespace osbx::kube
