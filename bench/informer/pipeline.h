#pragma once
// The informer benchmark's pipeline: a SharedInformer for pods whose ListerWatcher plays the API
// server's watch stream from bytes, through the REST client's own watch framing (WatchDecoder)
// and with the decoders the informer asks for (ListerWatcher::UseDecoder), exactly as the REST
// client's watch does on its I/O thread. A handler enqueues each key in a WorkQueue, as a
// controller does.

#include <sched.h>
#include <time.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>

#include "pkg/kube/cache/object_meta.h"
#include "pkg/kube/cache/shared_informer.h"
#include "pkg/kube/client/watch_decoder.h"
#include "pkg/kube/workqueue/queue.h"

namespace osbx::kube::informer_bench {

// CPU seconds used so far by every thread of the process.
inline double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The recorded pod (bench/informer/pod.json), managedFields included.
inline Json LoadPod() {
  std::ifstream in(std::string(OSBX_SOURCE_DIR) + "/bench/informer/pod.json");
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

// A watch event line (with its newline) for copy `i` of the pod: distinct name, uid and
// resourceVersion.
inline std::string EventLine(const Json& pod, int i, const char* type) {
  Json copy = pod;
  copy["metadata"]["name"] = "sandbox-pod-" + std::to_string(i);
  copy["metadata"]["uid"] = "eb91246a-82b5-405b-8224-" + std::to_string(100000000000 + i);
  copy["metadata"]["resourceVersion"] = std::to_string(2000 + i);
  return Json{{"type", type}, {"object", std::move(copy)}}.dump() + "\n";
}

inline const ResourceRef kPods{"", "v1", "pods", "Pod", true};
inline constexpr int kEvents = 100'000;
inline constexpr int kDistinctPods = 10'000;    // the throughput stream updates each pod 10 times
inline constexpr size_t kReadSize = 16 * 1024;  // libcurl's largest write-callback piece

// The bytes of 10,000 MODIFIED events, one per distinct pod.
inline const std::string& StreamBytes() {
  static const std::string bytes = [] {
    const Json pod = LoadPod();
    std::string out;
    for (int i = 0; i < kDistinctPods; ++i) out += EventLine(pod, i, "MODIFIED");
    return out;
  }();
  return bytes;
}

// Serves an empty list, then lets the benchmark play the watch stream's bytes. Honours
// UseDecoder like the REST client's ListerWatcher, unless told to decode whole objects (the
// REST client's own nlohmann decoding, for comparison).
class StreamListerWatcher final : public ListerWatcher {
 public:
  explicit StreamListerWatcher(bool honour_decoders) : honour_decoders_(honour_decoders) {}

  StatusOr<ListResult> List(const ListOptions&) override {
    ListResult result;
    result.resource_version = "1";
    return result;
  }
  StatusOr<std::unique_ptr<WatchHandle>> Watch(const ListOptions&, WatchCallbacks cb) override {
    std::lock_guard<std::mutex> lock(mu_);
    callbacks_ = std::move(cb);
    framing_ = std::make_unique<WatchDecoder>(factory_ ? factory_() : nullptr);
    open_ = true;
    cv_.notify_all();
    return std::unique_ptr<WatchHandle>(std::make_unique<NoopHandle>());
  }
  bool UseDecoder(ObjectDecoderFactory factory) override {
    if (!honour_decoders_) return false;
    factory_ = std::move(factory);
    return true;
  }

  void WaitForWatch() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }
  // Bytes of the stream as they arrive from the connection; false on a decoding error.
  bool Feed(std::string_view bytes) {
    return framing_->Feed(bytes, [this](WatchEvent&& e) { callbacks_.on_event(std::move(e)); })
        .ok();
  }
  void Close() { callbacks_.on_close(Status(StatusCode::kCancelled, "benchmark done")); }

 private:
  class NoopHandle final : public WatchHandle {
   public:
    void Stop() override {}
  };
  const bool honour_decoders_;
  ObjectDecoderFactory factory_;  // set before the informer runs
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;  // guarded by mu_
  // Set by Watch (under mu_) before WaitForWatch returns; then used by the benchmark thread only.
  WatchCallbacks callbacks_;
  std::unique_ptr<WatchDecoder> framing_;
};

// How a pipeline's informer caches pods.
struct PipelineOptions {
  std::shared_ptr<const FieldProjection> projection;  // InformerOptions::projection
  TransformFunc transform;                            // InformerOptions::transform
  bool honour_decoders = true;  // false: objects arrive decoded whole (nlohmann)
  std::chrono::microseconds batch_window = InformerOptions{}.batch_window;
};

// An informer fed by the benchmark, with one handler that enqueues keys (and counts them).
struct Pipeline {
  Pipeline(const PipelineOptions& options, int expected_events)
      : lw(options.honour_decoders), target(expected_events) {
    InformerOptions informer_options;
    informer_options.projection = options.projection;
    informer_options.transform = options.transform;
    informer_options.batch_window = options.batch_window;
    informer = std::make_unique<SharedInformer>(lw, RealClock::Get(), informer_options);
    EventHandler handler;
    handler.on_add = [this](const ObjectPtr& obj) { Enqueue(*obj); };
    handler.on_update = [this](const ObjectPtr&, const ObjectPtr& obj) { Enqueue(*obj); };
    informer->AddEventHandler(std::move(handler));
    informer->Run();
    lw.WaitForWatch();
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
  std::atomic<int> handled{0};
  const int target;
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

}  // namespace osbx::kube::informer_bench
