// Benchmarks of the standalone API server through its real HTTPS front end, with the speed
// targets of the standalone-mode issue:
//  (a) durable creates/s: 8 clients, each keeping several creates of small objects (Leases) in
//      flight; every acknowledged create is checked to be in the store after a reopen;
//  (b) watch fan-out: 100 long-lived watch streams each receiving every event of a
//      1,000 writes/s load; delivery lag from the write's submission (embedded in the object, so
//      it includes the durable commit) and from its acknowledgement.
// The server runs in this process on a fresh data directory per run; each scenario runs several
// times and the report gives medians across runs.
//  (c) garbage collection: an owner of 1,000 dependents deleted among 20,000 other objects, and
//      the CPU cost of deletes (the collector works from an owner index, not a store scan).
// Creates are also measured with async_writes off, for comparison. Usage:
//   apiserver_bench [--seconds S] [--runs R] [--report PATH] [--dir DIR] [--threads T]
//                   [--in-flight N] [--only creates|fanout|gc] [--async 1|0] [--compare-sync 1|0]

#include <sys/resource.h>
#include <sys/utsname.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench/apiserver/bench_client.h"
#include "internal/standalone/apiserver/selection.h"
#include "internal/standalone/apiserver/standalone_server.h"
#include "internal/utils/json.h"

#ifndef OSBX_SOURCE_DIR
#define OSBX_SOURCE_DIR "."
#endif

namespace osbx::bench {
namespace {

using standalone::StandaloneServer;

struct Config {
  double seconds = 3;
  int runs = 5;
  std::string report = std::string(OSBX_SOURCE_DIR) + "/bench/reports/apiserver.md";
  std::string dir = "/tmp/osbx-apiserver-bench";
  int threads = 4;
  int in_flight = 8;
  bool async_writes = true;
  // Also measure creates with async_writes off, for comparison (no target).
  bool compare_sync = true;
  std::string only;
};

constexpr int kClients = 8;
constexpr int kWatchers = 100;
constexpr int kWatchThreads = 4;
constexpr int kFanoutRate = 1000;
constexpr double kWarmupSeconds = 0.5;
constexpr const char* kLeases = "/apis/coordination.k8s.io/v1/namespaces/default/leases";

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double Median(std::vector<double> v) { return Percentile(std::move(v), 0.5); }

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string LeaseBody(const std::string& name, int64_t sent_ns) {
  return fmt::format(
      R"({{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{{"name":"{}",)"
      R"("annotations":{{"bench/t":"{}"}}}},"spec":{{"holderIdentity":"bench-holder",)"
      R"("leaseDurationSeconds":15}}}})",
      name, sent_ns);
}

std::unique_ptr<StandaloneServer> StartServer(const Config& config) {
  std::filesystem::remove_all(config.dir);
  standalone::StandaloneOptions options;
  options.data_dir = config.dir;
  options.port = 0;
  options.threads = config.threads;
  options.async_writes = config.async_writes;
  auto server = StandaloneServer::Open(options);
  if (!server.ok() || !(*server)->Start().ok()) {
    std::cerr << "cannot start the server in " << config.dir << "\n";
    std::exit(1);
  }
  return std::move(*server);
}

Endpoint EndpointOf(StandaloneServer& server) {
  return {server.url(), server.token(), server.ca_pem()};
}

// Leases stored after a reopen of the data directory (what survives the process).
size_t DurableLeases(const Config& config) {
  auto store = standalone::Store::Open(config.dir + "/store");
  if (!store.ok()) return 0;
  return (*store)->ObjectCount("/coordination.k8s.io/leases/");
}

struct CreateRun {
  double per_second = 0;
  double p50_ms = 0, p99_ms = 0;
  int64_t acked = 0, errors = 0;
  size_t durable = 0;
  double cpu_per_k = 0;  // process CPU seconds per 1,000 creates
};

CreateRun RunCreates(const Config& config) {
  auto server = StartServer(config);
  Endpoint endpoint = EndpointOf(*server);
  int64_t start = NowNs();
  int64_t warm_end = start + static_cast<int64_t>(kWarmupSeconds * 1e9);
  int64_t stop = warm_end + static_cast<int64_t>(config.seconds * 1e9);
  std::mutex mu;
  std::vector<double> latencies;
  int64_t acked = 0, errors = 0, in_window = 0;
  double cpu_start = CpuSeconds();
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      PostLoad load;
      load.endpoint = endpoint;
      load.path = kLeases;
      load.in_flight = config.in_flight;
      load.stop_ns = stop;
      load.body = [c](int64_t seq, int64_t now) {
        return LeaseBody(fmt::format("c{}-{}", c, seq), now);
      };
      load.on_done = [&](int64_t, long status, int64_t sent, int64_t done) {
        std::lock_guard<std::mutex> lock(mu);
        if (status != 201) {
          ++errors;
          return;
        }
        ++acked;
        if (sent >= warm_end && done <= stop) {
          ++in_window;
          latencies.push_back(static_cast<double>(done - sent) / 1e6);
        }
      };
      RunPostLoad(load);
    });
  }
  for (auto& t : clients) t.join();
  double cpu = CpuSeconds() - cpu_start;
  server->Stop();
  server.reset();
  CreateRun run;
  run.per_second = static_cast<double>(in_window) / config.seconds;
  run.p50_ms = Percentile(latencies, 0.5);
  run.p99_ms = Percentile(latencies, 0.99);
  run.acked = acked;
  run.errors = errors;
  run.durable = DurableLeases(config);
  run.cpu_per_k = acked > 0 ? cpu * 1000.0 / static_cast<double>(acked) : 0;
  return run;
}

