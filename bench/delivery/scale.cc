#include "bench/delivery/scale.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "bench/delivery/scenarios.h"
#include "bench/delivery/watchers.h"
#include "pkg/kube/client/config.h"
#include "pkg/kube/client/rest_client.h"

extern char** environ;

namespace osbx::bench {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

const kube::ResourceRef kBatches{"sandbox.opensandbox.io", "v1alpha1", "batchsandboxes",
                                 "BatchSandbox", true};
const kube::ResourceRef kPools{"sandbox.opensandbox.io", "v1alpha1", "pools", "Pool", true};

// A child process with its output in a log file; killed (SIGKILL) when destroyed.
class Child {
 public:
  static StatusOr<Child> Spawn(const std::vector<std::string>& args, const std::string& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return InternalError("spawn " + args[0] + ": " + std::strerror(rc));
    Child child;
    child.pid_ = pid;
    return child;
  }
  Child() = default;
  Child(Child&& other) noexcept : pid_(std::exchange(other.pid_, 0)) {}
  Child& operator=(Child&& other) noexcept {
    Kill(SIGKILL);
    pid_ = std::exchange(other.pid_, 0);
    return *this;
  }
  ~Child() { Kill(SIGKILL); }

  // Sends `signal` and reaps the process.
  void Kill(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = 0;
};

// Resident set size of `pid` in MiB (VmRSS), 0 when unreadable.
double RssMiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

std::string DefaultBinary() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return (self.parent_path() / "opensandbox-controller").string();
}

Json Template() {
  return {{"spec",
           {{"containers",
             Json::array({{{"name", "sandbox-container"}, {"image", "nginx:latest"}}})}}}};
}

Status WaitFor(const std::function<bool()>& done, milliseconds timeout, const std::string& what) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return UnavailableError("timed out waiting for " + what);
    std::this_thread::sleep_for(milliseconds(100));
  }
  return Status::Ok();
}

int PoolAvailable(kube::RestClient& client) {
  StatusOr<Json> pool = client.Get(kPools, "default", "scale");
  if (!pool.ok()) return -1;
  auto status = pool->find("status");
  return status != pool->end() && status->is_object() ? status->value("available", 0) : 0;
}

