#pragma once
// Server: the project's HTTP/1.1 server (plain or TLS) for the API server of standalone mode,
// the manager's /metrics, /healthz and /readyz, the task executor's API and test fixtures.
//
// One handler serves every request (callers route themselves or use Router). Connections are
// served by a small pool of I/O threads; a streaming response (a watch) holds no thread, so a
// few threads carry many idle streams. Handlers run on those I/O threads and must not block for
// long: slow work retains the ResponseWriter and answers from elsewhere.
//
//   http::Server server({.port = 0}, router.ToHandler());
//   OSBX_RETURN_IF_ERROR(server.Start());
//   ... server.port() ...
//   server.Stop();

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "internal/utils/status.h"
#include "pkg/http/response_writer.h"

namespace osbx::http {

// Serving certificate for HTTPS.
struct TlsConfig {
  std::string cert_chain_pem;   // leaf certificate first, then intermediates
  std::string private_key_pem;  // the leaf's key (PKCS#8 or traditional PEM)
};

struct ServerOptions {
  std::string bind_address = "127.0.0.1";       // an IPv4 or IPv6 literal ("0.0.0.0", "::")
  uint16_t port = 0;                            // 0 picks a free port; see Server::port()
  int threads = 2;                              // I/O threads
  std::optional<TlsConfig> tls = std::nullopt;  // absent: plain HTTP
  size_t max_body_bytes = 3u << 20;             // a larger request body is answered 413
  size_t max_header_bytes = 64u << 10;          // larger request headers are answered 431
  // Bound on the bytes a stream may have queued for a slow reader before it is cut.
  size_t max_stream_queue_bytes = 64u << 20;
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(90)};   // keep-alive wait
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};   // one request, TLS handshake
  std::chrono::milliseconds write_timeout{std::chrono::seconds(60)};  // one socket write
  // How long a closing connection waits for the client to read the last response.
  std::chrono::milliseconds linger_timeout{std::chrono::seconds(1)};
  // How long Stop() lets connections end cleanly before cutting them.
  std::chrono::milliseconds shutdown_timeout{std::chrono::seconds(5)};
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  // Stops the server if it is running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the I/O threads. Fails (Invalid / Unavailable) on a bad address,
  // a port in use or an unusable certificate. Only once per Server.
  [[nodiscard]] Status Start();

  // Stops accepting, ends open streams with their last chunk (writers see closed() and their
  // on-close callbacks run), closes idle connections and joins the I/O threads, waiting at most
  // about shutdown_timeout. Idempotent. Must not be called from a handler.
  void Stop();

  // The bound port, known after Start().
  uint16_t port() const;
  // "http://127.0.0.1:PORT" or "https://...", for clients and logs.
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace osbx::http
