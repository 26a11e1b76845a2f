#pragma once
// ResponseWriter: how a handler answers one request, either with a complete response or with a
// chunked stream (watches, logs) fed from any thread.
//
// Every request gets exactly one response. A handler answers before it returns, or calls
// Retain() to keep the writer and answer later from any thread. When the last holder lets go
// without answering, the server answers 500; a stream left unfinished is finished cleanly.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "pkg/http/headers.h"
#include "pkg/http/request.h"

namespace osbx::http {

class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;

  // Sends a complete response with Content-Length. Returns false (and sends nothing) when a
  // response was already started or the connection is gone.
  virtual bool Send(int status, Headers headers, std::string body) = 0;

  // Starts a chunked response: status and headers go out now, the body follows in chunks.
  // Returns false when a response was already started or the connection is gone.
  virtual bool StartStream(int status, Headers headers) = 0;
  // Queues one chunk and returns at once; the connection writes it in order. Thread-safe.
  // Empty data is ignored. Returns false once the stream is closed (data dropped).
  virtual bool WriteChunk(std::string_view data) = 0;
  // Ends the stream with the terminating chunk. Idempotent; later writes are dropped.
  virtual void Finish() = 0;
  // Ends the response by cutting the connection, so the client sees an incomplete body. For a
  // stream that cannot go on (an internal error after headers were sent).
  virtual void Abort() = 0;

  // True once nothing more can reach the client: it went away, the server is stopping, or the
  // response was aborted. Producers poll this or use SetOnClose to stop early.
  virtual bool closed() const = 0;
  // Bytes queued but not yet written to the socket; a slow reader makes this grow.
  virtual size_t queued_bytes() const = 0;
  // Registers the callback run once when the connection closes before the response is finished
  // (client gone, server stopping, queue overflow). Runs at once if that already happened. The
  // callback runs on a server thread and must not block; it replaces any earlier one.
  virtual void SetOnClose(std::function<void()> on_close) = 0;

  // A shared handle that keeps this writer usable after the handler returns.
  virtual std::shared_ptr<ResponseWriter> Retain() = 0;
};

// Answers one request. Runs on a server I/O thread: long work belongs elsewhere (Retain the
// writer and answer from there).
using Handler = std::function<void(const Request&, ResponseWriter&)>;

// Convenience: a complete response with a Content-Type.
bool SendText(ResponseWriter& w, int status, std::string_view content_type, std::string body);

// The standard reason phrase for a status code ("Not Found"), or "Unknown".
std::string_view ReasonPhrase(int status);

}  // namespace osbx::http
