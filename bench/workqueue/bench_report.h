#pragma once
// Shared by the benchmarks under bench/: runs the registered Google Benchmarks with the console
// output, collects each benchmark's median, and writes a short markdown report to
// bench/reports/<name>.md with the medians, the ratios to their targets and machine notes.

#include <benchmark/benchmark.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace osbx::bench {

// A median worth reporting: "<counter> of <benchmark>" compared with a target.
struct Target {
  std::string benchmark;  // name as registered, e.g. "BM_AddGetDone"
  std::string counter;    // a user counter of that benchmark, e.g. "cycles_per_second"
  double goal;            // the value to beat
  bool higher_is_better = true;
  std::string what;  // one line for the report
};

// Captures the median aggregate of every benchmark (or its single run without repetitions).
class MedianReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (median || run.run_type == Run::RT_Iteration) {
        auto& slot = medians_[run.run_name.function_name];
        if (median || slot.empty()) {
          slot.clear();
          for (const auto& [name, counter] : run.counters) slot[name] = counter.value;
          slot["real_time"] = run.GetAdjustedRealTime();
        }
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  const std::map<std::string, std::map<std::string, double>>& medians() const { return medians_; }

 private:
  std::map<std::string, std::map<std::string, double>> medians_;
};

inline std::string MachineNotes() {
  std::ostringstream out;
  utsname u{};
  if (uname(&u) == 0) out << u.sysname << " " << u.release << " " << u.machine;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      out << "; CPU:" << line.substr(line.find(':') + 1);
      break;
    }
  }
  out << "; " << std::thread::hardware_concurrency() << " hardware threads (shared with other "
      << "builds; numbers are indicative)";
  std::ifstream loadavg("/proc/loadavg");
  std::string one, five;
  if (loadavg >> one >> five) out << "; load average " << one << " / " << five << " at the end";
#ifdef NDEBUG
  out << "; optimized build";
#else
  out << "; DEBUG build (unoptimized: numbers understate release speed)";
#endif
  return out.str();
}

// Runs the benchmarks and writes `<source>/bench/reports/<name>.md`. `extra` is appended as-is.
inline int RunAndReport(int argc, char** argv, const std::string& name, const std::string& title,
                        const std::vector<Target>& targets, const std::string& extra = "") {
  benchmark::Initialize(&argc, argv);
  MedianReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::ostringstream md;
  md << "# " << title << "\n\n";
  md << "| measure | median | target | ratio to target |\n|---|---|---|---|\n";
  for (const Target& t : targets) {
    auto b = reporter.medians().find(t.benchmark);
    if (b == reporter.medians().end()) continue;
    auto c = b->second.find(t.counter);
    if (c == b->second.end()) continue;
    const double ratio = t.higher_is_better ? c->second / t.goal : t.goal / c->second;
    char line[512];
    std::snprintf(line, sizeof(line), "| %s (`%s`) | %.0f | %s %.0f | %.2fx %s |\n", t.what.c_str(),
                  t.benchmark.c_str(), c->second, t.higher_is_better ? ">" : "<", t.goal, ratio,
                  ratio >= 1 ? "(met)" : "(missed)");
    md << line;
  }
  md << "\nAll medians (per benchmark):\n\n";
  for (const auto& [bench, counters] : reporter.medians()) {
    md << "- `" << bench << "`:";
    for (const auto& [counter, value] : counters) md << " " << counter << "=" << value;
    md << "\n";
  }
  md << "\n" << extra << "\nMachine: " << MachineNotes() << "\n";
  const std::string path = std::string(OSBX_SOURCE_DIR) + "/bench/reports/" + name + ".md";
  std::ofstream(path) << md.str();
  std::printf("report written to %s\n", path.c_str());
  return 0;
}

}  // namespace osbx::bench
