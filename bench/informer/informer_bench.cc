// Informer hot path: pod watch events, as the bytes the API server sends (one JSON line per
// event, arriving in 16 KiB pieces as libcurl hands them over), framed by the REST client's
// WatchDecoder, decoded by the decoder the informer gave its ListerWatcher, applied through the
// Reflector into a SharedInformer whose handler enqueues each key in a WorkQueue, as a controller
// does. Also measures the memory the cache holds per pod. The pod is a recording of the
// project's test cluster (bench/informer/pod.json, see README.md there), managedFields included.
//
// Pipelines:
//   - the controllers' path: the manager's pod informer (projection = DefaultProjectionFor(pods),
//     i.e. PodCacheProjection), the watch bytes decoded straight into the projection;
//   - the path of before, for comparison: the client decodes each line whole with nlohmann and
//     the informer trims it to the same projection afterwards;
//   - the default informer of other resources (everything but managedFields), on the same pods.
// Each reports events per wall-clock second and per CPU second of the whole process (decoding
// thread + dispatch thread): the CPU rate is what one core would sustain, and the measure that
// survives a loaded machine.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/informer/pipeline.h"
#include "bench/workqueue/bench_report.h"
#include "pkg/kube/cache/transform.h"
#include "pkg/kube/cache/watch_event_decoder.h"