// Parses "<key>":"<digits>" out of a watch line.
int64_t FieldNumber(std::string_view line, std::string_view key) {
  size_t at = line.find(key);
  if (at == std::string_view::npos) return -1;
  at += key.size();
  int64_t value = 0;
  bool any = false;
  for (; at < line.size() && line[at] >= '0' && line[at] <= '9'; ++at) {
    value = value * 10 + (line[at] - '0');
    any = true;
  }
  return any ? value : -1;
}

struct FanoutRun {
  double lag_p50_ms = 0, lag_p99_ms = 0, lag_max_ms = 0;
  double ack_lag_p50_ms = 0, ack_lag_p99_ms = 0;
  double write_rate = 0;
  double ack_p99_ms = 0;
  bool complete = false;
  double delivered_fraction = 0;
  double cpu_per_s = 0;  // process CPU seconds per second of load
};

FanoutRun RunFanout(const Config& config) {
  auto server = StartServer(config);
  Endpoint endpoint = EndpointOf(*server);
  const int64_t total = static_cast<int64_t>(config.seconds * kFanoutRate);
  // receive time of event seq at watcher w: recv[w * total + seq]; 0 = not received.
  std::vector<std::atomic<int64_t>> recv(static_cast<size_t>(kWatchers * total));
  std::vector<int64_t> sent(static_cast<size_t>(total), 0), acked(static_cast<size_t>(total), 0);
  std::atomic<int> warmed{0};
  std::vector<std::atomic<bool>> warm(kWatchers);
  std::atomic<int64_t> received{0};
  std::atomic<bool> stop_watch{false};
  std::vector<std::thread> watch_threads;
  for (int t = 0; t < kWatchThreads; ++t) {
    watch_threads.emplace_back([&, t] {
      WatchLoad load;
      load.endpoint = endpoint;
      for (int w = t; w < kWatchers; w += kWatchThreads) {
        load.paths.push_back(std::string(kLeases) + "?watch=true");
      }
      load.on_line = [&, t](size_t stream, std::string_view line, int64_t now) {
        size_t w = static_cast<size_t>(t) + stream * kWatchThreads;
        int64_t seq = FieldNumber(line, "\"name\":\"f-");
        if (seq < 0) {
          if (!warm[w].exchange(true)) warmed.fetch_add(1);
          return;
        }
        if (seq < total) {
          recv[w * static_cast<size_t>(total) + static_cast<size_t>(seq)].store(now);
          received.fetch_add(1);
        }
      };
      load.stop = [&] { return stop_watch.load(); };
      RunWatchLoad(load);
    });
  }
  // Warm-up writes until every stream is open and delivering.
  for (int i = 0; warmed.load() < kWatchers && i < 200; ++i) {
    PostLoad warmup;
    warmup.endpoint = endpoint;
    warmup.path = kLeases;
    warmup.in_flight = 1;
    warmup.stop_ns = NowNs() + 10'000'000'000;
    warmup.max_requests = 1;
    warmup.body = [i](int64_t, int64_t now) { return LeaseBody(fmt::format("w-{}", i), now); };
    warmup.on_done = [](int64_t, long, int64_t, int64_t) {};
    RunPostLoad(warmup);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  double cpu_start = CpuSeconds();
  int64_t load_start = NowNs();
  std::vector<double> ack_latencies;
  PostLoad load;
  load.endpoint = endpoint;
  load.path = kLeases;
  load.in_flight = 32;
  load.interval_ns = 1'000'000'000 / kFanoutRate;
  load.stop_ns = load_start + total * load.interval_ns;
  load.body = [&](int64_t seq, int64_t now) {
    if (seq < total) sent[static_cast<size_t>(seq)] = now;
    return LeaseBody(fmt::format("f-{}", seq), now);
  };
  int64_t writes = 0;
  load.on_done = [&](int64_t seq, long status, int64_t sent_ns, int64_t done) {
    if (status != 201 || seq >= total) return;
    acked[static_cast<size_t>(seq)] = done;
    ack_latencies.push_back(static_cast<double>(done - sent_ns) / 1e6);
    ++writes;
  };
  RunPostLoad(load);
  double load_seconds = static_cast<double>(NowNs() - load_start) / 1e9;
  int64_t expected = writes * kWatchers;
  int64_t deadline = NowNs() + 5'000'000'000;
  while (received.load() < expected && NowNs() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  double cpu = CpuSeconds() - cpu_start;
  stop_watch = true;
  for (auto& t : watch_threads) t.join();
  server->Stop();
  FanoutRun run;
  std::vector<double> lags, ack_lags;
  for (size_t w = 0; w < static_cast<size_t>(kWatchers); ++w) {
    for (size_t s = 0; s < static_cast<size_t>(total); ++s) {
      int64_t at = recv[w * static_cast<size_t>(total) + s].load();
      if (at == 0 || acked[s] == 0) continue;
      lags.push_back(static_cast<double>(at - sent[s]) / 1e6);
      ack_lags.push_back(static_cast<double>(std::max<int64_t>(0, at - acked[s])) / 1e6);
    }
  }
  run.lag_p50_ms = Percentile(lags, 0.5);
  run.lag_p99_ms = Percentile(lags, 0.99);
  run.lag_max_ms = Percentile(lags, 1.0);
  run.ack_lag_p50_ms = Percentile(ack_lags, 0.5);
  run.ack_lag_p99_ms = Percentile(ack_lags, 0.99);
  run.ack_p99_ms = Percentile(ack_latencies, 0.99);
  run.write_rate = static_cast<double>(writes) / load_seconds;
  run.delivered_fraction =
      expected > 0 ? static_cast<double>(lags.size()) / static_cast<double>(expected) : 0;
  run.complete = static_cast<int64_t>(lags.size()) == expected;  // every acked write, everywhere
  run.cpu_per_s = cpu / load_seconds;
  return run;
}

constexpr int kGcObjects = 20'000;
constexpr int kGcDependents = 1'000;
constexpr int kGcUnrelatedDeletes = 2'000;

struct GcRun {
  double cascade_seconds = 0;  // owner deleted -> every dependent gone
  double delete_cpu_ms = 0;    // process CPU per delete of an unowned object, GC included
  double full_scan_ms = 0;     // one list + parse of the whole store (the old GC, per delete)
  size_t scanned_fields = 0;   // top-level fields parsed by that scan (keeps it observable)
  bool complete = false;
};

std::string DependentBody(int64_t seq, const std::string& owner_uid) {
  return fmt::format(
      R"({{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{{"name":"d-{}",)"
      R"("ownerReferences":[{{"apiVersion":"coordination.k8s.io/v1","kind":"Lease",)"
      R"("name":"owner","uid":"{}"}}]}},"spec":{{"holderIdentity":"bench-holder"}}}})",
      seq, owner_uid);
}

// Creates `count` objects over HTTPS with 64 requests in flight.
void Fill(const Endpoint& endpoint, int count, std::function<std::string(int64_t)> body) {
  PostLoad load;
  load.endpoint = endpoint;
  load.path = kLeases;
  load.in_flight = 64;
  load.stop_ns = NowNs() + 600'000'000'000;
  load.max_requests = count;
  load.body = [&](int64_t seq, int64_t) { return body(seq); };
  load.on_done = [](int64_t, long, int64_t, int64_t) {};
  RunPostLoad(load);
}

GcRun RunGc(const Config& config) {
  auto server = StartServer(config);
  Endpoint endpoint = EndpointOf(*server);
  standalone::ApiServer& api = server->api();
  standalone::ResourcePtr leases = api.registry().Find("coordination.k8s.io", "v1", "leases");
  Fill(endpoint, kGcObjects, [](int64_t seq) { return LeaseBody(fmt::format("o-{}", seq), 0); });
  standalone::WriteOptions write;
  write.manager = "bench";
  auto owner = api.CreateObject(*leases, "default", Json::parse(LeaseBody("owner", 0)), write);
  if (!owner.ok()) return {};
  std::string uid = (*owner)["metadata"]["uid"];
  Fill(endpoint, kGcDependents, [&](int64_t seq) { return DependentBody(seq, uid); });
  GcRun run;
  int64_t start = NowNs();
  (void)api.DeleteObject(*leases, "default", "owner", {});
  const std::string dependents = "/coordination.k8s.io/leases/default/d-";
  while (api.store().ObjectCount(dependents) > 0 && NowNs() - start < 120'000'000'000) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  run.cascade_seconds = static_cast<double>(NowNs() - start) / 1e9;
  run.complete = api.store().ObjectCount(dependents) == 0;
  double cpu = CpuSeconds();
  std::vector<std::thread> deleters;
  for (int t = 0; t < kClients; ++t) {
    deleters.emplace_back([&, t] {
      for (int i = t; i < kGcUnrelatedDeletes; i += kClients) {
        (void)api.DeleteObject(*leases, "default", fmt::format("o-{}", i), {});
      }
    });
  }
  for (auto& d : deleters) d.join();
  run.delete_cpu_ms = (CpuSeconds() - cpu) * 1000.0 / kGcUnrelatedDeletes;
  int64_t scan = NowNs();
  auto all = api.store().List(standalone::ListAll("/"));
  if (all.ok()) {
    for (const auto& item : all->items) run.scanned_fields += Json::parse(item->value).size();
  }
  run.full_scan_ms = static_cast<double>(NowNs() - scan) / 1e6;
  server->Stop();
  return run;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string text;
  std::getline(in, text);
  return text;
}

std::string MachineNotes() {
  utsname u{};
  uname(&u);
  return fmt::format(
      "Machine: {} {} {}; {} hardware threads shared with other engineers' builds and tests "
      "(numbers are indicative); optimized build (NDEBUG); data directory {} (fresh per run).",
      u.sysname, u.release, u.machine, std::thread::hardware_concurrency(), "/tmp");
}

template <typename T, typename F>
std::vector<double> Pick(const std::vector<T>& runs, F f) {
  std::vector<double> out;
  for (const T& r : runs) out.push_back(f(r));
  return out;
}

std::string Verdict(bool met, double ratio) {
  return met ? fmt::format("{:.2f}x (met)", ratio) : fmt::format("{:.2f}x (missed)", ratio);
}

void WriteReport(const Config& config, const std::vector<CreateRun>& creates,
                 const std::vector<CreateRun>& sync_creates, const std::vector<FanoutRun>& fanouts,
                 const std::vector<GcRun>& gcs, const std::string& load_before) {
  std::ostringstream out;
  out << "# Standalone API server over HTTPS: durable creates and watch fan-out\n\n";
  out << "| measure | median | target | verdict |\n|---|---|---|---|\n";
  if (!creates.empty()) {
    double rate = Median(Pick(creates, [](const CreateRun& r) { return r.per_second; }));
    out << fmt::format("| durable creates/s, {} clients x {} in flight | {:.0f} | > 5000 | {} |\n",
                       kClients, config.in_flight, rate, Verdict(rate > 5000, rate / 5000));
  }
  if (!sync_creates.empty()) {
    double rate = Median(Pick(sync_creates, [](const CreateRun& r) { return r.per_second; }));
    out << fmt::format(
        "| for comparison: the same with async_writes off (an I/O thread waits for each commit) "
        "| {:.0f} | none | - |\n",
        rate);
  }
  if (!fanouts.empty()) {
    double p99 = Median(Pick(fanouts, [](const FanoutRun& r) { return r.lag_p99_ms; }));
    out << fmt::format(
        "| watch delivery lag p99 from submission, {} watchers, {} writes/s (ms) | {:.2f} | < 50 "
        "| {} |\n",
        kWatchers, kFanoutRate, p99, p99 < 50 ? "met" : "missed");
  }
  out << "\nPer run:\n\n";
  for (const CreateRun& r : creates) {
    out << fmt::format(
        "- creates: {:.0f}/s, ack latency p50 {:.2f} ms p99 {:.2f} ms, {} acknowledged, {} "
        "errors, {} in the store after reopen ({}), {:.3f} CPU s per 1,000 creates\n",
        r.per_second, r.p50_ms, r.p99_ms, r.acked, r.errors, r.durable,
        r.durable >= static_cast<size_t>(r.acked) ? "none lost" : "LOST WRITES", r.cpu_per_k);
  }
  for (const CreateRun& r : sync_creates) {
    out << fmt::format(
        "- creates with async_writes off: {:.0f}/s, ack latency p50 {:.2f} ms p99 {:.2f} ms, {} "
        "acknowledged, {} errors, {} in the store after reopen ({})\n",
        r.per_second, r.p50_ms, r.p99_ms, r.acked, r.errors, r.durable,
        r.durable >= static_cast<size_t>(r.acked) ? "none lost" : "LOST WRITES");
  }
  for (const FanoutRun& r : fanouts) {
    out << fmt::format(
        "- fan-out: writes {:.0f}/s, lag from submission p50 {:.2f} p99 {:.2f} max {:.2f} ms, "
        "from acknowledgement p50 {:.2f} p99 {:.2f} ms, create ack p99 {:.2f} ms, delivered "
        "{:.4f} of events ({}), process CPU {:.2f} cores\n",
        r.write_rate, r.lag_p50_ms, r.lag_p99_ms, r.lag_max_ms, r.ack_lag_p50_ms, r.ack_lag_p99_ms,
        r.ack_p99_ms, r.delivered_fraction,
        r.complete ? "every watcher got every event" : "INCOMPLETE", r.cpu_per_s);
  }
  for (const GcRun& r : gcs) {
    out << fmt::format(
        "- garbage collection with {} other objects stored: {} dependents of a deleted owner "
        "gone {:.2f} s after the owner ({}); {:.3f} ms of process CPU per delete of an unowned "
        "object, collector included; one list + parse of the whole store (what the collector "
        "used to do after every delete) takes {:.1f} ms\n",
        kGcObjects, kGcDependents, r.cascade_seconds, r.complete ? "all gone" : "INCOMPLETE",
        r.delete_cpu_ms, r.full_scan_ms);
  }
  out << fmt::format(
      "\nEach scenario ran {} times for {:.1f} s (creates after a {:.1f} s warm-up) against a "
      "server with {} HTTP I/O threads and async_writes {}, started in this process on a fresh "
      "data directory per "
      "run; the clients are libcurl multi handles over HTTPS (HTTP/1.1 keep-alive, one "
      "connection per request in flight) in the same process, so client CPU is included in the "
      "CPU figures. Objects are ~300-byte Leases; a create is acknowledged only after its "
      "SQLite transaction is durable. Lag from submission runs from the client's send to a "
      "watcher's receipt (it includes the durable commit); lag from acknowledgement starts when "
      "the writer got its 201 (0 when the event arrived first).\n\n",
      config.runs, config.seconds, kWarmupSeconds, config.threads,
      config.async_writes ? "on" : "off");
  out << "Load average (1/5/15 min, runnable/total, last pid) before the runs: " << load_before
      << "; after: " << LoadAverage() << ".\n\n";
  out << MachineNotes() << "\n\n";
  out << "How the server reaches these numbers, and why they move with the machine's load: "
         "bench/apiserver/README.md.\n";
  std::ofstream file(config.report);
  file << out.str();
  std::cout << out.str();
}

Config ParseArgs(int argc, char** argv) {
  Config config;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--seconds") config.seconds = std::atof(value.c_str());
    if (flag == "--runs") config.runs = std::atoi(value.c_str());
    if (flag == "--report") config.report = value;
    if (flag == "--dir") config.dir = value;
    if (flag == "--threads") config.threads = std::atoi(value.c_str());
    if (flag == "--in-flight") config.in_flight = std::atoi(value.c_str());
    if (flag == "--only") config.only = value;
    if (flag == "--async") config.async_writes = value != "0";
    if (flag == "--compare-sync") config.compare_sync = value != "0";
  }
  return config;
}

}  // namespace
}  // namespace osbx::bench

