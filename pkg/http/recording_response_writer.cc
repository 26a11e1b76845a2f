#include "pkg/http/recording_response_writer.h"

#include <utility>

namespace osbx::http {

bool RecordingResponseWriter::Send(int status, Headers headers, std::string body) {
  std::lock_guard<std::mutex> lock(mu_);
  if (status_ != 0 || closed_) return false;
  status_ = status;
  headers_ = std::move(headers);
  body_ = std::move(body);
  done_ = true;
  done_cv_.notify_all();
  return true;
}

bool RecordingResponseWriter::StartStream(int status, Headers headers) {
  std::lock_guard<std::mutex> lock(mu_);
  if (status_ != 0 || closed_) return false;
  status_ = status;
  headers_ = std::move(headers);
  streaming_ = true;
  return true;
}

bool RecordingResponseWriter::WriteChunk(std::string_view data) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!streaming_ || done_ || closed_) return false;
  if (data.empty()) return true;
  chunks_.emplace_back(data);
  body_.append(data);
  return true;
}

void RecordingResponseWriter::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!streaming_) return;
  done_ = true;
  done_cv_.notify_all();
}

void RecordingResponseWriter::Abort() {
  std::function<void()> on_close;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    aborted_ = closed_ = done_ = true;
    on_close = std::exchange(on_close_, nullptr);
    done_cv_.notify_all();
  }
  if (on_close) on_close();
}

bool RecordingResponseWriter::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

void RecordingResponseWriter::SetOnClose(std::function<void()> on_close) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_) {
      on_close_ = std::move(on_close);
      return;
    }
    if (done_ && !aborted_) return;  // finished before the client went away
  }
  if (on_close) on_close();
}

std::shared_ptr<ResponseWriter> RecordingResponseWriter::Retain() {
  return std::shared_ptr<ResponseWriter>(this, [](ResponseWriter*) {});
}

void RecordingResponseWriter::SimulateClientGone() {
  std::function<void()> on_close;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    if (!done_) on_close = std::exchange(on_close_, nullptr);
  }
  if (on_close) on_close();
}

void RecordingResponseWriter::WaitDone() {
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [&] { return done_; });
}

int RecordingResponseWriter::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

Headers RecordingResponseWriter::headers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return headers_;
}

std::string RecordingResponseWriter::body() const {
  std::lock_guard<std::mutex> lock(mu_);
  return body_;
}

std::vector<std::string> RecordingResponseWriter::chunks() const {
  std::lock_guard<std::mutex> lock(mu_);
  return chunks_;
}

bool RecordingResponseWriter::streaming() const {
  std::lock_guard<std::mutex> lock(mu_);
  return streaming_;
}

bool RecordingResponseWriter::done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

bool RecordingResponseWriter::aborted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return aborted_;
}

}  // namespace osbx::http
