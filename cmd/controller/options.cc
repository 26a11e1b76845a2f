#include "cmd/controller/options.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace osbx::controller {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

void AddFlags(CLI::App& app, Flags& f) {
  app.add_option("--kubeconfig", f.kubeconfig,
                 "Path to a kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)");
  app.add_flag("--leader-elect", f.leader_elect,
               "Enable leader election so that only one controller manager is active");
  app.add_option("--leader-election-id", f.leader_election_id,
                 "Name of the Lease used for leader election")
      ->capture_default_str();
  app.add_option("--leader-election-namespace", f.leader_election_namespace,
                 "Namespace of the leader election Lease (default: the pod's namespace)");
  app.add_option("--metrics-bind-address", f.metrics_bind_address,
                 "Address the /metrics endpoint binds to; \"0\" disables it")
      ->capture_default_str();
  app.add_option("--health-probe-bind-address", f.health_probe_bind_address,
                 "Address the /healthz and /readyz endpoints bind to; \"0\" disables them")
      ->capture_default_str();
  app.add_option("--kube-client-qps", f.kube_client_qps,
                 "Client-side QPS limit towards the API server (<= 0 disables it)")
      ->capture_default_str();
  app.add_option("--kube-client-burst", f.kube_client_burst,
                 "Client-side burst towards the API server")
      ->capture_default_str();
  app.add_option("-v,--v", f.verbosity, "Log verbosity (0 quiet ... 6 wire-level)")
      ->capture_default_str();
  app.add_option("--log-format", f.log_format, "Log format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--concurrency", f.concurrency,
                 "Workers per controller, e.g. \"batchsandbox=32;pool=16\"")
      ->capture_default_str();
  app.add_option("--graceful-shutdown-timeout", f.graceful_shutdown_timeout,
                 "How long to wait for controllers to finish on shutdown (e.g. 30s)")
      ->capture_default_str();
  app.add_option("--allocation-settle-delay", f.allocation_settle_delay,
                 "Before the first allocation after start, wait this long for the last writes of "
                 "a previous controller process to reach the API server (0 disables)")
      ->capture_default_str();
}

StatusOr<std::map<std::string, int>> ParseConcurrency(const std::string& text) {
  std::map<std::string, int> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(";,", start);
    if (end == std::string::npos) end = text.size();
    std::string item = Trim(std::string_view(text).substr(start, end - start));
    start = end + 1;
    if (item.empty()) continue;
    auto eq = item.find('=');
    std::string name = Trim(std::string_view(item).substr(0, eq));
    std::string value = eq == std::string::npos ? "" : Trim(std::string_view(item).substr(eq + 1));
    int n = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (name.empty() || value.empty() || ec != std::errc() || ptr != value.data() + value.size() ||
        n < 1) {
      return InvalidError(fmt::format(
          "--concurrency: \"{}\" is not controller=N with N >= 1 (e.g. batchsandbox=32)", item));
    }
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out[name] = n;
  }
  return out;
}

StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  auto bad = [&] { return InvalidError(fmt::format("invalid duration \"{}\"", text)); };
  if (text.empty()) return bad();
  double seconds = 0;
  size_t i = 0;
  bool bare = true;
  while (i < text.size()) {
    size_t num_end = i;
    while (num_end < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[num_end])) || text[num_end] == '.')) {
      ++num_end;
    }
    if (num_end == i) return bad();
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data() + i, text.data() + num_end, value);
    if (ec != std::errc() || ptr != text.data() + num_end) return bad();
    size_t unit_end = num_end;
    while (unit_end < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_end]))) {
      ++unit_end;
    }
    std::string unit = text.substr(num_end, unit_end - num_end);
    if (unit.empty() && !(bare && unit_end == text.size())) return bad();
    if (unit.empty() || unit == "s") {
      seconds += value;
    } else if (unit == "ms") {
      seconds += value / 1000;
    } else if (unit == "m") {
      seconds += value * 60;
    } else if (unit == "h") {
      seconds += value * 3600;
    } else {
      return bad();
    }
    bare = false;
    i = unit_end;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000)));
}

StatusOr<log::Options> LogOptions(const Flags& flags) {
  log::Options options;
  options.verbosity = flags.verbosity;
  if (!log::ParseFormat(flags.log_format, &options.format)) {
    return InvalidError(fmt::format("--log-format: \"{}\" is not text or json", flags.log_format));
  }
  return options;
}

StatusOr<kube::ManagerOptions> ManagerOptionsFrom(const Flags& flags,
                                                  const std::string& default_namespace) {
  kube::ManagerOptions options;
  options.metrics_bind_address = flags.metrics_bind_address;
  options.health_probe_bind_address = flags.health_probe_bind_address;
  options.leader_election = flags.leader_elect;
  options.leader_election_id = flags.leader_election_id;
  options.leader_election_namespace =
      !flags.leader_election_namespace.empty()
          ? flags.leader_election_namespace
          : (!default_namespace.empty() ? default_namespace : "default");
  OSBX_ASSIGN_OR_RETURN(auto grace, ParseDuration(flags.graceful_shutdown_timeout));
  options.graceful_shutdown_timeout = grace;
  return options;
}

}  // namespace osbx::controller
