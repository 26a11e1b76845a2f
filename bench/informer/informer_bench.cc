// Informer hot path: decode pod watch events (bytes as the API server sends them, one JSON line
// per event) and apply them through the Reflector into a SharedInformer whose handler enqueues
// each key in a WorkQueue, as a controller does. Also measures the memory the cache holds per
// pod. The pod is a recording of the project's test cluster (bench/informer/pod.json, see
// README.md there), managedFields included.
//
// Three pipelines: the default informer (whole pod decoded, managedFields skipped, transform
// StripManagedFields), the pod informer of before (whole pod decoded, then TrimPodForCache), and
// the fast path (the decoder builds only PodCacheProjection, TrimPodForCache still runs as the
// informer's transform). Each reports events per wall-clock second and per CPU second of the
// whole process (decoding thread + dispatch thread): the CPU rate is what one core would
// sustain, and the measure that survives a loaded machine.

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sched.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/workqueue/bench_report.h"
#include "pkg/kube/cache/object_meta.h"
#include "pkg/kube/cache/shared_informer.h"
#include "pkg/kube/cache/transform.h"
#include "pkg/kube/cache/watch_event_decoder.h"
#include "pkg/kube/workqueue/queue.h"

namespace osbx::kube {
namespace {

constexpr int kEvents = 100'000;
constexpr int kDistinctPods = 10'000;  // the throughput stream updates each pod 10 times

// CPU seconds used so far by every thread of the process.
double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The decoder of a pipeline: whole objects minus managedFields, or the pod cache projection.
std::unique_ptr<WatchEventDecoder> MakeDecoder(bool project_pods) {
  if (project_pods) return std::make_unique<WatchEventDecoder>(PodCacheProjection());
  return std::make_unique<WatchEventDecoder>();
}

Json LoadPod() {
  std::ifstream in(std::string(OSBX_SOURCE_DIR) + "/bench/informer/pod.json");
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

// A watch event line for copy `i` of the recorded pod (distinct name, uid and resourceVersion).
std::string EventLine(const Json& pod, int i, const char* type) {
  Json copy = pod;
  copy["metadata"]["name"] = "sandbox-pod-" + std::to_string(i);
  copy["metadata"]["uid"] = "eb91246a-82b5-405b-8224-" + std::to_string(100000000000 + i);
  copy["metadata"]["resourceVersion"] = std::to_string(2000 + i);
  return Json{{"type", type}, {"object", std::move(copy)}}.dump();
}

const std::vector<std::string>& StreamLines() {
  static const std::vector<std::string> lines = [] {
    const Json pod = LoadPod();
    std::vector<std::string> out;
    for (int i = 0; i < kDistinctPods; ++i) out.push_back(EventLine(pod, i, "MODIFIED"));
    return out;
  }();
  return lines;
}

// Decodes one watch event line with nlohmann (the straightforward way), for comparison.
WatchEvent NlohmannDecode(const std::string& line) {
  Json doc = Json::parse(line);
  WatchEvent event;
  const std::string& type = doc["type"].get_ref<const std::string&>();
  event.type = type == "ADDED"      ? WatchEventType::kAdded
               : type == "DELETED"  ? WatchEventType::kDeleted
               : type == "BOOKMARK" ? WatchEventType::kBookmark
                                    : WatchEventType::kModified;
  event.object = std::move(doc["object"]);
  return event;
}

// Serves an empty list, then hands the watch callbacks to the benchmark, which plays the server.
class StreamListerWatcher final : public ListerWatcher {
 public:
  StatusOr<ListResult> List(const ListOptions&) override {
    ListResult result;
    result.resource_version = "1";
    return result;
  }
  StatusOr<std::unique_ptr<WatchHandle>> Watch(const ListOptions&, WatchCallbacks cb) override {
    std::lock_guard<std::mutex> lock(mu_);
    callbacks_ = std::move(cb);
    open_ = true;
    cv_.notify_all();
    return std::unique_ptr<WatchHandle>(std::make_unique<NoopHandle>());
  }
  WatchCallbacks& WaitForWatch() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return open_; });
    return callbacks_;
  }
  void Close() {
    WatchCallbacks cb;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cb = callbacks_;
    }
    cb.on_close(Status(StatusCode::kCancelled, "benchmark done"));
  }

 private:
  class NoopHandle final : public WatchHandle {
   public:
    void Stop() override {}
  };
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  WatchCallbacks callbacks_;
};

