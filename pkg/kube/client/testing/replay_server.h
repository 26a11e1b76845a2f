#pragma once
// An in-test HTTPS server that replays API server exchanges: each test scripts the answer to
// every request (captured bodies from testdata, streamed in chosen chunks) and inspects the
// requests the client sent. Serves TLS with a fresh CA so clients verify it as they would a real
// API server.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "internal/utils/status.h"
#include "pkg/http/request.h"
#include "pkg/http/response_writer.h"
#include "pkg/http/server.h"
#include "pkg/http/tls.h"
#include "pkg/kube/client/config.h"

namespace osbx::kube::testing {

class ReplayServer {
 public:
  // Answers one request. `index` counts requests from 0 in arrival order.
  using Script = std::function<void(size_t index, const http::Request&, http::ResponseWriter&)>;

  ReplayServer();
  ~ReplayServer();

  // Starts serving with a fresh CA and serving certificate for 127.0.0.1.
  [[nodiscard]] Status Start(Script script);
  void Stop();

  // A client config that trusts this server and sends `token`.
  RestConfig Config(const std::string& token = "test-token") const;
  const http::KeyPair& ca() const { return ca_; }

  // Requests received so far (copies).
  std::vector<http::Request> requests() const;
  // Blocks until at least `n` requests arrived.
  void WaitForRequests(size_t n) const;

  // A complete JSON answer.
  static void Reply(http::ResponseWriter& w, int status, std::string body,
                    std::string content_type = "application/json");
  // A chunked answer: `body` cut into pieces of `chunk` bytes, each written as its own chunk.
  static void Stream(http::ResponseWriter& w, int status, const std::string& body, size_t chunk);

 private:
  http::KeyPair ca_;
  std::unique_ptr<http::Server> server_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<http::Request> requests_;  // guarded by mu_
};

}  // namespace osbx::kube::testing
