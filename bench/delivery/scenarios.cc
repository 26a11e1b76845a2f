#include "bench/delivery/scenarios.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <sys/resource.h>

#include "bench/delivery/watchers.h"
#include "pkg/kube/meta/object.h"

namespace osbx::bench {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kNs = "default";
const kube::ResourceRef kBatches{"sandbox.opensandbox.io", "v1alpha1", "batchsandboxes",
                                 "BatchSandbox", true};
const kube::ResourceRef kPools{"sandbox.opensandbox.io", "v1alpha1", "pools", "Pool", true};

Json Template() {
  return {{"spec",
           {{"containers",
             Json::array({{{"name", "sandbox-container"}, {"image", "nginx:latest"}}})}}}};
}

struct PoolShape {
  int pool_min = 0, pool_max = 0, buffer_min = 0, buffer_max = 0;
  std::string recycle = "Noop";
};

Json PoolObject(const std::string& name, const PoolShape& s) {
  return {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
          {"kind", "Pool"},
          {"metadata", {{"name", name}, {"namespace", kNs}}},
          {"spec",
           {{"template", Template()},
            {"capacitySpec",
             {{"poolMin", s.pool_min},
              {"poolMax", s.pool_max},
              {"bufferMin", s.buffer_min},
              {"bufferMax", s.buffer_max}}},
            {"scaleStrategy", {{"maxUnavailable", "100%"}}},
            {"recycleStrategy", {{"type", s.recycle}}}}}};
}

Json BatchObject(const std::string& name, const std::string& pool, int replicas) {
  return {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
          {"kind", "BatchSandbox"},
          {"metadata", {{"name", name}, {"namespace", kNs}}},
          {"spec", {{"replicas", replicas}, {"poolRef", pool}, {"template", Template()}}}};
}

// CPU seconds this process has used (user + system, every thread).
double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

// With DELIVERY_BENCH_VERBOSE set: the controllers' writes of one run, by kind, on stderr.
void PrintWriteDiff(const WriteCounts& before, const WriteCounts& after) {
  if (std::getenv("DELIVERY_BENCH_VERBOSE") == nullptr) return;
  for (const auto& [key, n] : after) {
    auto it = before.find(key);
    const uint64_t old = it == before.end() ? 0 : it->second;
    if (n != old)
      std::fprintf(stderr, "  %s +%llu\n", key.c_str(), static_cast<unsigned long long>(n - old));
  }
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Polls the Pool's status (set-up only, never on a measured path) until `available` idle pods.
Status WaitPoolAvailable(kube::RestClient& client, const std::string& pool, int available,
                         milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    StatusOr<Json> obj = client.Get(kPools, kNs, pool);
    if (obj.ok()) {
      auto status = obj->find("status");
      if (status != obj->end() && status->is_object() &&
          status->value("available", 0) >= available) {
        return Status::Ok();
      }
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return UnavailableError("Pool " + pool + " did not reach " + std::to_string(available) +
                          " available pods");
}

Status DeleteAndWait(kube::RestClient& client, BatchWatcher& watcher, const std::string& name) {
  kube::DeleteOptions options;
  options.propagation_policy = "Background";
  StatusOr<Json> deleted = client.Delete(kBatches, kNs, name, options);
  if (!deleted.ok() && deleted.status().code() != StatusCode::kNotFound) return deleted.status();
  if (!watcher.WaitGone(name, milliseconds(60000))) {
    return UnavailableError("BatchSandbox " + name + " was not finalized");
  }
  return Status::Ok();
}

}  // namespace

double Percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const double rank = p / 100.0 * static_cast<double>(samples.size() - 1);
  const size_t lo = static_cast<size_t>(rank);
  const size_t hi = std::min(lo + 1, samples.size() - 1);
  return samples[lo] + (samples[hi] - samples[lo]) * (rank - static_cast<double>(lo));
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five;
  if (!(in >> one >> five)) return "?";
  return one + " / " + five;
}

StatusOr<DeliveryResult> RunDelivery(InProcessSystem& system, int replicas, int runs) {
  kube::RestClient& client = system.user();
  DeliveryResult result;
  result.replicas = replicas;
  const std::string pool = "warm-" + std::to_string(replicas);
  OSBX_ASSIGN_OR_RETURN(auto watcher, BatchWatcher::Start(client, kNs));
  PoolShape shape{replicas, replicas, replicas, replicas, "Noop"};
  OSBX_RETURN_IF_ERROR(client.Create(kPools, kNs, PoolObject(pool, shape)).status());
  OSBX_RETURN_IF_ERROR(WaitPoolAvailable(client, pool, replicas, milliseconds(120000)));
  result.load_before = LoadAverage();
  for (int run = 0; run < runs; ++run) {
    const std::string name = pool + "-batch-" + std::to_string(run);
    const WriteCounts before = system.ControllerWrites();
    const uint64_t node_before = system.NodeWrites();
    const auto t0 = Clock::now();
    OSBX_RETURN_IF_ERROR(client.Create(kBatches, kNs, BatchObject(name, pool, replicas)).status());
    std::optional<SteadyTime> done = watcher->WaitDelivered(name, milliseconds(60000));
    if (!done) return UnavailableError("BatchSandbox " + name + " was not delivered in 60 s");
    result.ms.push_back(Ms(*done - t0));
    if (!watcher->WaitStatusReady(name, milliseconds(10000))) {
      return UnavailableError("BatchSandbox " + name + " status never reported every pod ready");
    }
    const WriteCounts after = system.ControllerWrites();
    result.batch_writes.push_back(BatchWritesSince(before, after, name));
    result.node_writes.push_back(system.NodeWrites() - node_before);
    const uint64_t events =
        WritesSince(before, after, "POST events") + WritesSince(before, after, "PATCH events");
    result.event_writes.push_back(events);
    result.other_writes.push_back(WritesSince(before, after, "") - events -
                                  result.batch_writes.back());
    PrintWriteDiff(before, after);
    OSBX_RETURN_IF_ERROR(DeleteAndWait(client, *watcher, name));
    OSBX_RETURN_IF_ERROR(WaitPoolAvailable(client, pool, replicas, milliseconds(120000)));
  }
  result.load_after = LoadAverage();
  return result;
}

StatusOr<WarmupResult> RunWarmup(InProcessSystem& system, int pods, int runs) {
  kube::RestClient& client = system.user();
  WarmupResult result;
  result.pods = pods;
  result.load_before = LoadAverage();
  for (int run = 0; run < runs; ++run) {
    const std::string pool = "warmup-" + std::to_string(pods) + "-" + std::to_string(run);
    OSBX_ASSIGN_OR_RETURN(
        auto counter,
        ReadyPodCounter::Start(client, kNs, "sandbox.opensandbox.io/pool-name=" + pool));
    PoolShape shape{pods, pods, pods, pods, "Delete"};
    const WriteCounts before = system.ControllerWrites();
    const auto t0 = Clock::now();
    OSBX_RETURN_IF_ERROR(client.Create(kPools, kNs, PoolObject(pool, shape)).status());
    std::optional<SteadyTime> done =
        counter->WaitReady(static_cast<size_t>(pods), milliseconds(120000));
    if (!done) return UnavailableError("Pool " + pool + " did not warm up in 120 s");
    result.ms.push_back(Ms(*done - t0));
    std::optional<SteadyTime> created = counter->SeenAt(static_cast<size_t>(pods));
    result.created_ms.push_back(created ? Ms(*created - t0) : 0);
    const WriteCounts after = system.ControllerWrites();
    result.controller_writes.push_back(WritesSince(before, after, ""));
    PrintWriteDiff(before, after);
    OSBX_RETURN_IF_ERROR(client.Delete(kPools, kNs, pool, {}).status());
    // Let the pods go entirely (the node finishes their deletion) before the next run, so runs
    // do not overlap.
    const auto deadline = Clock::now() + milliseconds(120000);
    while (counter->present() > 0 && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  result.load_after = LoadAverage();
  return result;
}

StatusOr<ClaimsResult> RunClaims(InProcessSystem& system, double rate, double seconds) {
  kube::RestClient& client = system.user();
  ClaimsResult result;
  result.rate = rate;
  result.seconds = seconds;
  const std::string pool = "claims";
  OSBX_ASSIGN_OR_RETURN(auto watcher, BatchWatcher::Start(client, kNs));
  const int buffer = static_cast<int>(rate);  // one second of claims
  PoolShape shape{buffer * 2, buffer * 4, buffer, buffer * 2, "Noop"};
  OSBX_RETURN_IF_ERROR(client.Create(kPools, kNs, PoolObject(pool, shape)).status());
  OSBX_RETURN_IF_ERROR(WaitPoolAvailable(client, pool, buffer * 2, milliseconds(120000)));
  result.load_before = LoadAverage();

  const int total = static_cast<int>(rate * seconds);
  std::vector<Clock::time_point> sent_at(static_cast<size_t>(total));
  std::vector<std::atomic<bool>> sent_ok(static_cast<size_t>(total));
  std::atomic<int> next{0};
  const auto start = Clock::now();
  const auto interval = std::chrono::duration<double>(1.0 / rate);
  const WriteCounts before = system.ControllerWrites();
  const double cpu_before = ProcessCpuSeconds();
  auto sender = [&] {
    for (int i = next.fetch_add(1); i < total; i = next.fetch_add(1)) {
      std::this_thread::sleep_until(start +
                                    std::chrono::duration_cast<Clock::duration>(interval * i));
      sent_at[static_cast<size_t>(i)] = Clock::now();
      StatusOr<Json> created =
          client.Create(kBatches, kNs, BatchObject("claim-" + std::to_string(i), pool, 1));
      sent_ok[static_cast<size_t>(i)] = created.ok();
    }
  };
  std::vector<std::thread> senders;
  for (int t = 0; t < 8; ++t) senders.emplace_back(sender);
  // Deletes each claim as soon as it is delivered, in delivery order (a slow claim never holds up
  // the return of the others' pods).
  std::atomic<bool> sending{true};
  std::thread deleter([&] {
    kube::DeleteOptions options;
    options.propagation_policy = "Background";
    while (true) {
      std::string name = watcher->TakeDelivered(milliseconds(200));
      if (name.empty()) {
        if (!sending) break;
        continue;
      }
      (void)client.Delete(kBatches, kNs, name, options);
    }
  });
  std::thread monitor;
  if (std::getenv("DELIVERY_BENCH_VERBOSE") != nullptr) {
    monitor = std::thread([&] {
      while (sending) {
        StatusOr<Json> p = client.Get(kPools, kNs, pool);
        StatusOr<kube::ListResult> list = client.List(kBatches, kNs, {});
        std::fprintf(
            stderr, "t=%.1fs pool %s batches %zu delivered %zu\n",
            std::chrono::duration<double>(Clock::now() - start).count(),
            p.ok() ? p->value("status", Json::object()).dump().substr(0, 200).c_str() : "?",
            list.ok() ? list->items.size() : 0, watcher->DeliveredCount());
        std::this_thread::sleep_for(milliseconds(1000));
      }
    });
  }
  for (std::thread& t : senders) t.join();
  // Every claim gets 10 s after its slot; then what was delivered in time is counted.
  const auto last_due = start + std::chrono::duration_cast<Clock::duration>(interval * total);
  for (int i = 0; i < total; ++i) {
    const std::string name = "claim-" + std::to_string(i);
    std::optional<SteadyTime> done =
        watcher->WaitDelivered(name, std::chrono::duration_cast<milliseconds>(
                                         last_due - Clock::now() + std::chrono::seconds(10)));
    const auto due = start + std::chrono::duration_cast<Clock::duration>(interval * i);
    if (done && sent_ok[static_cast<size_t>(i)] && *done - due < std::chrono::seconds(10)) {
      result.ms.push_back(Ms(*done - sent_at[static_cast<size_t>(i)]));
      ++result.delivered;
    } else if (std::getenv("DELIVERY_BENCH_VERBOSE") != nullptr && i - result.delivered < 5) {
      StatusOr<Json> lost = client.Get(kBatches, kNs, name);
      std::fprintf(stderr, "lost %s (sent %d): %s\n", name.c_str(),
                   static_cast<int>(sent_ok[static_cast<size_t>(i)]),
                   lost.ok() ? lost->dump().c_str() : lost.status().ToString().c_str());
    }
  }
  sending = false;
  deleter.join();
  if (monitor.joinable()) monitor.join();
  for (int i = 0; i < total; ++i) {
    kube::DeleteOptions options;
    options.propagation_policy = "Background";
    (void)client.Delete(kBatches, kNs, "claim-" + std::to_string(i), options);
  }
  result.sent = total;
  result.cpu_ms_per_claim = (ProcessCpuSeconds() - cpu_before) * 1000.0 / std::max(1, total);
  result.writes_per_claim =
      static_cast<double>(WritesSince(before, system.ControllerWrites(), "PATCH batchsandboxes")) /
      std::max(1, total);
  result.load_after = LoadAverage();
  return result;
}

}  // namespace osbx::bench
