#include "pkg/kube/client/config.h"

#include <cstdlib>
#include <system_error>

#include "pkg/kube/client/files.h"
#include "pkg/kube/client/kubeconfig.h"

namespace osbx::kube {
namespace {

std::string TrimSpace(std::string s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::string GetEnv(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

bool FileExists(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

// The first non-empty entry of a ':'-separated $KUBECONFIG list.
std::string FirstKubeconfigEntry(const std::string& list) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(':', start);
    if (end == std::string::npos) end = list.size();
    std::string entry = list.substr(start, end - start);
    if (!entry.empty()) return entry;
    start = end + 1;
  }
  return "";
}

}  // namespace

TokenSource::TokenSource(std::string static_token, std::string token_file, const Clock& clock,
                         Clock::Duration refresh)
    : token_file_(std::move(token_file)),
      clock_(clock),
      refresh_(refresh),
      token_(std::move(static_token)) {}

StatusOr<std::string> TokenSource::Token() {
  std::lock_guard<std::mutex> lock(mu_);
  if (token_file_.empty()) return token_;
  Clock::TimePoint now = clock_.Now();
  if (read_once_ && now - last_read_ < refresh_) return token_;
  StatusOr<std::string> contents = ReadFileToString(token_file_);
  // A failed re-read is retried on the next period; the previous token stays valid meanwhile.
  last_read_ = now;
  if (contents.ok()) {
    std::string token = TrimSpace(*contents);
    if (!token.empty()) {
      token_ = std::move(token);
      read_once_ = true;
      return token_;
    }
  }
  if (!token_.empty()) {
    read_once_ = true;
    return token_;
  }
  return contents.ok()
             ? Status(StatusCode::kUnauthorized, "token file " + token_file_ + " is empty")
             : contents.status();
}

InClusterEnvironment InClusterEnvironmentFromProcess() {
  InClusterEnvironment env;
  env.service_host = GetEnv("KUBERNETES_SERVICE_HOST");
  env.service_port = GetEnv("KUBERNETES_SERVICE_PORT");
  return env;
}

StatusOr<RestConfig> InClusterConfig(const InClusterEnvironment& env) {
  if (!env.Available()) {
    return InvalidError(
        "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be "
        "set");
  }
  RestConfig config;
  // An IPv6 literal needs brackets in a URL.
  bool ipv6 = env.service_host.find(':') != std::string::npos;
  config.server = "https://" + (ipv6 ? "[" + env.service_host + "]" : env.service_host) + ":" +
                  env.service_port;
  std::filesystem::path token_path = env.secrets_dir / "token";
  StatusOr<std::string> token = ReadFileToString(token_path);
  if (!token.ok()) return InvalidError("in-cluster config: " + token.status().message());
  config.bearer_token = TrimSpace(*token);
  config.bearer_token_file = token_path.string();
  StatusOr<std::string> ca = ReadFileToString(env.secrets_dir / "ca.crt");
  if (ca.ok()) config.ca_pem = std::move(*ca);
  StatusOr<std::string> ns = ReadFileToString(env.secrets_dir / "namespace");
  config.default_namespace = ns.ok() ? TrimSpace(*ns) : "default";
  config.source = "in-cluster";
  return config;
}

StatusOr<RestConfig> InClusterConfig() {
  return InClusterConfig(InClusterEnvironmentFromProcess());
}

ConfigSources ConfigSourcesFromProcess(std::string kubeconfig_flag) {
  ConfigSources sources;
  sources.kubeconfig_flag = std::move(kubeconfig_flag);
  sources.kubeconfig_env = GetEnv("KUBECONFIG");
  sources.in_cluster = InClusterEnvironmentFromProcess();
  sources.home = GetEnv("HOME");
  return sources;
}

StatusOr<RestConfig> ResolveConfig(const ConfigSources& sources) {
  if (!sources.kubeconfig_flag.empty()) return LoadKubeconfig(sources.kubeconfig_flag);
  std::string from_env = FirstKubeconfigEntry(sources.kubeconfig_env);
  if (!from_env.empty()) return LoadKubeconfig(from_env);
  if (sources.in_cluster.Available()) return InClusterConfig(sources.in_cluster);
  if (!sources.home.empty()) {
    std::filesystem::path home_config = std::filesystem::path(sources.home) / ".kube" / "config";
    if (FileExists(home_config)) return LoadKubeconfig(home_config.string());
  }
  return InvalidError(
      "no Kubernetes configuration found: no --kubeconfig flag, $KUBECONFIG is unset, not running "
      "in a cluster, and ~/.kube/config does not exist");
}

StatusOr<RestConfig> ResolveConfig(const std::string& kubeconfig_flag) {
  return ResolveConfig(ConfigSourcesFromProcess(kubeconfig_flag));
}

}  // namespace osbx::kube
