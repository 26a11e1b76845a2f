// The whole production path, transport included: a SharedInformer built as the manager builds
// the pod informer, over the REST client's ListerWatcher, watching an HTTPS server on loopback
// (the replay server, in this process) that sends the 100,000 events of the throughput stream.
// libcurl receives and decrypts on the client's I/O thread, which also frames, decodes into
// PodCacheProjection and applies each event; the informer's dispatch thread hands them to the
// handler. The client's CPU is counted apart from the server's: the I/O thread's and the
// dispatch thread's own CPU time between their first and last event.

#include <benchmark/benchmark.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "bench/informer/pipeline.h"
#include "pkg/kube/cache/transform.h"
#include "pkg/kube/client/rest_client.h"
#include "pkg/kube/client/testing/replay_server.h"

namespace osbx::kube::informer_bench {
namespace {

using testing::ReplayServer;

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// CPU time of one thread between its first and its kEvents-th call of Tick.
class ThreadSpan {
 public:
  // Returns true on the last expected call.
  bool Tick() {
    const int n = ++calls_;
    if (n == 1) first_ = ThreadCpuSeconds();
    if (n != kEvents) return false;
    last_ = ThreadCpuSeconds();
    return true;
  }
  double seconds() const { return last_ - first_; }

 private:
  std::atomic<int> calls_{0};
  double first_ = 0;  // written by the ticking thread before the last Tick, read after it
  double last_ = 0;
};

// Writes the throughput stream, kEvents events, keeping a few MiB queued: the server cuts a
// stream that queues 64 MiB for a slow reader. Runs on its own thread, as handlers must not block.
void Produce(http::ResponseWriter& w, const std::string& bytes) {
  constexpr size_t kQueued = 4 << 20;
  for (int round = 0; round < kEvents / kDistinctPods; ++round) {
    for (size_t pos = 0; pos < bytes.size(); pos += kReadSize) {
      while (w.queued_bytes() > kQueued && !w.closed()) {
        std::this_thread::sleep_for(std::chrono::microseconds(100));  // pacing, not syncing
      }
      if (!w.WriteChunk(std::string_view(bytes).substr(pos, kReadSize))) return;
    }
  }
  w.Finish();
}

// One run: a fresh server, client and informer; returns the client's CPU seconds.
double RunOverHttps(benchmark::State& state) {
  state.PauseTiming();
  const std::string& bytes = StreamBytes();
  std::thread producer;
  ReplayServer server;
  Status started = server.Start([&](size_t i, const http::Request& r, http::ResponseWriter& w) {
    if (!r.query.Has("watch")) {
      return ReplayServer::Reply(
          w, 200, R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"}})");
    }
    if (i != 1) return ReplayServer::Stream(w, 200, "", 1);  // later watches: nothing new
    w.StartStream(200, http::Headers{{"Content-Type", "application/json"}});
    producer = std::thread([&bytes, writer = w.Retain()] { Produce(*writer, bytes); });
  });
  StatusOr<std::unique_ptr<RestClient>> client = RestClient::New(server.Config());
  if (!started.ok() || !client.ok()) {
    state.SkipWithError("could not start the server or the client");
    return 0;
  }
  std::unique_ptr<ListerWatcher> lw = (*client)->NewListerWatcher(kPods, "");
  ThreadSpan io, dispatch;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;  // guarded by mu
  InformerOptions options;
  options.projection = DefaultProjectionFor(kPods);
  options.transform = [&io](Json&) { io.Tick(); };  // runs on the I/O thread, after decoding
  SharedInformer informer(*lw, RealClock::Get(), options);
  WorkQueue queue;
  auto enqueue = [&](const ObjectPtr& obj) {
    StatusOr<std::string> key = ObjectKey(*obj);
    if (key.ok()) queue.Add(*key);
    if (dispatch.Tick()) {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
      cv.notify_all();
    }
  };
  informer.AddEventHandler(
      {enqueue, [&](const ObjectPtr&, const ObjectPtr& obj) { enqueue(obj); }, nullptr});
  state.ResumeTiming();
  informer.Run();
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
  }
  state.PauseTiming();
  informer.Stop();
  server.Stop();
  if (producer.joinable()) producer.join();
  state.ResumeTiming();
  return io.seconds() + dispatch.seconds();
}

void BM_ControllersPathOverHttps(benchmark::State& state) {
  double client_cpu = 0;
  double process_cpu = 0;
  for (auto _ : state) {
    const double start = ProcessCpuSeconds();
    client_cpu += RunOverHttps(state);
    process_cpu += ProcessCpuSeconds() - start;
  }
  const double events = static_cast<double>(state.iterations()) * kEvents;
  state.counters["events_per_second"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["events_per_client_cpu_second"] = events / client_cpu;
  state.counters["client_cpu_us_per_event"] = client_cpu * 1e6 / events;
  state.counters["process_cpu_us_per_event"] = process_cpu * 1e6 / events;
}
BENCHMARK(BM_ControllersPathOverHttps)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);

}  // namespace
}  // namespace osbx::kube::informer_bench
