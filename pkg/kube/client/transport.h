#pragma once
// HTTP(S) transport of the API client. One I/O thread drives a libcurl multi handle with
// curl_multi_poll; other threads hand it work through a mailbox and curl_multi_wakeup, so any
// number of requests and long-lived streams share one thread and one connection pool.
//
// - Unary requests complete a callback (on the I/O thread) or a future with the whole response.
// - Streams (watches) deliver body bytes as they arrive. They always use HTTP/1.1, so each stream
//   has its own connection and one stalled flow cannot hold up the others, and they carry an idle
//   watchdog: no bytes for longer than the idle timeout ends the stream with kServerTimeout.
// - TLS (CA, client certificate and key, verification) comes from TlsOptions; TCP keepalive is on.
// - Destroying the transport fails every pending request and stream with kCancelled.
//
// Callbacks run on the I/O thread: they must not block on another request of the same transport.

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "internal/utils/clock.h"
#include "internal/utils/status.h"

namespace osbx::kube {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct TlsOptions {
  std::string ca_pem;           // empty = system trust store
  std::string client_cert_pem;  // mutual TLS, with client_key_pem
  std::string client_key_pem;
  bool insecure_skip_verify = false;
};

struct TransportOptions {
  TlsOptions tls;
  const Clock* clock = nullptr;  // for stream idle deadlines; RealClock when null
  std::chrono::milliseconds connect_timeout{10'000};
  // Allow HTTP/2 (ALPN) for unary requests; streams always use HTTP/1.1.
  bool http2 = false;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds timeout{0};  // the whole exchange; zero = none
};

struct HttpResponse {
  Status status;        // non-OK when no complete HTTP response arrived (connect, TLS, timeout)
  int code = 0;         // HTTP status code
  HttpHeaders headers;  // names lower-cased, in arrival order
  std::string body;

  // The first value of a header (case-insensitive name), or "".
  std::string_view Header(std::string_view name) const;
};

struct StreamCallbacks {
  // Once, with the final status line and headers, before any body bytes.
  std::function<void(int code, const HttpHeaders& headers)> on_response;
  // Body bytes as they arrive. Returning false ends the stream; on_done is then not called.
  std::function<bool(std::string_view data)> on_data;
  // Once at the end, unless cancelled or ended by on_data: Ok when the server finished the body.
  std::function<void(const Status& status)> on_done;
};

// A live stream. Cancel (or destruction) ends it; no callback of the stream runs after Cancel
// returns. Cancel may be called from the stream's own callbacks.
class StreamHandle {
 public:
  virtual ~StreamHandle() = default;
  virtual void Cancel() = 0;
};

class Transport {
 public:
  explicit Transport(TransportOptions options);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Sends a request; `done` runs once on the I/O thread (or inline after shutdown).
  void Send(HttpRequest request, std::function<void(HttpResponse)> done);
  // Sends a request; the future is always fulfilled (kCancelled on shutdown).
  std::future<HttpResponse> Send(HttpRequest request);

  // Opens a streaming request. `idle_timeout` <= 0 disables the watchdog.
  std::unique_ptr<StreamHandle> OpenStream(HttpRequest request, StreamCallbacks callbacks,
                                           Clock::Duration idle_timeout);

  // Makes the I/O thread re-check its timers now (tests that advance a FakeClock call this).
  void Wakeup();

  // Stops the I/O thread; pending work fails with kCancelled. Idempotent; the destructor calls it.
  void Shutdown();

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace osbx::kube
