#include "pkg/kube/runtime/controller.h"

#include <fmt/format.h>

#include <exception>

#include "internal/utils/log.h"
#include "pkg/kube/cache/object_meta.h"
#include "pkg/kube/meta/object.h"

namespace osbx::kube {
namespace {

std::string_view GroupOf(std::string_view api_version) {
  auto slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
}

Request RequestFor(const Json& obj) {
  return {.ns = std::string(MetaString(obj, "namespace")),
          .name = std::string(MetaString(obj, "name"))};
}

}  // namespace

Controller::Controller(ControllerOptions options, Reconciler& reconciler)
    : name_(std::move(options.name)),
      workers_(std::max(1, options.max_concurrent_reconciles)),
      cache_sync_timeout_(options.cache_sync_timeout),
      unfinished_work_interval_(options.unfinished_work_interval),
      clock_(options.clock != nullptr ? *options.clock : RealClock::Get()),
      reconciler_(reconciler),
      metrics_(options.metrics != nullptr ? *options.metrics : Metrics::Global(), name_),
      queue_metrics_(options.metrics != nullptr ? *options.metrics : Metrics::Global(), name_),
      queue_({.clock = &clock_, .metrics = &queue_metrics_}, std::move(options.rate_limiter)) {}

Controller::~Controller() {
  for (auto& [informer, id] : handlers_) informer->RemoveEventHandler(id);
  queue_.ShutDown();
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  JoinAll();
}

Controller& Controller::For(SharedInformer& informer, GroupKind kind, Predicate predicate) {
  for_kind_ = std::move(kind);
  Watch(
      informer, [this](const Json& obj, bool) { queue_.Add(RequestFor(obj).Key()); },
      std::move(predicate));
  return *this;
}

Controller& Controller::Owns(SharedInformer& informer, Predicate predicate) {
  Watch(
      informer, [this](const Json& obj, bool) { EnqueueOwners(obj); }, std::move(predicate));
  return *this;
}

Controller& Controller::Watches(SharedInformer& informer, MapFunc map, Predicate predicate) {
  Watch(
      informer,
      [this, map = std::move(map)](const Json& obj, bool) {
        for (const Request& r : map(obj)) queue_.Add(r.Key());
      },
      std::move(predicate));
  return *this;
}

void Controller::Watch(SharedInformer& informer, std::function<void(const Json&, bool)> enqueue,
                       Predicate predicate) {
  EventHandler handler{
      .on_add = [enqueue](const ObjectPtr& obj) { enqueue(*obj, false); },
      // Both states: an owner reference may have changed between them.
      .on_update =
          [enqueue](const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
            if (old_obj != nullptr && old_obj != new_obj) enqueue(*old_obj, true);
            enqueue(*new_obj, false);
          },
      .on_delete = [enqueue](const ObjectPtr& obj, bool) { enqueue(*obj, false); },
  };
  handlers_.emplace_back(&informer,
                         informer.AddEventHandler(std::move(handler), std::move(predicate)));
}

void Controller::EnqueueOwners(const Json& obj) {
  if (!for_kind_) return;
  std::optional<OwnerReference> owner = GetControllerOf(obj);
  if (!owner || owner->name.empty() || owner->kind != for_kind_->kind ||
      GroupOf(owner->api_version) != for_kind_->group) {
    return;
  }
  queue_.Add(Request{.ns = std::string(MetaString(obj, "namespace")), .name = owner->name}.Key());
}

Status Controller::Start() {
  {
    MutexLock lock(mu_);
    if (started_) return InternalError("controller " + name_ + " started twice");
    started_ = true;
  }
  const Clock::TimePoint deadline = clock_.Now() + cache_sync_timeout_;
  for (auto& [informer, id] : handlers_) {
    if (!informer->WaitForSync(deadline)) {
      return UnavailableError(
          fmt::format("controller {}: timed out waiting for caches to sync", name_));
    }
  }
  metrics_.SetMaxConcurrent(workers_);
  MutexLock lock(mu_);
  if (stopping_) return Status::Ok();
  OSBX_LOG_INFO("starting workers", {"controller", name_},
                {"worker count", std::to_string(workers_)});
  for (int i = 0; i < workers_; ++i) {
    ++running_workers_;
    threads_.emplace_back([this] { WorkerLoop(); });
  }
  if (unfinished_work_interval_ > Clock::Duration::zero()) {
    threads_.emplace_back([this] { TickerLoop(); });
  }
  return Status::Ok();
}

bool Controller::Stop(Clock::TimePoint deadline) {
  queue_.ShutDown();
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
    while (running_workers_ > 0 && clock_.Now() < deadline) {
      clock_.WaitUntil(cv_, lock.lock(), deadline);
    }
    if (running_workers_ > 0) {
      OSBX_LOG_WARN("workers did not finish in time", {"controller", name_},
                    {"running", std::to_string(running_workers_)});
      return false;
    }
  }
  JoinAll();
  OSBX_LOG_INFO("all workers finished", {"controller", name_});
  return true;
}

void Controller::JoinAll() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Controller::WorkerLoop() {
  while (auto key = queue_.Get()) {
    ProcessKey(*key);
    queue_.Done(*key);
  }
  WorkerExited();
}

void Controller::WorkerExited() {
  MutexLock lock(mu_);
  --running_workers_;
  cv_.notify_all();
}

void Controller::ProcessKey(const std::string& key) {
  metrics_.WorkerStarted();
  const Clock::TimePoint start = clock_.Now();
  StatusOr<Result> result = InternalError("reconcile did not run");
  bool panicked = false;
  try {
    result = reconciler_.Reconcile(Request::FromKey(key));
  } catch (const std::exception& e) {
    panicked = true;
    result = InternalError(fmt::format("reconciler threw: {}", e.what()));
  } catch (...) {
    panicked = true;
    result = InternalError("reconciler threw a non-standard exception");
  }
  const Clock::Duration took = clock_.Now() - start;
  if (panicked) metrics_.CountPanic();
  if (!result.ok()) {
    const bool terminal = IsTerminalError(result.status());
    metrics_.CountError(terminal);
    metrics_.ObserveReconcile(ReconcileOutcome::kError, took);
    if (!terminal) queue_.AddRateLimited(key);
    OSBX_LOG_ERROR("reconciler error", {"controller", name_}, {"object", key},
                   {"error", result.status().ToString()},
                   {"retry", terminal ? "no (terminal)" : "with backoff"});
  } else if (result->requeue_after > Clock::Duration::zero()) {
    queue_.Forget(key);
    queue_.AddAfter(key, result->requeue_after);
    metrics_.ObserveReconcile(ReconcileOutcome::kRequeueAfter, took);
  } else if (result->requeue) {
    queue_.AddRateLimited(key);
    metrics_.ObserveReconcile(ReconcileOutcome::kRequeue, took);
  } else {
    queue_.Forget(key);
    metrics_.ObserveReconcile(ReconcileOutcome::kSuccess, took);
  }
  metrics_.WorkerFinished();
}

void Controller::TickerLoop() {
  while (true) {
    {
      MutexLock lock(mu_);
      const Clock::TimePoint next = clock_.Now() + unfinished_work_interval_;
      while (!stopping_ && clock_.Now() < next) clock_.WaitUntil(cv_, lock.lock(), next);
      if (stopping_) return;
    }
    queue_.ReportUnfinishedWork();
  }
}

}  // namespace osbx::kube
