#include "pkg/http/exchange.h"

#include <charconv>
#include <utility>

namespace osbx::http::internal {
namespace {

constexpr std::string_view kLastChunk = "0\r\n\r\n";

// Header fields the server owns: framing and connection management.
bool IsServerOwnedField(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection");
}

// CR or LF inside a field would let a handler inject headers; such fields are dropped.
bool IsSafeFieldText(std::string_view text) {
  return text.find_first_of("\r\n") == std::string_view::npos;
}

bool StatusHasNoBody(int status) { return status < 200 || status == 204 || status == 304; }

void AppendDecimal(std::string& out, size_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, end);
}

}  // namespace

std::shared_ptr<Exchange> Exchange::Create(std::weak_ptr<ExchangeSink> sink,
                                           ExchangeOptions options) {
  return std::shared_ptr<Exchange>(new Exchange(std::move(sink), options));
}

Exchange::Exchange(std::weak_ptr<ExchangeSink> sink, ExchangeOptions options)
    : sink_(std::move(sink)), options_(options) {}

void Exchange::AppendHeadLocked(int status, const Headers& headers, std::string_view framing) {
  pending_.append("HTTP/1.1 ");
  AppendDecimal(pending_, static_cast<size_t>(status));
  pending_.push_back(' ');
  pending_.append(ReasonPhrase(status));
  pending_.append("\r\n");
  for (const Headers::Field& f : headers.fields()) {
    if (IsServerOwnedField(f.first) || !IsSafeFieldText(f.first) || !IsSafeFieldText(f.second)) {
      continue;
    }
    pending_.append(f.first).append(": ").append(f.second).append("\r\n");
  }
  pending_.append(framing);
  if (!options_.keep_alive) pending_.append("Connection: close\r\n");
  pending_.append("\r\n");
}

void Exchange::WakeLocked() {
  if (flush_scheduled_ || closed_) return;
  if (std::shared_ptr<ExchangeSink> sink = sink_.lock()) {
    flush_scheduled_ = true;
    sink->ScheduleFlush();
  }
}

bool Exchange::Send(int status, Headers headers, std::string body) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_ || phase_ != Phase::kIdle) return false;
  std::string framing;
  if (!StatusHasNoBody(status)) {
    framing.append("Content-Length: ");
    AppendDecimal(framing, body.size());
    framing.append("\r\n");
  }
  AppendHeadLocked(status, headers, framing);
  if (!options_.head_request && !StatusHasNoBody(status)) pending_.append(body);
  phase_ = Phase::kComplete;
  WakeLocked();
  return true;
}

bool Exchange::StartStream(int status, Headers headers) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_ || phase_ != Phase::kIdle) return false;
  AppendHeadLocked(status, headers, "Transfer-Encoding: chunked\r\n");
  phase_ = options_.head_request ? Phase::kComplete : Phase::kStreaming;
  WakeLocked();
  return true;
}

bool Exchange::WriteChunk(std::string_view data) {
  std::function<void()> on_close;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || phase_ != Phase::kStreaming) return false;
    if (data.empty()) return true;
    if (pending_.size() + in_flight_ + data.size() > options_.max_queued_bytes) {
      // The reader is too slow: give up on it rather than buffer without bound.
      phase_ = Phase::kAborted;
      WakeLocked();
      on_close = CloseLocked();
    } else {
      char size_hex[20];
      auto [end, ec] = std::to_chars(size_hex, size_hex + sizeof(size_hex), data.size(), 16);
      pending_.append(size_hex, end).append("\r\n").append(data).append("\r\n");
      WakeLocked();
      return true;
    }
  }
  if (on_close) on_close();
  return false;
}

void Exchange::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (phase_ != Phase::kStreaming) return;
  phase_ = Phase::kComplete;
  if (closed_) return;
  pending_.append(kLastChunk);
  WakeLocked();
}

void Exchange::Abort() {
  std::function<void()> on_close;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (phase_ == Phase::kAborted || closed_) return;
    phase_ = Phase::kAborted;
    WakeLocked();
    on_close = CloseLocked();
  }
  if (on_close) on_close();
}

bool Exchange::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

size_t Exchange::queued_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size() + in_flight_;
}

void Exchange::SetOnClose(std::function<void()> on_close) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_) {
      on_close_ = std::move(on_close);
      return;
    }
    if (phase_ == Phase::kComplete) return;  // finished normally before the connection ended
  }
  if (on_close) on_close();
}

std::shared_ptr<ResponseWriter> Exchange::Retain() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++holders_;
  }
  std::shared_ptr<Exchange> self = shared_from_this();
  return std::shared_ptr<ResponseWriter>(self.get(),
                                         [self](ResponseWriter*) { self->ReleaseHolder(); });
}

bool Exchange::complete() const {
  std::lock_guard<std::mutex> lock(mu_);
  return phase_ == Phase::kComplete;
}

void Exchange::EndHandler() { ReleaseHolder(); }

void Exchange::ReleaseHolder() {
  Phase phase;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (--holders_ > 0) return;
    phase = phase_;
  }
  // Nobody can answer any more: keep the promise that every request gets a response.
  if (phase == Phase::kIdle) {
    SendText(*this, 500, "text/plain; charset=utf-8", "handler did not respond\n");
  } else if (phase == Phase::kStreaming) {
    Finish();
  }
}

Exchange::Output Exchange::TakeOutput(std::string& out) {
  std::lock_guard<std::mutex> lock(mu_);
  Output result;
  result.abort = phase_ == Phase::kAborted;
  if (result.abort) {
    pending_.clear();
    return result;
  }
  std::swap(out, pending_);
  in_flight_ = out.size();
  result.complete = phase_ == Phase::kComplete;
  if (out.empty() && !result.complete) flush_scheduled_ = false;
  return result;
}

void Exchange::OnWritten(size_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_ = bytes >= in_flight_ ? 0 : in_flight_ - bytes;
}

std::function<void()> Exchange::CloseLocked() {
  closed_ = true;
  std::function<void()> on_close = std::move(on_close_);
  on_close_ = nullptr;
  return on_close;
}

void Exchange::CloseFromConnection() {
  std::function<void()> on_close;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    bool finished = phase_ == Phase::kComplete;
    on_close = CloseLocked();
    if (finished) on_close = nullptr;
  }
  if (on_close) on_close();
}

void Exchange::FinishForShutdown() {
  std::function<void()> on_close;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    if (phase_ == Phase::kStreaming) {
      pending_.append(kLastChunk);
      phase_ = Phase::kComplete;
    } else if (phase_ == Phase::kIdle) {
      phase_ = Phase::kAborted;
    } else {
      return;  // complete: let it drain; aborted: already closed
    }
    on_close = CloseLocked();
  }
  if (on_close) on_close();
}

}  // namespace osbx::http::internal