// An informer fed by the benchmark, with one handler that enqueues keys (and counts them).
struct Pipeline {
  explicit Pipeline(TransformFunc transform,
                    std::chrono::microseconds batch_window = InformerOptions{}.batch_window) {
    InformerOptions options;
    options.transform = std::move(transform);
    options.batch_window = batch_window;
    informer = std::make_unique<SharedInformer>(lw, RealClock::Get(), std::move(options));
    EventHandler handler;
    handler.on_add = [this](const ObjectPtr& obj) { Enqueue(*obj); };
    handler.on_update = [this](const ObjectPtr&, const ObjectPtr& obj) { Enqueue(*obj); };
    informer->AddEventHandler(std::move(handler));
    informer->Run();
    callbacks = &lw.WaitForWatch();
  }
  ~Pipeline() {
    lw.Close();
    informer->Stop();
  }
  void Enqueue(const Json& obj) {
    StatusOr<std::string> key = ObjectKey(obj);
    if (key.ok()) queue.Add(*key);
    if (++handled == target) {
      std::lock_guard<std::mutex> lock(mu);
      cv.notify_all();
    }
  }
  void WaitHandled() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return handled.load() >= target; });
  }

  StreamListerWatcher lw;
  WorkQueue queue;
  std::unique_ptr<SharedInformer> informer;
  WatchCallbacks* callbacks = nullptr;
  std::atomic<int> handled{0};
  int target = kEvents;
  std::mutex mu;
  std::condition_variable cv;
};

// While alive, confines the calling thread, and the threads it starts, to the CPU it runs on.
class OneCore {
 public:
  OneCore() {
    sched_getaffinity(0, sizeof(saved_), &saved_);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    sched_setaffinity(0, sizeof(one), &one);
  }
  ~OneCore() { sched_setaffinity(0, sizeof(saved_), &saved_); }
  OneCore(const OneCore&) = delete;
  OneCore& operator=(const OneCore&) = delete;

 private:
  cpu_set_t saved_{};
};

void RunStream(benchmark::State& state, TransformFunc transform, bool project_pods,
               std::chrono::microseconds batch_window = InformerOptions{}.batch_window,
               bool one_core = false) {
  std::optional<OneCore> pinned;
  if (one_core) pinned.emplace();  // before the pipeline threads start: they inherit it
  const std::vector<std::string>& lines = StreamLines();
  std::unique_ptr<WatchEventDecoder> decoder = MakeDecoder(project_pods);
  size_t bytes = 0;
  double cpu_seconds = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto pipeline = std::make_unique<Pipeline>(transform, batch_window);
    state.ResumeTiming();
    const double cpu_start = ProcessCpuSeconds();
    for (int i = 0; i < kEvents; ++i) {
      const std::string& line = lines[static_cast<size_t>(i % kDistinctPods)];
      bytes += line.size();
      StatusOr<WatchEvent> event = decoder->DecodeEvent(line);
      pipeline->callbacks->on_event(std::move(event).value());
    }
    pipeline->WaitHandled();
    cpu_seconds += ProcessCpuSeconds() - cpu_start;
    state.PauseTiming();
    pipeline.reset();
    state.ResumeTiming();
  }
  const double events = static_cast<double>(state.iterations()) * kEvents;
  state.counters["events_per_second"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["events_per_cpu_second"] = events / cpu_seconds;
  state.counters["cpu_us_per_event"] = cpu_seconds * 1e6 / events;
  state.counters["bytes_per_event"] = static_cast<double>(bytes) / events;
}

