// Manager::Run: the start-up and shutdown sequence.
#include <fmt/format.h>

#include "internal/utils/log.h"
#include "pkg/http/router.h"
#include "pkg/kube/runtime/manager.h"

namespace osbx::kube {
namespace {

using std::chrono::milliseconds;

// How often a wait for cache sync looks for a stop request.
constexpr auto kSyncPollInterval = milliseconds(100);

}  // namespace

Status Manager::Run() {
  {
    MutexLock lock(mu_);
    if (phase_ != Phase::kNew) return InternalError("Manager::Run called twice");
    phase_ = Phase::kStarting;
  }
  Status status = StartServers();
  if (status.ok()) status = StartCaches();
  if (status.ok()) status = StartGroup(/*leader_only=*/false);
  if (status.ok()) {
    MutexLock lock(mu_);
    phase_ = Phase::kRunning;
    cv_.notify_all();
  }
  if (status.ok()) status = StartLeaderElection();
  if (status.ok()) status = WaitForStopOrFailure();
  return Shutdown(status);
}

Status Manager::StartServer(const std::string& address, const std::string& what,
                            http::Handler handler, std::unique_ptr<http::Server>& server,
                            std::atomic<uint16_t>& port) {
  OSBX_ASSIGN_OR_RETURN(auto bind, ParseBindAddress(address));
  if (!bind) return Status::Ok();
  http::ServerOptions options;
  options.bind_address = bind->first;
  options.port = bind->second;
  options.threads = 1;
  server = std::make_unique<http::Server>(options, std::move(handler));
  Status started = server->Start();
  if (!started.ok()) {
    return Status(started.code(),
                  fmt::format("starting {} server on {}: {}", what, address, started.message()));
  }
  port = server->port();
  OSBX_LOG_INFO("serving", {"server", what}, {"address", server->url()});
  return Status::Ok();
}

Status Manager::StartServers() {
  http::Router metrics_router;
  metrics_router.Handle("/metrics", [this](const http::Request&, http::ResponseWriter& w) {
    http::SendText(w, 200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Serialize());
  });
  OSBX_RETURN_IF_ERROR(StartServer(options_.metrics_bind_address, "metrics",
                                   metrics_router.ToHandler(), metrics_server_, metrics_port_));
  http::Router health_router;
  for (HealthChecks* checks : {&healthz_, &readyz_}) {
    http::Handler serve = [checks](const http::Request& r, http::ResponseWriter& w) {
      HealthResponse answer = checks->Serve(r.path, r.raw_query);
      http::SendText(w, answer.code, "text/plain; charset=utf-8", std::move(answer.body));
    };
    health_router.Handle("/" + checks->endpoint(), serve);
    health_router.HandlePrefix("/" + checks->endpoint() + "/", serve);
  }
  return StartServer(options_.health_probe_bind_address, "health probe", health_router.ToHandler(),
                     health_server_, health_port_);
}

Status Manager::StartCaches() {
  std::vector<SharedInformer*> informers;
  {
    MutexLock lock(mu_);
    caches_started_ = true;
    for (auto& [key, entry] : informers_) informers.push_back(entry.informer.get());
  }
  for (SharedInformer* informer : informers) informer->Run();
  const Clock::TimePoint deadline = clock_.Now() + options_.cache_sync_timeout;
  for (SharedInformer* informer : informers) {
    while (!informer->WaitForSync(std::min(deadline, clock_.Now() + kSyncPollInterval))) {
      MutexLock lock(mu_);
      if (stop_requested_) return {StatusCode::kCancelled, "stopped while caches were syncing"};
      if (clock_.Now() >= deadline) return UnavailableError("timed out waiting for caches to sync");
    }
  }
  OSBX_LOG_INFO("caches synced", {"informers", std::to_string(informers.size())});
  return Status::Ok();
}

Status Manager::StartGroup(bool leader_only) {
  std::vector<Runnable*> group;
  {
    MutexLock lock(mu_);
    for (auto& r : runnables_) {
      if (r->NeedLeaderElection() == leader_only) group.push_back(r.get());
    }
  }
  for (Runnable* r : group) {
    OSBX_LOG_INFO("starting runnable", {"runnable", r->name()});
    Status s = r->Start();
    if (!s.ok()) return Status(s.code(), fmt::format("starting {}: {}", r->name(), s.message()));
    MutexLock lock(mu_);
    started_.push_back(r);
  }
  return Status::Ok();
}

Status Manager::StartLeaderElection() {
  if (!options_.leader_election) {
    leading_ = true;
    OSBX_RETURN_IF_ERROR(StartGroup(/*leader_only=*/true));
    OSBX_LOG_INFO("leader-only runnables started", {"leader election", "off"});
    MutexLock lock(mu_);
    all_started_ = true;
    cv_.notify_all();
    return Status::Ok();
  }
  const std::string& id = options_.leader_election_id;
  metrics_.SetLeaderStatus(id, false);
  LeaderCallbacks callbacks{
      .on_started_leading =
          [this, id] {
            leading_ = true;
            metrics_.SetLeaderStatus(id, true);
            MutexLock lock(mu_);
            became_leader_ = true;
            cv_.notify_all();
          },
      .on_stopped_leading =
          [this, id] {
            leading_ = false;
            metrics_.SetLeaderStatus(id, false);
            MutexLock lock(mu_);
            if (phase_ < Phase::kStopping && !failure_) {
              lease_lost_ = true;
              failure_ = UnavailableError("leader election lost");
            }
            cv_.notify_all();
          },
      .on_new_leader =
          [id](const std::string& holder) {
            OSBX_LOG_INFO("new leader observed", {"lease", id}, {"holder", holder});
          },
  };
  OSBX_ASSIGN_OR_RETURN(
      elector_,
      LeaderElector::Create({.lease_namespace = options_.leader_election_namespace,
                             .lease_name = id,
                             .identity = options_.leader_election_identity,
                             .lease_duration = options_.lease_duration,
                             .renew_deadline = options_.renew_deadline,
                             .retry_period = options_.retry_period,
                             .release_on_cancel = options_.leader_election_release_on_cancel},
                            client_.Leases(), clock_, std::move(callbacks)));
  elector_thread_ = std::thread([this] { elector_result_ = elector_->Run(); });
  return Status::Ok();
}

Status Manager::WaitForStopOrFailure() {
  while (true) {
    {
      MutexLock lock(mu_);
      while (!stop_requested_ && !failure_ && !(became_leader_ && !all_started_)) {
        cv_.wait(lock.lock());
      }
      if (failure_) return *failure_;
      if (stop_requested_) return Status::Ok();
    }
    OSBX_RETURN_IF_ERROR(StartGroup(/*leader_only=*/true));
    OSBX_LOG_INFO("leader-only runnables started", {"leader election", "won"});
    MutexLock lock(mu_);
    all_started_ = true;
    cv_.notify_all();
  }
}

Status Manager::Shutdown(Status cause) {
  Clock::TimePoint deadline;
  {
    MutexLock lock(mu_);
    phase_ = Phase::kStopping;
    cv_.notify_all();
    // After a lost lease another instance may already lead: stop at once, no grace.
    deadline =
        clock_.Now() + (lease_lost_ ? Clock::Duration::zero() : options_.graceful_shutdown_timeout);
  }
  if (!cause.ok()) OSBX_LOG_ERROR("manager stopping", {"cause", cause.ToString()});
  bool in_time = StopGroup(/*leader_only=*/true, deadline);
  in_time = StopGroup(/*leader_only=*/false, deadline) && in_time;
  {
    MutexLock lock(mu_);
    for (auto& [key, entry] : informers_) entry.informer->Stop();
    if (recorder_) recorder_->Stop();
  }
  if (elector_thread_.joinable()) {
    elector_->Stop();  // releases the lease when configured and still held
    elector_thread_.join();
  }
  if (metrics_server_) metrics_server_->Stop();
  if (health_server_) health_server_->Stop();
  {
    MutexLock lock(mu_);
    phase_ = Phase::kDone;
    cv_.notify_all();
  }
  if (!cause.ok()) return cause;
  if (!in_time) return {StatusCode::kServerTimeout, "graceful shutdown timed out"};
  OSBX_LOG_INFO("manager stopped");
  return Status::Ok();
}

bool Manager::StopGroup(bool leader_only, Clock::TimePoint deadline) {
  std::vector<Runnable*> group;
  {
    MutexLock lock(mu_);
    for (auto it = started_.rbegin(); it != started_.rend(); ++it) {
      if ((*it)->NeedLeaderElection() == leader_only) group.push_back(*it);
    }
  }
  bool in_time = true;
  for (Runnable* r : group) {
    if (!r->Stop(deadline)) {
      OSBX_LOG_WARN("runnable did not stop in time", {"runnable", r->name()});
      in_time = false;
    }
  }
  return in_time;
}

}  // namespace osbx::kube