namespace osbx::kube::informer_bench {
namespace {

// The lines of StreamBytes(), without their newlines (for the decode-only benchmarks).
const std::vector<std::string>& StreamLines() {
  static const std::vector<std::string> lines = [] {
    std::vector<std::string> out;
    std::istringstream in(StreamBytes());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }();
  return lines;
}

PipelineOptions ControllersPath() { return {DefaultProjectionFor(kPods), nullptr, true}; }
PipelineOptions WholeDecodeThenTrim() { return {DefaultProjectionFor(kPods), nullptr, false}; }
PipelineOptions DefaultInformer() { return {nullptr, nullptr, true}; }

// Feeds `bytes` to the watch in pieces of kReadSize.
bool FeedAll(StreamListerWatcher& lw, std::string_view bytes) {
  for (size_t pos = 0; pos < bytes.size(); pos += kReadSize) {
    if (!lw.Feed(bytes.substr(pos, kReadSize))) return false;
  }
  return true;
}

void RunStream(benchmark::State& state, PipelineOptions options, bool one_core = false) {
  std::optional<OneCore> pinned;
  if (one_core) pinned.emplace();  // before the pipeline threads start: they inherit it
  const std::string& bytes = StreamBytes();
  double cpu_seconds = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto pipeline = std::make_unique<Pipeline>(options, kEvents);
    state.ResumeTiming();
    const double cpu_start = ProcessCpuSeconds();
    for (int round = 0; round < kEvents / kDistinctPods; ++round) {
      if (!FeedAll(pipeline->lw, bytes)) state.SkipWithError("watch stream failed to decode");
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
  state.counters["bytes_per_event"] = static_cast<double>(bytes.size()) / kDistinctPods;
}

#define OSBX_STREAM_BENCHMARK(name, reps) \
  BENCHMARK(name)                         \
      ->Unit(benchmark::kMillisecond)     \
      ->UseRealTime()                     \
      ->Iterations(1)                     \
      ->Repetitions(reps)                 \
      ->ReportAggregatesOnly(true)

void BM_ControllersPath(benchmark::State& state) { RunStream(state, ControllersPath()); }
OSBX_STREAM_BENCHMARK(BM_ControllersPath, 5);

// Both threads on one core: the wall-clock rate is what one core sustains (when nothing else
// runs on that core).
void BM_ControllersPathOneCore(benchmark::State& state) {
  RunStream(state, ControllersPath(), true);
}
OSBX_STREAM_BENCHMARK(BM_ControllersPathOneCore, 5);

void BM_WholeDecodeThenTrim(benchmark::State& state) { RunStream(state, WholeDecodeThenTrim()); }
OSBX_STREAM_BENCHMARK(BM_WholeDecodeThenTrim, 3);

void BM_DefaultInformerOnPods(benchmark::State& state) { RunStream(state, DefaultInformer()); }
OSBX_STREAM_BENCHMARK(BM_DefaultInformerOnPods, 3);

// Decoding alone (per CPU second of the decoding thread): how the time splits between parsing
// and the cache, and what simdjson buys over nlohmann's parser.
template <typename Decode>
void DecodeOnly(benchmark::State& state, Decode decode) {
  const std::vector<std::string>& lines = StreamLines();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(decode(lines[i++ % lines.size()]));
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_DecodeOnlyPodProjection(benchmark::State& state) {
  WatchEventDecoder decoder(PodCacheProjection());
  DecodeOnly(state, [&](const std::string& line) { return decoder.DecodeEvent(line); });
}
BENCHMARK(BM_DecodeOnlyPodProjection)->Repetitions(3)->ReportAggregatesOnly(true);

void BM_DecodeOnlySimdjsonWithoutManagedFields(benchmark::State& state) {
  WatchEventDecoder decoder;
  DecodeOnly(state, [&](const std::string& line) { return decoder.DecodeEvent(line); });
}
BENCHMARK(BM_DecodeOnlySimdjsonWithoutManagedFields)->Repetitions(3)->ReportAggregatesOnly(true);

void BM_DecodeOnlyNlohmann(benchmark::State& state) {
  DecodeOnly(state, [](const std::string& line) { return DecodeWatchEvent(line); });
}
BENCHMARK(BM_DecodeOnlyNlohmann)->Repetitions(3)->ReportAggregatesOnly(true);

// The recorded pod as a Pool would own it: the pool's name and revision labels and the Pool's
// controller reference, which every pooled pod carries.
Json PooledPod() {
  Json pod = LoadPod();
  pod["metadata"]["labels"]["sandbox.opensandbox.io/pool-name"] = "pool-a";
  pod["metadata"]["labels"]["sandbox.opensandbox.io/pool-revision"] = "5d8f7c9b6";
  pod["metadata"]["ownerReferences"] = Json::parse(R"([{"apiVersion":
      "sandbox.opensandbox.io/v1alpha1","kind":"Pool","name":"pool-a","uid":
      "7a0c5bb1-2f0e-4b61-9d3c-2f1f6c0b9e11","controller":true,"blockOwnerDeletion":true}])");
  return pod;
}

// Heap bytes (glibc mallinfo2) the cache holds per pod after 100,000 distinct copies of `pod`
// arrived as ADDED events through `options`' pipeline.
double BytesPerCachedPod(const PipelineOptions& options, const Json& pod) {
  malloc_trim(0);
  const size_t before = mallinfo2().uordblks;
  auto pipeline = std::make_unique<Pipeline>(options, kEvents);
  for (int i = 0; i < kEvents; ++i) {
    if (!pipeline->lw.Feed(EventLine(pod, i, "ADDED"))) return -1;
  }
  pipeline->WaitHandled();
  // Keys queued for workers are the controller's memory, not the cache's: drain them.
  while (pipeline->queue.Len() > 0) pipeline->queue.Done(*pipeline->queue.Get());
  const size_t after = mallinfo2().uordblks;
  if (pipeline->informer->indexer().Size() != static_cast<size_t>(kEvents)) return -1;
  return static_cast<double>(after - before) / kEvents;
}

void BM_MemoryPerCachedPod(benchmark::State& state) {
  double bytes = 0;
  for (auto _ : state) bytes = BytesPerCachedPod(ControllersPath(), LoadPod());
  state.counters["bytes_per_pod"] = bytes;
}
BENCHMARK(BM_MemoryPerCachedPod)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_MemoryPerCachedPooledPod(benchmark::State& state) {
  double bytes = 0;
  for (auto _ : state) bytes = BytesPerCachedPod(ControllersPath(), PooledPod());
  state.counters["bytes_per_pod"] = bytes;
}
BENCHMARK(BM_MemoryPerCachedPooledPod)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_MemoryPerCachedPodDefaultInformer(benchmark::State& state) {
  double bytes = 0;
  for (auto _ : state) bytes = BytesPerCachedPod(DefaultInformer(), LoadPod());
  state.counters["bytes_per_pod"] = bytes;
}
BENCHMARK(BM_MemoryPerCachedPodDefaultInformer)->Unit(benchmark::kMillisecond)->Iterations(1);

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " / " + five + " / " + fifteen;
}

}  // namespace
}  // namespace osbx::kube::informer_bench

