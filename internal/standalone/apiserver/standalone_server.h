#pragma once
// StandaloneServer: the API server of standalone mode, ready to run. Open(data_dir) prepares
// the data directory: on first start a CA and a serving certificate for 127.0.0.1/localhost and
// a random bearer token (files mode 0600), and the durable store. Start() listens on loopback
// with TLS, installs the project's CRDs and the namespaces default and opensandbox-system on a
// fresh store, and writes <data_dir>/kubeconfig for kubectl. A restart with the same directory
// keeps every object, the certificates and the token.
//
//   auto server = StandaloneServer::Open({.data_dir = dir, .port = 6443});
//   OSBX_RETURN_IF_ERROR((*server)->Start());
//   std::cout << (*server)->KubectlHint() << "\n";

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "internal/standalone/apiserver/api_server.h"
#include "internal/standalone/store/store.h"
#include "internal/utils/status.h"
#include "pkg/http/server.h"

namespace osbx::standalone {

struct StandaloneOptions {
  std::string data_dir;
  std::string bind_address = "127.0.0.1";
  uint16_t port = 6443;      // 0 picks a free port
  int threads = 4;           // HTTP I/O threads
  bool async_writes = true;  // see ApiServerOptions::async_writes
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds(60)};
  StoreOptions store;
};

class StandaloneServer {
 public:
  [[nodiscard]] static StatusOr<std::unique_ptr<StandaloneServer>> Open(StandaloneOptions options);
  ~StandaloneServer();
  StandaloneServer(const StandaloneServer&) = delete;
  StandaloneServer& operator=(const StandaloneServer&) = delete;

  // Bootstraps the API, starts listening and writes the kubeconfig.
  [[nodiscard]] Status Start();
  // Stops serving (open watches end) and closes the store. Idempotent.
  void Stop();

  uint16_t port() const;
  // "https://127.0.0.1:<port>".
  std::string url() const;
  const std::string& token() const { return token_; }
  const std::string& ca_pem() const { return ca_pem_; }
  std::string kubeconfig_path() const;
  // The line to show the user: "kubectl --kubeconfig <dir>/kubeconfig get namespaces".
  std::string KubectlHint() const;
  ApiServer& api() { return *api_; }

 private:
  StandaloneServer() = default;

  StandaloneOptions options_;
  std::string token_;
  std::string ca_pem_;
  std::string cert_pem_;
  std::string key_pem_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ApiServer> api_;
  std::unique_ptr<http::Server> http_;
};

}  // namespace osbx::standalone