Json Batch(const std::string& name, int replicas) {
  return {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
          {"kind", "BatchSandbox"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec", {{"replicas", replicas}, {"poolRef", "scale"}, {"template", Template()}}}};
}

// `args` after the words of `prefix`.
std::vector<std::string> Prefixed(const std::string& prefix, const std::vector<std::string>& args) {
  std::vector<std::string> out;
  std::stringstream words(prefix);
  for (std::string word; words >> word;) out.push_back(word);
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

struct ScaleRun {
  int batch_size = 0;
  int batches = 0;
  double warm_s = 0, deliver_s = 0;
  double rss_mib = 0, rss_after_restart_mib = 0;
  double restart_ms = 0;
};

StatusOr<ScaleRun> RunShape(const ScaleOptions& options, int batch_size) {
  ScaleRun run;
  run.batch_size = batch_size;
  run.batches = options.sandboxes / batch_size;
  const std::string binary =
      options.controller_binary.empty() ? DefaultBinary() : options.controller_binary;
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / fmt::format("osbx-scale-{}", rd());
  fs::create_directories(dir);
  const std::string kubeconfig = (dir / "kubeconfig").string();
  OSBX_ASSIGN_OR_RETURN(Child server, Child::Spawn({binary, "standalone", "--no-controllers",
                                                    "--data-dir", dir.string(), "--port", "0"},
                                                   (dir / "server.log").string()));
  OSBX_RETURN_IF_ERROR(
      WaitFor([&] { return fs::exists(kubeconfig); }, milliseconds(60000), "the server"));
  const std::vector<std::string> controller_args = {
      binary, "--kubeconfig",           kubeconfig, "--kube-client-qps",
      "0",    "--metrics-bind-address", "0",        "--health-probe-bind-address",
      "0"};
  OSBX_ASSIGN_OR_RETURN(Child controller,
                        Child::Spawn(Prefixed(options.controller_prefix, controller_args),
                                     (dir / "controller.log").string()));
  OSBX_ASSIGN_OR_RETURN(kube::RestConfig config, kube::ResolveConfig(kubeconfig));
  config.qps = 0;
  config.user_agent = "delivery-bench/1";
  config.timeout = std::chrono::seconds(60);
  OSBX_ASSIGN_OR_RETURN(auto client, kube::RestClient::New(config));
  OSBX_ASSIGN_OR_RETURN(auto watcher, BatchWatcher::Start(*client, "default"));

  // A pool holding every sandbox plus a few spare pods for the probe after the restart.
  const int pods = options.sandboxes + 8;
  Json pool = {{"apiVersion", "sandbox.opensandbox.io/v1alpha1"},
               {"kind", "Pool"},
               {"metadata", {{"name", "scale"}, {"namespace", "default"}}},
               {"spec",
                {{"template", Template()},
                 {"capacitySpec",
                  {{"poolMin", pods}, {"poolMax", pods}, {"bufferMin", 0}, {"bufferMax", pods}}},
                 {"scaleStrategy", {{"maxUnavailable", "100%"}}}}}};
  auto t = Clock::now();
  OSBX_RETURN_IF_ERROR(client->Create(kPools, "default", pool).status());
  OSBX_RETURN_IF_ERROR(WaitFor([&] { return PoolAvailable(*client) >= pods; },
                               milliseconds(3600000), "the pool to warm up"));
  run.warm_s = std::chrono::duration<double>(Clock::now() - t).count();

  t = Clock::now();
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> creators;
  for (int c = 0; c < options.create_parallelism; ++c) {
    creators.emplace_back([&] {
      for (int i = next.fetch_add(1); i < run.batches; i = next.fetch_add(1)) {
        if (!client->Create(kBatches, "default", Batch(fmt::format("s{}", i), batch_size)).ok())
          ++failures;
      }
    });
  }
  for (std::thread& c : creators) c.join();
  if (failures > 0) return InternalError(fmt::format("{} batch creates failed", failures.load()));
  OSBX_RETURN_IF_ERROR(
      WaitFor([&] { return watcher->DeliveredCount() >= static_cast<size_t>(run.batches); },
              milliseconds(3600000), "every batch to be delivered"));
  run.deliver_s = std::chrono::duration<double>(Clock::now() - t).count();
  run.rss_mib = RssMiB(controller.pid());

  controller.Kill(options.controller_prefix.empty() ? SIGKILL : SIGINT);
  t = Clock::now();
  OSBX_ASSIGN_OR_RETURN(controller, Child::Spawn(Prefixed(options.restart_prefix, controller_args),
                                                 (dir / "controller-restart.log").string()));
  OSBX_RETURN_IF_ERROR(client->Create(kBatches, "default", Batch("probe", 1)).status());
  std::optional<SteadyTime> served = watcher->WaitDelivered("probe", milliseconds(600000));
  if (!served) return UnavailableError("the restarted controller served nothing in 10 min");
  run.restart_ms = std::chrono::duration<double, std::milli>(*served - t).count();
  run.rss_after_restart_mib = RssMiB(controller.pid());
  controller.Kill(options.restart_prefix.empty() ? SIGKILL : SIGINT);
  server.Kill(SIGTERM);
  if (options.keep_dir) {
    fmt::print("(d) run directory kept: {}\n", dir.string());
  } else {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  return run;
}

}  // namespace

void AddScaleFlags(CLI::App& app, ScaleOptions& options) {
  app.add_option("--scale-sandboxes", options.sandboxes, "(d) pooled sandboxes to hold")
      ->capture_default_str();
  app.add_option("--scale-batch-sizes", options.batch_sizes, "(d) batch sizes, e.g. 1000,1")
      ->capture_default_str();
  app.add_option("--controller-binary", options.controller_binary,
                 "(d) opensandbox-controller to run (default: beside this binary)");
  app.add_option("--scale-restart-prefix", options.restart_prefix,
                 "(d) command words before the restarted controller's, e.g. a profiler");
  app.add_option("--scale-controller-prefix", options.controller_prefix,
                 "(d) command words before the first controller's (it then stops with SIGINT)");
  app.add_flag("--scale-keep-dir", options.keep_dir, "(d) keep the run's data dir and logs");
  app.add_option("--scale-create-parallelism", options.create_parallelism,
                 "(d) concurrent BatchSandbox creates")
      ->capture_default_str();
}

StatusOr<std::string> RunScale(const ScaleOptions& options) {
  std::string out =
      fmt::format("### (d) {} pooled sandboxes in one controller process\n\n", options.sandboxes);
  out +=
      "| batches | pool warm-up | delivery of all | controller RSS | RSS after restart | "
      "restart -> first allocation | targets (< 1 GiB, < 10 s) |\n|---|---|---|---|---|---|---|\n";
  std::stringstream sizes(options.batch_sizes);
  for (std::string item; std::getline(sizes, item, ',');) {
    const int size = std::stoi(item);
    fmt::print("(d) {} sandboxes as batches of {}...\n", options.sandboxes, size);
    std::fflush(stdout);
    OSBX_ASSIGN_OR_RETURN(ScaleRun r, RunShape(options, size));
    const size_t row_start = out.size();
    out += fmt::format(
        "| {} x {} | {:.1f} s | {:.1f} s | {:.0f} MiB | {:.0f} MiB | {:.0f} ms | "
        "{} / {} |\n",
        r.batches, r.batch_size, r.warm_s, r.deliver_s, r.rss_mib, r.rss_after_restart_mib,
        r.restart_ms, r.rss_mib < 1024 ? "met" : "missed", r.restart_ms < 10000 ? "met" : "missed");
    fmt::print("{}", out.substr(row_start));  // each row as soon as it is known
    std::fflush(stdout);
  }
  out += fmt::format("\nLoad average at the end: {}\n\n", LoadAverage());
  return out;
}

}  // namespace osbx::bench