void BM_DecodeApplyStripManagedFields(benchmark::State& state) {
  RunStream(state, StripManagedFields, false);
}
BENCHMARK(BM_DecodeApplyStripManagedFields)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

void BM_DecodeApplyTrimPod(benchmark::State& state) { RunStream(state, TrimPodForCache, false); }
BENCHMARK(BM_DecodeApplyTrimPod)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

void BM_DecodeApplyPodProjection(benchmark::State& state) {
  RunStream(state, TrimPodForCache, true);
}
BENCHMARK(BM_DecodeApplyPodProjection)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

// The fast path with the decoding and dispatch threads sharing one core: its wall-clock rate
// is what one core sustains (when nothing else runs on that core).
void BM_DecodeApplyPodProjectionOneCore(benchmark::State& state) {
  RunStream(state, TrimPodForCache, true, InformerOptions{}.batch_window, true);
}
BENCHMARK(BM_DecodeApplyPodProjectionOneCore)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

// The fast path with the dispatch thread woken for every event (no batch window): what the
// window saves.
void BM_DecodeApplyPodProjectionNoBatchWindow(benchmark::State& state) {
  RunStream(state, TrimPodForCache, true, std::chrono::microseconds(0));
}
BENCHMARK(BM_DecodeApplyPodProjectionNoBatchWindow)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);

// Decoding alone, to show how the time splits between parsing and the cache, and what
// simdjson buys over nlohmann's parser.
void BM_DecodeOnlySimdjson(benchmark::State& state) {
  const std::vector<std::string>& lines = StreamLines();
  WatchEventDecoder decoder;
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(decoder.DecodeEvent(lines[i++ % lines.size()]));
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeOnlySimdjson)->Repetitions(3)->ReportAggregatesOnly(true);

void BM_DecodeOnlyPodProjection(benchmark::State& state) {
  const std::vector<std::string>& lines = StreamLines();
  WatchEventDecoder decoder(PodCacheProjection());
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(decoder.DecodeEvent(lines[i++ % lines.size()]));
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeOnlyPodProjection)->Repetitions(3)->ReportAggregatesOnly(true);

void BM_DecodeOnlyNlohmann(benchmark::State& state) {
  const std::vector<std::string>& lines = StreamLines();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(NlohmannDecode(lines[i++ % lines.size()]));
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeOnlyNlohmann)->Repetitions(3)->ReportAggregatesOnly(true);

// Bytes of heap the cache holds per pod after 100,000 distinct pods were applied.
double BytesPerCachedPod(TransformFunc transform, bool project_pods) {
  const Json pod = LoadPod();
  malloc_trim(0);
  const size_t before = mallinfo2().uordblks;
  auto pipeline = std::make_unique<Pipeline>(std::move(transform));
  std::unique_ptr<WatchEventDecoder> decoder = MakeDecoder(project_pods);
  for (int i = 0; i < kEvents; ++i) {
    pipeline->callbacks->on_event(decoder->DecodeEvent(EventLine(pod, i, "ADDED")).value());
  }
  pipeline->WaitHandled();
  // Keys queued for workers are the controller's memory, not the cache's: drain them.
  while (pipeline->queue.Len() > 0) pipeline->queue.Done(*pipeline->queue.Get());
  decoder.reset();  // its parse buffers are not the cache's either
  const size_t after = mallinfo2().uordblks;
  if (pipeline->informer->indexer().Size() != static_cast<size_t>(kEvents)) return -1;
  return static_cast<double>(after - before) / kEvents;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " / " + five + " / " + fifteen;
}

// What scheduler::FromPod reads, without the spec.containers and containerStatuses[].ready that
// the cache contract also keeps: shows what those two cost per pod.
void TrimPodWithoutContainers(Json& pod) {
  TrimPodForCache(pod);
  if (!pod.is_object()) return;
  if (auto spec = pod.find("spec"); spec != pod.end() && spec->is_object()) {
    spec->erase("containers");
  }
  auto status = pod.find("status");
  if (status == pod.end() || !status->is_object()) return;
  auto statuses = status->find("containerStatuses");
  if (statuses == status->end() || !statuses->is_array()) return;
  for (Json& cs : *statuses) {
    if (cs.is_object()) cs.erase("ready");
  }
}

