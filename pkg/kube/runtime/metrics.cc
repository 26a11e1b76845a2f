#include "pkg/kube/runtime/metrics.h"

#include <prometheus/text_serializer.h>

#include <cmath>
#include <vector>

namespace osbx::kube {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

double Seconds(Clock::Duration d) { return std::chrono::duration<double>(d).count(); }

// controller-runtime's reconcile_time_seconds buckets.
const Histogram::BucketBoundaries& ReconcileBuckets() {
  static const Histogram::BucketBoundaries kBuckets = {
      0.005, 0.01, 0.025, 0.05, 0.1,  0.15, 0.2,  0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6,
      0.7,   0.8,  0.9,   1.0,  1.25, 1.5,  1.75, 2.0,  2.5, 3.0,  3.5, 4.0,  4.5, 5,
      6,     7,    8,     9,    10,   15,   20,   25,   30,  40,   50,  60};
  return kBuckets;
}

// Work queue durations: 10 ns to 10^3 s in decades, as controller-runtime exports them.
const Histogram::BucketBoundaries& QueueBuckets() {
  static const Histogram::BucketBoundaries kBuckets = [] {
    Histogram::BucketBoundaries b;
    for (int i = 0; i < 12; ++i) b.push_back(1e-8 * std::pow(10.0, i));
    return b;
  }();
  return kBuckets;
}

// client-go's request latency buckets.
const Histogram::BucketBoundaries& RestBuckets() {
  static const Histogram::BucketBoundaries kBuckets = {0.005, 0.025, 0.1, 0.25, 0.5,  1.0,
                                                       2.0,   4.0,   8.0, 15.0, 30.0, 60.0};
  return kBuckets;
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      reconcile_total(BuildCounter()
                          .Name("controller_runtime_reconcile_total")
                          .Help("Total number of reconciliations per controller")
                          .Register(*registry_)),
      reconcile_errors(BuildCounter()
                           .Name("controller_runtime_reconcile_errors_total")
                           .Help("Total number of reconciliation errors per controller")
                           .Register(*registry_)),
      terminal_errors(BuildCounter()
                          .Name("controller_runtime_terminal_reconcile_errors_total")
                          .Help("Total number of terminal reconciliation errors per controller")
                          .Register(*registry_)),
      reconcile_panics(BuildCounter()
                           .Name("controller_runtime_reconcile_panics_total")
                           .Help("Total number of reconciliation panics per controller")
                           .Register(*registry_)),
      reconcile_time(BuildHistogram()
                         .Name("controller_runtime_reconcile_time_seconds")
                         .Help("Length of time per reconciliation per controller")
                         .Register(*registry_)),
      active_workers(BuildGauge()
                         .Name("controller_runtime_active_workers")
                         .Help("Number of currently used workers per controller")
                         .Register(*registry_)),
      max_concurrent(BuildGauge()
                         .Name("controller_runtime_max_concurrent_reconciles")
                         .Help("Maximum number of concurrent reconciles per controller")
                         .Register(*registry_)),
      queue_depth(BuildGauge()
                      .Name("workqueue_depth")
                      .Help("Current depth of workqueue")
                      .Register(*registry_)),
      queue_adds(BuildCounter()
                     .Name("workqueue_adds_total")
                     .Help("Total number of adds handled by workqueue")
                     .Register(*registry_)),
      queue_latency(BuildHistogram()
                        .Name("workqueue_queue_duration_seconds")
                        .Help("How long in seconds an item stays in workqueue before being "
                              "requested")
                        .Register(*registry_)),
      work_duration(BuildHistogram()
                        .Name("workqueue_work_duration_seconds")
                        .Help("How long in seconds processing an item from workqueue takes")
                        .Register(*registry_)),
      queue_retries(BuildCounter()
                        .Name("workqueue_retries_total")
                        .Help("Total number of retries handled by workqueue")
                        .Register(*registry_)),
      unfinished_work(BuildGauge()
                          .Name("workqueue_unfinished_work_seconds")
                          .Help("How many seconds of work has been done that is in progress and "
                                "hasn't been observed by work_duration")
                          .Register(*registry_)),
      longest_running(BuildGauge()
                          .Name("workqueue_longest_running_processor_seconds")
                          .Help("How many seconds has the longest running processor for "
                                "workqueue been running")
                          .Register(*registry_)),
      rest_requests(BuildCounter()
                        .Name("rest_client_requests_total")
                        .Help("Number of HTTP requests, partitioned by status code, method, "
                              "and host")
                        .Register(*registry_)),
      rest_latency(BuildHistogram()
                       .Name("rest_client_request_duration_seconds")
                       .Help("Request latency in seconds, broken down by verb and host")
                       .Register(*registry_)),
      leader_status(BuildGauge()
                        .Name("leader_election_master_status")
                        .Help("Gauge of if the reporting system is master of the relevant lease, "
                              "0 indicates backup, 1 indicates master")
                        .Register(*registry_)) {}

Metrics& Metrics::Global() {
  static Metrics* metrics = new Metrics();  // never destroyed: worker threads may outlive main
  return *metrics;
}

std::string Metrics::Serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

void Metrics::ObserveRestRequest(std::string_view method, std::string_view host, int code,
                                 Clock::Duration latency) {
  std::string h(host);
  std::string m(method);
  std::string c = code > 0 ? std::to_string(code) : "<error>";
  rest_requests.Add({{"code", c}, {"method", m}, {"host", h}}).Increment();
  rest_latency.Add({{"verb", m}, {"host", h}}, RestBuckets()).Observe(Seconds(latency));
}

void Metrics::SetLeaderStatus(std::string_view election, bool leading) {
  leader_status.Add({{"name", std::string(election)}}).Set(leading ? 1 : 0);
}

ControllerMetrics::ControllerMetrics(Metrics& m, const std::string& controller)
    : success_(m.reconcile_total.Add({{"controller", controller}, {"result", "success"}})),
      error_(m.reconcile_total.Add({{"controller", controller}, {"result", "error"}})),
      requeue_(m.reconcile_total.Add({{"controller", controller}, {"result", "requeue"}})),
      requeue_after_(
          m.reconcile_total.Add({{"controller", controller}, {"result", "requeue_after"}})),
      errors_(m.reconcile_errors.Add({{"controller", controller}})),
      terminal_(m.terminal_errors.Add({{"controller", controller}})),
      panics_(m.reconcile_panics.Add({{"controller", controller}})),
      time_(m.reconcile_time.Add({{"controller", controller}}, ReconcileBuckets())),
      active_(m.active_workers.Add({{"controller", controller}})),
      max_concurrent_(m.max_concurrent.Add({{"controller", controller}})) {}

void ControllerMetrics::ObserveReconcile(ReconcileOutcome outcome, Clock::Duration took) {
  switch (outcome) {
    case ReconcileOutcome::kSuccess:
      success_.Increment();
      break;
    case ReconcileOutcome::kError:
      error_.Increment();
      break;
    case ReconcileOutcome::kRequeue:
      requeue_.Increment();
      break;
    case ReconcileOutcome::kRequeueAfter:
      requeue_after_.Increment();
      break;
  }
  time_.Observe(Seconds(took));
}

void ControllerMetrics::CountError(bool terminal) {
  errors_.Increment();
  if (terminal) terminal_.Increment();
}

QueueMetrics::QueueMetrics(Metrics& m, const std::string& name)
    : depth_(m.queue_depth.Add({{"name", name}})),
      adds_(m.queue_adds.Add({{"name", name}})),
      latency_(m.queue_latency.Add({{"name", name}}, QueueBuckets())),
      work_(m.work_duration.Add({{"name", name}}, QueueBuckets())),
      retries_(m.queue_retries.Add({{"name", name}})),
      unfinished_(m.unfinished_work.Add({{"name", name}})),
      longest_(m.longest_running.Add({{"name", name}})) {}

void QueueMetrics::OnAdd(size_t depth) {
  adds_.Increment();
  depth_.Set(static_cast<double>(depth));
}

void QueueMetrics::OnGet(Duration queued, size_t depth) {
  latency_.Observe(Seconds(queued));
  depth_.Set(static_cast<double>(depth));
}

void QueueMetrics::OnDone(Duration worked) { work_.Observe(Seconds(worked)); }

void QueueMetrics::OnUnfinishedWork(Duration total, Duration longest) {
  unfinished_.Set(Seconds(total));
  longest_.Set(Seconds(longest));
}

}  // namespace osbx::kube
