// delivery_bench: how fast the controllers deliver pooled sandboxes in standalone mode with the
// simulated node, and how many API writes they spend doing it (issue 5, "Speed").
//
//   delivery_bench                       scenarios a, b, c (c as a 10 s run) in one process
//   delivery_bench --claims-seconds 60   the full claim-rate run
//   delivery_bench --scenarios d ...     the 100,000-sandbox scale run (opt-in; see scale.h)
//
// Results go to stdout and between the result markers of bench/reports/delivery.md, one block
// for a-c and one for d (the rest of that file, the analysis, is kept).

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>
#include <thread>

#include "bench/delivery/scale.h"
#include "bench/delivery/scenarios.h"
#include "bench/delivery/system.h"
#include "internal/utils/log.h"

namespace osbx::bench {
namespace {

struct BenchFlags {
  std::string scenarios = "a,b,c";
  int runs = 5;
  int warmup_runs = 3;
  double claims_rate = 100;
  double claims_seconds = 10;
  std::string report = "bench/reports/delivery.md";
  double controller_qps = 0;
  int node_startup_delay_ms = 5;
  int max_parallel_writes = 0;
  ScaleOptions scale;
};

double Median(std::vector<double> v) { return Percentile(std::move(v), 50); }

template <typename T>
std::string Join(const std::vector<T>& v, const char* format) {
  std::string out;
  for (const T& x : v) out += (out.empty() ? "" : ", ") + fmt::format(fmt::runtime(format), x);
  return out;
}

std::string Verdict(bool met, double value, double target) {
  return fmt::format("{} (x{:.2f} of target)", met ? "**met**" : "**missed**", value / target);
}

void ReportDelivery(std::ostringstream& out, const DeliveryResult& r, double target_ms) {
  const double median = Median(r.ms);
  uint64_t most_writes = 0;
  for (uint64_t w : r.batch_writes) most_writes = std::max(most_writes, w);
  out << fmt::format("### (a) pooled BatchSandbox of {} on a warm Pool\n\n", r.replicas);
  out << fmt::format(
      "- create -> all {} endpoints published: median **{:.1f} ms** (runs: {} ms); "
      "target < {:.0f} ms: {}\n",
      r.replicas, median, Join(r.ms, "{:.1f}"), target_ms,
      Verdict(median < target_ms, median, target_ms));
  out << fmt::format(
      "- controller writes to the BatchSandbox per delivered batch: {} (most {}); "
      "target <= 2: {}\n",
      Join(r.batch_writes, "{}"), most_writes, most_writes <= 2 ? "**met**" : "**missed**");
  out << fmt::format(
      "- controller Event writes per batch: {}; other controller writes in the run "
      "(pool status, pods): {}\n",
      Join(r.event_writes, "{}"), Join(r.other_writes, "{}"));
  out << fmt::format("- the simulated node's writes in the same window (counted apart): {}\n",
                     Join(r.node_writes, "{}"));
  out << fmt::format("- load average (1 / 5 min) before / after: {} -> {}\n\n", r.load_before,
                     r.load_after);
}

void ReportWarmup(std::ostringstream& out, const WarmupResult& r) {
  const double median = Median(r.ms);
  out << fmt::format("### (b) Pool warm-up of {} pods\n\n", r.pods);
  out << fmt::format(
      "- Pool create -> {} Ready pods: median **{:.0f} ms** (runs: {} ms); target "
      "< 2000 ms: {}\n",
      r.pods, median, Join(r.ms, "{:.0f}"), Verdict(median < 2000, median, 2000));
  out << fmt::format(
      "- Pool create -> the last of the {} pods created (seen by a watch): median "
      "{:.0f} ms (runs: {} ms); the rest is the node binding and starting them\n",
      r.pods, Median(r.created_ms), Join(r.created_ms, "{:.0f}"));
  out << fmt::format("- controller writes per warm-up: {}\n", Join(r.controller_writes, "{}"));
  out << fmt::format("- load average before / after: {} -> {}\n\n", r.load_before, r.load_after);
}

void ReportClaims(std::ostringstream& out, const ClaimsResult& r) {
  const double p50 = Percentile(r.ms, 50), p99 = Percentile(r.ms, 99);
  out << fmt::format("### (c) single-sandbox claims at {:.0f}/s for {:.0f} s\n\n", r.rate,
                     r.seconds);
  out << fmt::format(
      "- delivered {} of {} claims (a claim undelivered 10 s after its slot counts "
      "as lost)\n",
      r.delivered, r.sent);
  out << fmt::format(
      "- create -> endpoint: p50 **{:.1f} ms** (target < 30: {}), p99 **{:.1f} ms** "
      "(target < 150: {}), max {:.1f} ms\n",
      p50, Verdict(p50 < 30, p50, 30), p99, Verdict(p99 < 150, p99, 150), Percentile(r.ms, 100));
  out << fmt::format(
      "- controller writes to BatchSandboxes per claim, claim and release together: "
      "{:.2f}\n",
      r.writes_per_claim);
  out << fmt::format(
      "- CPU per claim, the whole process (API server, node, controllers, this "
      "client): {:.1f} ms; at {:.0f}/s that is {:.2f} cores of the machine's {}\n",
      r.cpu_ms_per_claim, r.rate, r.cpu_ms_per_claim * r.rate / 1000.0,
      std::thread::hardware_concurrency());
  out << fmt::format("- load average before / after: {} -> {}\n\n", r.load_before, r.load_after);
}

// Replaces the text between the `block` result markers of `path` (appends them when missing).
void WriteReport(const std::string& path, const std::string& block, const std::string& results) {
  const std::string begin = "<!-- results:" + block + ":begin -->";
  const std::string end = "<!-- results:" + block + ":end -->";
  std::string text;
  if (std::ifstream in(path); in) {
    std::stringstream buf;
    buf << in.rdbuf();
    text = buf.str();
  }
  const size_t b = text.find(begin), e = text.find(end);
  const std::string replacement = begin + "\n" + results + end;
  if (b != std::string::npos && e != std::string::npos && e > b) {
    text.replace(b, e + end.size() - b, replacement);
  } else {
    text += "\n" + replacement + "\n";
  }
  std::ofstream(path) << text;
}

int Run(const BenchFlags& flags) {
  std::ostringstream out;
  auto has = [&](char s) { return flags.scenarios.find(s) != std::string::npos; };
  if (has('a') || has('b') || has('c')) {
    SystemOptions options;
    options.controller_qps = flags.controller_qps;
    options.node_startup_delay_ms = flags.node_startup_delay_ms;
    options.max_parallel_writes = flags.max_parallel_writes;
    auto system = InProcessSystem::Start(options);
    if (!system.ok()) {
      fmt::print(stderr, "start: {}\n", system.status().ToString());
      return 1;
    }
    out << fmt::format(
        "In-process standalone system (server, simulated node with {} ms startup "
        "delay, controllers; controller client qps {}).\n\n",
        flags.node_startup_delay_ms, flags.controller_qps);
    for (auto [replicas, target] : {std::pair{30, 45.0}, std::pair{1000, 100.0}}) {
      if (!has('a')) break;
      auto r = RunDelivery(**system, replicas, flags.runs);
      if (!r.ok()) return fmt::print(stderr, "a: {}\n", r.status().ToString()), 1;
      ReportDelivery(out, *r, target);
    }
    if (has('b')) {
      auto r = RunWarmup(**system, 1000, flags.warmup_runs);
      if (!r.ok()) return fmt::print(stderr, "b: {}\n", r.status().ToString()), 1;
      ReportWarmup(out, *r);
    }
    if (has('c')) {
      auto r = RunClaims(**system, flags.claims_rate, flags.claims_seconds);
      if (!r.ok()) return fmt::print(stderr, "c: {}\n", r.status().ToString()), 1;
      ReportClaims(out, *r);
    }
    (*system)->Stop();
    out << fmt::format("Load average at the end: {}\n\n", LoadAverage());
    if (!flags.report.empty()) WriteReport(flags.report, "abc", out.str());
  }
  if (has('d')) {
    auto r = RunScale(flags.scale);
    if (!r.ok()) return fmt::print(stderr, "d: {}\n", r.status().ToString()), 1;
    out << *r;
    if (!flags.report.empty()) WriteReport(flags.report, "d", *r);
  }
  fmt::print("\n{}", out.str());
  return 0;
}

}  // namespace
}  // namespace osbx::bench

