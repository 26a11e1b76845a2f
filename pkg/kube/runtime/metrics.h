#pragma once
// Prometheus metrics of the controller runtime, under controller-runtime's names so that
// existing dashboards and alerts work unchanged:
//   controller_runtime_reconcile_total{controller,result}, ..._reconcile_errors_total,
//   ..._terminal_reconcile_errors_total, ..._reconcile_panics_total,
//   ..._reconcile_time_seconds, ..._active_workers, ..._max_concurrent_reconciles;
//   workqueue_{depth,adds_total,queue_duration_seconds,work_duration_seconds,retries_total,
//   unfinished_work_seconds,longest_running_processor_seconds}{name};
//   rest_client_requests_total{code,method,host}, rest_client_request_duration_seconds{verb,host};
//   leader_election_master_status{name}.
// One process-wide registry (Metrics::Global()) is served on /metrics; tests build their own.
// Per-controller and per-queue handles resolve their label sets once, so the hot path is a few
// atomic adds.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <string_view>

#include "internal/utils/clock.h"
#include "pkg/kube/workqueue/metrics.h"

namespace osbx::kube {

// The metric families, registered in one registry.
class Metrics {
 public:
  Metrics();
  // The process-wide instance served on /metrics.
  static Metrics& Global();

  prometheus::Registry& registry() { return *registry_; }
  // The registry in Prometheus text exposition format (version 0.0.4).
  std::string Serialize() const;

  // Counts one REST call (the REST client's request observer forwards here).
  void ObserveRestRequest(std::string_view method, std::string_view host, int code,
                          Clock::Duration latency);
  // 1 while this process leads the named election, else 0.
  void SetLeaderStatus(std::string_view election, bool leading);

 private:
  // Declared before the families, which are registered in it during construction.
  std::shared_ptr<prometheus::Registry> registry_;

 public:
  // Families, public for the handles below and for tests that read values.
  prometheus::Family<prometheus::Counter>& reconcile_total;
  prometheus::Family<prometheus::Counter>& reconcile_errors;
  prometheus::Family<prometheus::Counter>& terminal_errors;
  prometheus::Family<prometheus::Counter>& reconcile_panics;
  prometheus::Family<prometheus::Histogram>& reconcile_time;
  prometheus::Family<prometheus::Gauge>& active_workers;
  prometheus::Family<prometheus::Gauge>& max_concurrent;
  prometheus::Family<prometheus::Gauge>& queue_depth;
  prometheus::Family<prometheus::Counter>& queue_adds;
  prometheus::Family<prometheus::Histogram>& queue_latency;
  prometheus::Family<prometheus::Histogram>& work_duration;
  prometheus::Family<prometheus::Counter>& queue_retries;
  prometheus::Family<prometheus::Gauge>& unfinished_work;
  prometheus::Family<prometheus::Gauge>& longest_running;
  prometheus::Family<prometheus::Counter>& rest_requests;
  prometheus::Family<prometheus::Histogram>& rest_latency;
  prometheus::Family<prometheus::Gauge>& leader_status;
};

// How one reconcile ended, as the `result` label of controller_runtime_reconcile_total.
enum class ReconcileOutcome { kSuccess, kError, kRequeue, kRequeueAfter };

// The metrics of one controller (label controller=<name>).
class ControllerMetrics {
 public:
  ControllerMetrics(Metrics& metrics, const std::string& controller);

  void ObserveReconcile(ReconcileOutcome outcome, Clock::Duration took);
  // A retried error; terminal errors are counted in both totals but not retried.
  void CountError(bool terminal);
  // A reconciler that threw (controller-runtime's recovered panic).
  void CountPanic() { panics_.Increment(); }
  void WorkerStarted() { active_.Increment(); }
  void WorkerFinished() { active_.Decrement(); }
  void SetMaxConcurrent(int n) { max_concurrent_.Set(n); }

 private:
  prometheus::Counter& success_;
  prometheus::Counter& error_;
  prometheus::Counter& requeue_;
  prometheus::Counter& requeue_after_;
  prometheus::Counter& errors_;
  prometheus::Counter& terminal_;
  prometheus::Counter& panics_;
  prometheus::Histogram& time_;
  prometheus::Gauge& active_;
  prometheus::Gauge& max_concurrent_;
};

// Exports a work queue's observations as workqueue_*{name=<queue name>}.
class QueueMetrics final : public WorkQueueMetrics {
 public:
  QueueMetrics(Metrics& metrics, const std::string& name);

  void OnAdd(size_t depth) override;
  void OnGet(Duration queued, size_t depth) override;
  void OnDone(Duration worked) override;
  void OnRetry() override { retries_.Increment(); }
  void OnUnfinishedWork(Duration total, Duration longest) override;

 private:
  prometheus::Gauge& depth_;
  prometheus::Counter& adds_;
  prometheus::Histogram& latency_;
  prometheus::Histogram& work_;
  prometheus::Counter& retries_;
  prometheus::Gauge& unfinished_;
  prometheus::Gauge& longest_;
};

}  // namespace osbx::kube