int main(int argc, char** argv) {
  namespace ib = osbx::kube::informer_bench;
  const std::string load_at_start = ib::LoadAverage();
  std::ostringstream extra;
  extra << "The recorded pod is " << ib::LoadPod().dump().size()
        << " bytes of JSON with managedFields. Throughput: each run plays 100,000 MODIFIED "
        << "events (10,000 pods, 10 updates each) as watch-stream bytes in 16 KiB pieces "
        << "through the REST client's watch framing (WatchDecoder) and the decoder the informer "
        << "handed its ListerWatcher, then Reflector -> SharedInformer (cache, namespace index) "
        << "-> dispatch thread -> handler -> WorkQueue.Add. Framing, decoding and applying run "
        << "on the benchmark thread (the REST client's I/O thread in production); dispatch runs "
        << "on a second thread. `events_per_second` is per wall-clock second; "
        << "`events_per_cpu_second` is per CPU second of the whole process over the same span "
        << "(both threads), i.e. what one core sustains; the decode-only rows are per CPU second "
        << "of the decoding thread. `BM_ControllersPathOneCore` pins both threads to one CPU: "
        << "its wall-clock rate is one core's, shared with whatever else the machine runs there. "
        << "`BM_ControllersPathOverHttps` runs the same informer over the real REST client "
        << "against an HTTPS server on loopback in the same process: libcurl, TLS decryption, "
        << "framing, decoding and applying on the client's I/O thread; "
        << "`events_per_client_cpu_second` counts the CPU time of that thread and of the "
        << "dispatch thread only, `process_cpu_us_per_event` adds the server's (TLS encryption) "
        << "and the set-up."
        << "\n\nMemory: heap bytes in use (glibc mallinfo2) per cached pod, 100,000 distinct "
        << "pods in the informer cache with its namespace index, work queue drained. Kept "
        << "fields, and where the bytes go: bench/informer/README.md.\n\n"
        << "Load average (1 / 5 / 15 min) at the start: " << load_at_start << ".\n";
  using Target = osbx::bench::Target;
  return osbx::bench::RunAndReport(
      argc, argv, "informer", "Informer: decode and apply pod watch events",
      {Target{"BM_ControllersPathOneCore", "events_per_second", 50000, true,
              "events per wall second on one core, controllers' pod informer (watch bytes "
              "decoded into PodCacheProjection in the client's watch path)"},
       Target{"BM_ControllersPath", "events_per_cpu_second", 50000, true,
              "events per CPU second, controllers' pod informer"},
       Target{"BM_ControllersPath", "events_per_second", 50000, true,
              "events per wall second, controllers' pod informer (two threads)"},
       Target{"BM_ControllersPathOverHttps", "events_per_client_cpu_second", 50000, true,
              "events per client CPU second, controllers' pod informer over HTTPS on loopback "
              "(REST client I/O thread + dispatch thread; the in-process server not counted)"},
       Target{"BM_WholeDecodeThenTrim", "events_per_cpu_second", 50000, true,
              "events per CPU second, whole nlohmann decode then trim (the path of before)"},
       Target{"BM_DefaultInformerOnPods", "events_per_cpu_second", 50000, true,
              "events per CPU second, default informer (everything but managedFields)"},
       Target{"BM_MemoryPerCachedPod", "bytes_per_pod", 4096, false,
              "heap bytes per cached pod, controllers' pod informer"},
       Target{"BM_MemoryPerCachedPooledPod", "bytes_per_pod", 4096, false,
              "heap bytes per cached pod, controllers' pod informer, the pod with a Pool's "
              "labels and controller reference"},
       Target{"BM_MemoryPerCachedPodDefaultInformer", "bytes_per_pod", 4096, false,
              "heap bytes per cached pod, default informer (for comparison)"}},
      extra.str());
}