int main(int argc, char** argv) {
  osbx::bench::BenchFlags flags;
  CLI::App app{"Pooled delivery benchmark of the Pool and BatchSandbox controllers"};
  app.add_option("--scenarios", flags.scenarios, "Any of a,b,c,d")->capture_default_str();
  app.add_option("--runs", flags.runs, "Runs of each delivery size")->capture_default_str();
  app.add_option("--warmup-runs", flags.warmup_runs, "Runs of the warm-up")->capture_default_str();
  app.add_option("--claims-rate", flags.claims_rate, "Claims per second")->capture_default_str();
  app.add_option("--claims-seconds", flags.claims_seconds, "Length of the claim run")
      ->capture_default_str();
  app.add_option("--controller-qps", flags.controller_qps,
                 "Controllers' client-side QPS limit (0: none, as in standalone mode)")
      ->capture_default_str();
  app.add_option("--node-startup-delay-ms", flags.node_startup_delay_ms)->capture_default_str();
  app.add_option("--max-parallel-writes", flags.max_parallel_writes,
                 "Controllers' concurrent creates/deletes per reconcile (0: their default)");
  app.add_option("--report", flags.report, "Markdown report to update ('' = none)")
      ->capture_default_str();
  osbx::bench::AddScaleFlags(app, flags.scale);
  CLI11_PARSE(app, argc, argv);
  osbx::log::Init(osbx::log::Options{});
  return osbx::bench::Run(flags);
}