std::string MemoryTable() {
  const double strip = BytesPerCachedPod(StripManagedFields, false);
  const double trim = BytesPerCachedPod(TrimPodForCache, false);
  const double fast = BytesPerCachedPod(TrimPodForCache, true);
  const double lean = BytesPerCachedPod(TrimPodWithoutContainers, true);
  std::printf("bytes per cached pod: strip %.0f, trim %.0f, projected decode %.0f, lean %.0f\n",
              strip, trim, fast, lean);
  std::ostringstream out;
  out << "Memory (heap bytes in use per cached pod, glibc mallinfo2, 100,000 distinct pods in "
      << "the informer cache with its namespace index):\n\n"
      << "| pipeline | bytes per pod | target |\n|---|---|---|\n"
      << "| StripManagedFields (default informer) | " << static_cast<long>(strip) << " | < 4096 |\n"
      << "| whole decode + TrimPodForCache | " << static_cast<long>(trim) << " | < 4096 |\n"
      << "| PodCacheProjection decode + TrimPodForCache | " << static_cast<long>(fast)
      << " | < 4096 |\n"
      << "| same, minus spec.containers and containerStatuses[].ready (for comparison) | "
      << static_cast<long>(lean) << " | < 4096 |\n\n";
  return out.str();
}

}  // namespace
}  // namespace osbx::kube

int main(int argc, char** argv) {
  using osbx::kube::LoadAverage;
  const std::string load_at_start = LoadAverage();
  std::ostringstream extra;
  extra << osbx::kube::MemoryTable() << "The recorded pod is "
        << osbx::kube::LoadPod().dump().size()
        << " bytes of JSON with managedFields. Throughput: each run plays 100,000 MODIFIED "
        << "events (10,000 pods, 10 updates each) through Reflector -> SharedInformer (transform, "
        << "cache, namespace index) -> dispatch thread -> handler -> WorkQueue.Add, each line "
        << "decoded by WatchEventDecoder on the benchmark thread; dispatch runs on a second "
        << "thread. `events_per_second` is per wall-clock second; `events_per_cpu_second` is per "
        << "CPU second of the whole process over the same span (both threads), i.e. what one "
        << "core sustains; the decode-only rows are per CPU second of the decoding thread.\n\n"
        << "`BM_DecodeApplyPodProjectionOneCore` pins both threads to one CPU: its wall-clock "
        << "rate is one core's, shared with whatever else the machine runs there. Where the time "
        << "goes and why: bench/informer/README.md.\n\n"
        << "Load average (1 / 5 / 15 min) at the start: " << load_at_start << ".\n";
  using Target = osbx::bench::Target;
  return osbx::bench::RunAndReport(
      argc, argv, "informer", "Informer: decode and apply pod watch events",
      {Target{"BM_DecodeApplyPodProjectionOneCore", "events_per_second", 50000, true,
              "events per wall second on one core, PodCacheProjection decode + TrimPodForCache"},
       Target{"BM_DecodeApplyPodProjection", "events_per_cpu_second", 50000, true,
              "events per CPU second, PodCacheProjection decode + TrimPodForCache"},
       Target{"BM_DecodeApplyPodProjection", "events_per_second", 50000, true,
              "events per wall second, PodCacheProjection decode + TrimPodForCache"},
       Target{"BM_DecodeApplyTrimPod", "events_per_cpu_second", 50000, true,
              "events per CPU second, whole decode + TrimPodForCache"},
       Target{"BM_DecodeApplyStripManagedFields", "events_per_cpu_second", 50000, true,
              "events per CPU second, default informer (strip managedFields)"}},
      extra.str());
}