int main(int argc, char** argv) {
  using namespace osbx::bench;
  Config config = ParseArgs(argc, argv);
  curl_global_init(CURL_GLOBAL_ALL);
  std::string load_before = LoadAverage();
  std::vector<CreateRun> creates, sync_creates;
  std::vector<FanoutRun> fanouts;
  std::vector<GcRun> gcs;
  for (int r = 0; r < config.runs; ++r) {
    if (config.only.empty() || config.only == "creates") {
      creates.push_back(RunCreates(config));
      std::cerr << fmt::format("creates run {}: {:.0f}/s\n", r, creates.back().per_second);
      if (config.compare_sync && config.async_writes) {
        Config sync = config;
        sync.async_writes = false;
        sync_creates.push_back(RunCreates(sync));
        std::cerr << fmt::format("creates run {} (sync): {:.0f}/s\n", r,
                                 sync_creates.back().per_second);
      }
    }
    if (config.only.empty() || config.only == "fanout") {
      fanouts.push_back(RunFanout(config));
      std::cerr << fmt::format("fanout run {}: p99 {:.2f} ms\n", r, fanouts.back().lag_p99_ms);
    }
  }
  if (config.only.empty() || config.only == "gc") {
    gcs.push_back(RunGc(config));  // once: it is a bound, not a rate
    std::cerr << fmt::format("gc: cascade {:.2f} s\n", gcs.back().cascade_seconds);
  }
  WriteReport(config, creates, sync_creates, fanouts, gcs, load_before);
  std::filesystem::remove_all(config.dir);
  curl_global_cleanup();
  return 0;
}
