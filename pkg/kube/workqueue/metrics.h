#pragma once
// Observation hooks of a work queue. The queue reports what happens to it through this interface
// and knows nothing about Prometheus; the runtime implements it to export controller-runtime's
// metric names (label `name` = the queue's name):
//   workqueue_depth, workqueue_adds_total, workqueue_queue_duration_seconds,
//   workqueue_work_duration_seconds, workqueue_retries_total,
//   workqueue_unfinished_work_seconds, workqueue_longest_running_processor_seconds.

#include <chrono>
#include <cstddef>

namespace osbx::kube {

class WorkQueueMetrics {
 public:
  using Duration = std::chrono::steady_clock::duration;

  virtual ~WorkQueueMetrics() = default;
  // A key became ready (workqueue_adds_total); `depth` is the queue length afterwards.
  virtual void OnAdd(size_t depth) = 0;
  // A worker took a key that waited `queued` since it became ready
  // (workqueue_queue_duration_seconds); `depth` is the queue length afterwards.
  virtual void OnGet(Duration queued, size_t depth) = 0;
  // A worker finished a key it held for `worked` (workqueue_work_duration_seconds).
  virtual void OnDone(Duration worked) = 0;
  // A key was re-added through the rate limiter (workqueue_retries_total).
  virtual void OnRetry() = 0;
  // Reported by WorkQueue::ReportUnfinishedWork(): the summed and the longest time that keys
  // currently held by workers have been processing (workqueue_unfinished_work_seconds and
  // workqueue_longest_running_processor_seconds).
  virtual void OnUnfinishedWork(Duration total, Duration longest) = 0;
};

}  // namespace osbx::kube
