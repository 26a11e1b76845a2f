#pragma once
// Exchange: the server's ResponseWriter for one request (internal to pkg/http).
//
// A handler or producer thread formats the response into a byte queue under a mutex; the
// connection drains that queue on its own strand. The queue is double-buffered (the connection
// swaps it out whole), so steady streaming costs one lock and one copy per chunk and no
// allocation. Nothing here knows about sockets: the connection is reached through ExchangeSink.
//
// Lifetime rule that keeps shutdown safe: the sink is only touched while mu_ is held and closed_
// is false. The connection sets closed_ (CloseFromConnection) before it goes away, and the
// server does so for every live connection before its I/O context is destroyed.

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "pkg/http/response_writer.h"

namespace osbx::http::internal {

// The connection side of an exchange.
class ExchangeSink {
 public:
  virtual ~ExchangeSink() = default;
  // Asks the connection to drain the exchange soon on its own thread; never drains inline.
  virtual void ScheduleFlush() = 0;
};

struct ExchangeOptions {
  bool head_request = false;  // HEAD: headers only, no body bytes
  bool keep_alive = true;     // false adds "Connection: close"
  size_t max_queued_bytes = 64u << 20;
};

class Exchange final : public ResponseWriter, public std::enable_shared_from_this<Exchange> {
 public:
  static std::shared_ptr<Exchange> Create(std::weak_ptr<ExchangeSink> sink,
                                          ExchangeOptions options);

  // ResponseWriter.
  bool Send(int status, Headers headers, std::string body) override;
  bool StartStream(int status, Headers headers) override;
  bool WriteChunk(std::string_view data) override;
  void Finish() override;
  void Abort() override;
  bool closed() const override;
  size_t queued_bytes() const override;
  void SetOnClose(std::function<void()> on_close) override;
  std::shared_ptr<ResponseWriter> Retain() override;

  // --- Connection side ---

  // True once the whole response is queued (it may still be draining).
  bool complete() const;
  // The handler call holds the writer like a Retain() handle; EndHandler drops that hold.
  void EndHandler();

  struct Output {
    bool complete = false;  // the bytes handed out end the response
    bool abort = false;     // cut the connection; the bytes handed out must be discarded
  };
  // Swaps the queued bytes into `out` (cleared by the caller; its capacity is reused).
  Output TakeOutput(std::string& out);
  // `bytes` handed out by TakeOutput reached the socket.
  void OnWritten(size_t bytes);
  // The connection ended: later writes are dropped and on-close runs if the response was open.
  void CloseFromConnection();
  // The server is stopping: a stream is ended with its terminating chunk, a pending reply is
  // aborted. Either way producers see closed() and on-close runs.
  void FinishForShutdown();

 private:
  enum class Phase { kIdle, kStreaming, kComplete, kAborted };

  Exchange(std::weak_ptr<ExchangeSink> sink, ExchangeOptions options);

  void ReleaseHolder();
  // Each returns the on-close callback to run once mu_ is released.
  std::function<void()> CloseLocked();
  void AppendHeadLocked(int status, const Headers& headers, std::string_view framing);
  void WakeLocked();

  const std::weak_ptr<ExchangeSink> sink_;
  const ExchangeOptions options_;

  mutable std::mutex mu_;
  Phase phase_ = Phase::kIdle;      // guarded by mu_
  bool closed_ = false;             // guarded by mu_
  bool flush_scheduled_ = false;    // guarded by mu_; the sink will call TakeOutput again
  int holders_ = 1;                 // guarded by mu_; the handler call plus Retain() handles
  std::string pending_;             // guarded by mu_; formatted bytes not yet taken
  size_t in_flight_ = 0;            // guarded by mu_; bytes taken but not yet written
  std::function<void()> on_close_;  // guarded by mu_
};

}  // namespace osbx::http::internal
