#include "pkg/kube/runtime/metrics.h"

#include <gtest/gtest.h>

namespace osbx::kube {
namespace {

using std::chrono::milliseconds;

TEST(MetricsTest, ExpositionCarriesControllerRuntimeNames) {
  Metrics metrics;
  ControllerMetrics controller(metrics, "pool");
  controller.ObserveReconcile(ReconcileOutcome::kSuccess, milliseconds(3));
  controller.ObserveReconcile(ReconcileOutcome::kError, milliseconds(3));
  controller.CountError(false);
  controller.CountPanic();
  controller.SetMaxConcurrent(4);
  controller.WorkerStarted();
  QueueMetrics queue(metrics, "pool");
  queue.OnAdd(1);
  queue.OnGet(milliseconds(1), 0);
  queue.OnDone(milliseconds(2));
  queue.OnRetry();
  queue.OnUnfinishedWork(milliseconds(5), milliseconds(5));
  metrics.ObserveRestRequest("GET", "10.0.0.1:6443", 200, milliseconds(7));
  metrics.SetLeaderStatus("opensandbox-controller", true);

  std::string text = metrics.Serialize();
  for (const char* needle : {
           "controller_runtime_reconcile_total{controller=\"pool\",result=\"success\"} 1",
           "controller_runtime_reconcile_total{controller=\"pool\",result=\"error\"} 1",
           "controller_runtime_reconcile_total{controller=\"pool\",result=\"requeue_after\"} 0",
           "controller_runtime_reconcile_errors_total{controller=\"pool\"} 1",
           "controller_runtime_terminal_reconcile_errors_total{controller=\"pool\"} 0",
           "controller_runtime_reconcile_panics_total{controller=\"pool\"} 1",
           "controller_runtime_reconcile_time_seconds_bucket{controller=\"pool\",le=\"0.005\"} 2",
           "controller_runtime_active_workers{controller=\"pool\"} 1",
           "controller_runtime_max_concurrent_reconciles{controller=\"pool\"} 4",
           "workqueue_depth{name=\"pool\"} 0",
           "workqueue_adds_total{name=\"pool\"} 1",
           "workqueue_queue_duration_seconds_count{name=\"pool\"} 1",
           "workqueue_work_duration_seconds_count{name=\"pool\"} 1",
           "workqueue_retries_total{name=\"pool\"} 1",
           "workqueue_unfinished_work_seconds{name=\"pool\"} 0.005",
           "workqueue_longest_running_processor_seconds{name=\"pool\"} 0.005",
           "rest_client_requests_total{code=\"200\",host=\"10.0.0.1:6443\",method=\"GET\"} 1",
           "rest_client_request_duration_seconds_count{host=\"10.0.0.1:6443\",verb=\"GET\"} 1",
           "leader_election_master_status{name=\"opensandbox-controller\"} 1",
       }) {
    EXPECT_NE(text.find(needle), std::string::npos) << needle << "\n" << text;
  }
}

TEST(MetricsTest, HandlesForTheSameControllerShareSeries) {
  Metrics metrics;
  ControllerMetrics a(metrics, "pool");
  ControllerMetrics b(metrics, "pool");
  a.CountError(true);
  b.CountError(true);
  std::string text = metrics.Serialize();
  EXPECT_NE(text.find("controller_runtime_terminal_reconcile_errors_total{controller=\"pool\"} 2"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, GlobalRegistryIsOneInstance) {
  EXPECT_EQ(&Metrics::Global(), &Metrics::Global());
}

}  // namespace
}  // namespace osbx::kube
