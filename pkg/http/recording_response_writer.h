#pragma once
// RecordingResponseWriter: an in-memory ResponseWriter for unit tests of handlers (the API
// server's, the task executor's), so they run without sockets. It records the status, headers,
// body and chunks, and lets a test play the client going away.

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "pkg/http/response_writer.h"

namespace osbx::http {

class RecordingResponseWriter final : public ResponseWriter {
 public:
  bool Send(int status, Headers headers, std::string body) override;
  bool StartStream(int status, Headers headers) override;
  bool WriteChunk(std::string_view data) override;
  void Finish() override;
  void Abort() override;
  bool closed() const override;
  size_t queued_bytes() const override { return 0; }
  void SetOnClose(std::function<void()> on_close) override;
  // A non-owning handle: the recorder must outlive every retained copy.
  std::shared_ptr<ResponseWriter> Retain() override;

  // Plays the client disconnecting: closed() turns true and the on-close callback runs.
  void SimulateClientGone();

  // Blocks until the response is complete (sent, finished or aborted). For tests whose handler
  // answers from another thread.
  void WaitDone();

  int status() const;  // 0 until a response starts
  Headers headers() const;
  std::string body() const;  // the complete body, or every chunk so far concatenated
  std::vector<std::string> chunks() const;
  bool streaming() const;
  bool done() const;
  bool aborted() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable done_cv_;
  int status_ = 0;                   // guarded by mu_
  Headers headers_;                  // guarded by mu_
  std::string body_;                 // guarded by mu_
  std::vector<std::string> chunks_;  // guarded by mu_
  bool streaming_ = false;           // guarded by mu_
  bool done_ = false;                // guarded by mu_
  bool aborted_ = false;             // guarded by mu_
  bool closed_ = false;              // guarded by mu_
  std::function<void()> on_close_;   // guarded by mu_
};

}  // namespace osbx::http
