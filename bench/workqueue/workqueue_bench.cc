// Work queue throughput: add/get/done cycles per second (target > 1,000,000/s), with and without
// a metrics observer, with de-duplicated adds, and with two threads sharing the queue.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/workqueue/bench_report.h"
#include "pkg/kube/workqueue/queue.h"

namespace osbx::kube {
namespace {

std::vector<std::string> Keys(size_t n, const std::string& prefix = "sandbox-ns/pod-") {
  std::vector<std::string> keys;
  for (size_t i = 0; i < n; ++i) {
    std::string key = prefix;
    key += std::to_string(i);
    keys.push_back(std::move(key));
  }
  return keys;
}

class NoopMetrics : public WorkQueueMetrics {
 public:
  void OnAdd(size_t) override {}
  void OnGet(Duration, size_t) override {}
  void OnDone(Duration) override {}
  void OnRetry() override {}
  void OnUnfinishedWork(Duration, Duration) override {}
};

// One cycle: Add a key, Get it, Done it. 1,000 distinct keys.
void RunCycles(benchmark::State& state, WorkQueue& q) {
  const std::vector<std::string> keys = Keys(1000);
  size_t i = 0;
  for (auto _ : state) {
    q.Add(keys[i++ % keys.size()]);
    std::optional<std::string> key = q.Get();
    q.Done(*key);
    benchmark::DoNotOptimize(key);
  }
  state.counters["cycles_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_AddGetDone(benchmark::State& state) {
  WorkQueue q;
  RunCycles(state, q);
}
BENCHMARK(BM_AddGetDone)->UseRealTime()->Repetitions(5)->ReportAggregatesOnly(true);

void BM_AddGetDoneWithMetrics(benchmark::State& state) {
  NoopMetrics metrics;
  WorkQueue::Options options;
  options.metrics = &metrics;
  WorkQueue q(options);
  RunCycles(state, q);
}
BENCHMARK(BM_AddGetDoneWithMetrics)->UseRealTime()->Repetitions(5)->ReportAggregatesOnly(true);

// 8 adds of the same key (7 de-duplicated), then one Get/Done.
void BM_DeduplicatedAdds(benchmark::State& state) {
  WorkQueue q;
  const std::vector<std::string> keys = Keys(1000);
  size_t i = 0;
  for (auto _ : state) {
    const std::string& key = keys[i++ % keys.size()];
    for (int a = 0; a < 8; ++a) q.Add(key);
    q.Done(*q.Get());
  }
  state.counters["adds_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 8, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DeduplicatedAdds)->UseRealTime()->Repetitions(5)->ReportAggregatesOnly(true);

// Two threads each cycling their own keys through one shared queue (lock contention).
WorkQueue* shared_queue = nullptr;
void BM_SharedQueueTwoThreads(benchmark::State& state) {
  if (state.thread_index() == 0) shared_queue = new WorkQueue();
  std::string prefix = "t";
  prefix += std::to_string(state.thread_index());
  prefix += "/pod-";
  const std::vector<std::string> keys = Keys(1000, prefix);
  size_t i = 0;
  for (auto _ : state) {
    shared_queue->Add(keys[i++ % keys.size()]);
    std::optional<std::string> key = shared_queue->Get();
    shared_queue->Done(*key);
  }
  state.counters["cycles_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  if (state.thread_index() == 0) {
    delete shared_queue;
    shared_queue = nullptr;
  }
}
BENCHMARK(BM_SharedQueueTwoThreads)
    ->Threads(2)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace
}  // namespace osbx::kube

int main(int argc, char** argv) {
  return osbx::bench::RunAndReport(
      argc, argv, "workqueue", "Work queue: add/get/done cycles",
      {{"BM_AddGetDone", "cycles_per_second", 1e6, true, "add/get/done cycles per second"},
       {"BM_AddGetDoneWithMetrics", "cycles_per_second", 1e6, true,
        "cycles per second with a metrics observer"}},
      "Rates are per wall-clock second. One cycle = Add(key) + Get() + Done(key) on one thread, "
      "1,000 distinct keys. "
      "`BM_SharedQueueTwoThreads` reports the sum over two threads contending for one queue "
      "(a Get there may receive the other thread's key).\n");
}
