#pragma once
// Connection settings for a Kubernetes API server (client-go's rest.Config) and where they come
// from: the in-cluster service account, a kubeconfig file, and the precedence controller-runtime
// applies to choose between them (--kubeconfig, $KUBECONFIG, in-cluster, ~/.kube/config).
// Bearer tokens read from a file are re-read as they rotate (TokenSource).

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>

#include "internal/utils/clock.h"
#include "internal/utils/status.h"
#include "internal/utils/version.h"

namespace osbx::kube {

// Where the service account's credentials are mounted in a pod.
inline constexpr std::string_view kServiceAccountDir =
    "/var/run/secrets/kubernetes.io/serviceaccount";

// Everything needed to reach and authenticate to one API server.
struct RestConfig {
  std::string server;           // base URL, e.g. "https://10.96.0.1:443"
  std::string ca_pem;           // trusted CA bundle; empty = the system trust store
  std::string client_cert_pem;  // client certificate (mutual TLS), with client_key_pem
  std::string client_key_pem;
  std::string bearer_token;       // static token, or the initial value of bearer_token_file
  std::string bearer_token_file;  // re-read at most once a minute when set (rotating tokens)
  bool insecure_skip_tls_verify = false;
  // Client-side token bucket (client-go defaults); qps <= 0 disables client-side limiting.
  double qps = 5.0;
  int burst = 10;
  std::string user_agent = std::string(kControllerName) + "/" + std::string(kVersion);
  // Deadline of each unary request (not watches); zero = none.
  std::chrono::milliseconds timeout{0};
  // The namespace of the kubeconfig context or of the pod ("" when neither says).
  std::string default_namespace;
  // Where the settings came from ("in-cluster", a kubeconfig path), for messages.
  std::string source;
};

// The bearer token to send on each request. A token file is re-read when the last read is older
// than the refresh period (client-go's cached file token source); if a re-read fails the previous
// token stays in use. Thread-safe.
class TokenSource {
 public:
  TokenSource(std::string static_token, std::string token_file, const Clock& clock,
              Clock::Duration refresh = std::chrono::minutes(1));

  // The current token; "" when no token is configured. Fails only when a token file is configured
  // and has never been readable and no static token is known.
  [[nodiscard]] StatusOr<std::string> Token();

 private:
  const std::string token_file_;
  const Clock& clock_;
  const Clock::Duration refresh_;
  std::mutex mu_;
  std::string token_;             // guarded by mu_
  Clock::TimePoint last_read_{};  // guarded by mu_
  bool read_once_ = false;        // guarded by mu_
};

// What in-cluster configuration is derived from: the service environment variables and the
// service-account directory. Injectable so tests can point at a temp dir.
struct InClusterEnvironment {
  std::string service_host;  // $KUBERNETES_SERVICE_HOST
  std::string service_port;  // $KUBERNETES_SERVICE_PORT
  std::filesystem::path secrets_dir{std::string(kServiceAccountDir)};

  // True when the process looks like it runs in a pod (both variables set).
  bool Available() const { return !service_host.empty() && !service_port.empty(); }
};

// The in-cluster environment of this process.
InClusterEnvironment InClusterEnvironmentFromProcess();

// client-go's InClusterConfig: https://host:port, the service-account token (as a rotating token
// file), its CA (system trust store if ca.crt is missing) and the pod's namespace.
[[nodiscard]] StatusOr<RestConfig> InClusterConfig(const InClusterEnvironment& env);
[[nodiscard]] StatusOr<RestConfig> InClusterConfig();

// Inputs of the configuration precedence, injectable for tests.
struct ConfigSources {
  std::string kubeconfig_flag;  // --kubeconfig
  std::string kubeconfig_env;   // $KUBECONFIG (a ':'-separated list; its first file is used)
  InClusterEnvironment in_cluster;
  std::string home;  // $HOME, for ~/.kube/config
};

// The sources of this process with the given --kubeconfig value.
ConfigSources ConfigSourcesFromProcess(std::string kubeconfig_flag);

// controller-runtime's precedence: --kubeconfig, then $KUBECONFIG, then in-cluster, then
// ~/.kube/config. An explicitly named file that is broken is an error, never skipped.
[[nodiscard]] StatusOr<RestConfig> ResolveConfig(const ConfigSources& sources);
[[nodiscard]] StatusOr<RestConfig> ResolveConfig(const std::string& kubeconfig_flag);

}  // namespace osbx::kube
