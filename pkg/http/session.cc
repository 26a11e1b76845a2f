#include "pkg/http/session.h"

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "pkg/http/request.h"

namespace osbx::http::internal {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using boost::system::error_code;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

// A read kept pending during a response, to learn that the client went away.
constexpr size_t kWatchReadBytes = 4096;
// Bytes a client may send ahead (pipelining) while a response is still running.
constexpr size_t kMaxPipelinedBytes = 1u << 20;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";

std::string RemoteAddress(const net::ip::tcp::socket& socket) {
  error_code ec;
  net::ip::tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "";
  std::string host = ep.address().to_string();
  if (ep.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

bool IsHttpProtocolError(const error_code& ec) {
  static const error_code kSample = bhttp::error::bad_target;
  return ec.category() == kSample.category() && ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message;
}

template <class Stream>
Stream MakeStream(net::ip::tcp::socket socket, net::ssl::context* tls) {
  if constexpr (kIsTls<Stream>) {
    return Stream(beast::tcp_stream(std::move(socket)), *tls);
  } else {
    return Stream(std::move(socket));
  }
}

template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(std::shared_ptr<ServerState> state, net::ip::tcp::socket socket)
      : state_(std::move(state)),
        remote_(RemoteAddress(socket)),
        stream_(MakeStream<Stream>(std::move(socket), state_->tls)) {}

  ~Session() override {
    if (exchange_) exchange_->CloseFromConnection();
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->sessions.erase(this);
  }

  // Registers with the server and begins serving; runs on the session's strand.
  void Run() {
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      if (!state_->stopping)
        state_->sessions.emplace(this, Self());
      else
        stopping_ = true;
    }
    if (stopping_) return Terminate();
    if constexpr (kIsTls<Stream>) {
      Tcp().expires_after(state_->limits.read_timeout);
      stream_.async_handshake(net::ssl::stream_base::server, [self = Self()](error_code ec) {
        if (ec) return self->Terminate();
        self->ReadRequest();
      });
    } else {
      ReadRequest();
    }
  }

  void ScheduleFlush() override {
    net::post(stream_.get_executor(), [self = Self()] { self->Flush(); });
  }

  void Shutdown() override {
    net::post(stream_.get_executor(), [self = Self()] { self->OnShutdown(); });
  }

  void DetachExchange() override {
    if (exchange_) exchange_->CloseFromConnection();
    hold_.reset();  // the caller still owns a reference
  }

 private:
  std::shared_ptr<Session> Self() { return this->shared_from_this(); }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void ReadRequest() {
    if (stopping_) return Terminate();
    parser_.emplace();
    parser_->body_limit(state_->limits.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(state_->limits.max_header_bytes));
    Tcp().expires_after(state_->limits.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = Self()](error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(error_code ec) {
    if (closed_) return;
    if (ec) return ReadFailed(ec);
    std::string_view expect = parser_->get()[bhttp::field::expect];
    if (!EqualsIgnoreCase(expect, "100-continue") || parser_->is_done()) return ReadBody();
    // The client waits for a go-ahead before sending the body (curl does for large bodies).
    Tcp().expires_after(state_->limits.write_timeout);
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = Self()](error_code wec, size_t) {
                       if (self->closed_) return;
                       if (wec) return self->Terminate();
                       self->ReadBody();
                     });
  }

  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    Tcp().expires_after(state_->limits.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, [self = Self()](error_code ec, size_t) {
      if (self->closed_) return;
      if (ec) return self->ReadFailed(ec);
      self->Dispatch();
    });
  }

  void ReadFailed(error_code ec) {
    if (ec == bhttp::error::body_limit) return ReplyAndClose(413, "request body too large\n");
    if (ec == bhttp::error::header_limit) return ReplyAndClose(431, "request header too large\n");
    if (IsHttpProtocolError(ec)) return ReplyAndClose(400, "malformed HTTP request\n");
    Terminate();  // end of stream, timeout, reset, TLS failure
  }

  void Dispatch() {
    Tcp().expires_never();
    bhttp::request<bhttp::string_body>& msg = parser_->get();
    Request request;
    request.target = std::string(msg.target());
    if (!ParseTarget(request.target, request)) {
      return ReplyAndClose(400, "malformed request target\n");
    }
    request.method = std::string(msg.method_string());
    request.version = static_cast<int>(msg.version());
    for (const auto& field : msg) {
      request.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(msg.body());
    request.remote_address = remote_;
    keep_alive_ = msg.keep_alive();
    parser_.reset();
    std::shared_ptr<Exchange> exchange = NewExchange(request.method == "HEAD");
    try {
      state_->handler(request, *exchange);
    } catch (...) {
      // A throwing handler is a bug, but the connection and the server stay up.
      SendText(*exchange, 500, kTextPlain, "internal error\n");
    }
    exchange->EndHandler();
    if (exchange_ == exchange && !exchange->complete()) WatchForClose();
  }

  std::shared_ptr<Exchange> NewExchange(bool head_request) {
    ExchangeOptions options;
    options.head_request = head_request;
    options.keep_alive = keep_alive_ && !stopping_;
    options.max_queued_bytes = state_->limits.max_stream_queue_bytes;
    exchange_ = Exchange::Create(std::weak_ptr<ExchangeSink>(Self()), options);
    return exchange_;
  }

  void ReplyAndClose(int status, std::string_view message) {
    keep_alive_ = false;
    parser_.reset();
    std::shared_ptr<Exchange> exchange = NewExchange(false);
    SendText(*exchange, status, kTextPlain, std::string(message));
    exchange->EndHandler();
  }

  // Keeps one read pending while a response runs: it fails when the client goes away, and
  // bytes it gets (a pipelined request) wait in buffer_ for the next ReadRequest.
  //
  // Once buffer_ holds bytes of the next request the watch stops: a client that sent its next
  // request (possibly after reading the whole response before our write completed) sends nothing
  // more, so the read would never end and OnResponseDone would wait on it instead of reading that
  // request. Without a pending read nothing owns the session while a response is answered from
  // elsewhere, so it holds itself until the response is done.
  void WatchForClose() {
    if (watching_ || closed_) return;
    if (buffer_.size() > 0) {
      hold_ = Self();
      return;
    }
    watching_ = true;
    Tcp().expires_never();  // resets only the read deadline when a write is in flight
    stream_.async_read_some(buffer_.prepare(kWatchReadBytes),
                            [self = Self()](error_code ec, size_t n) { self->OnWatchRead(ec, n); });
  }

  void OnWatchRead(error_code ec, size_t n) {
    watching_ = false;
    if (closed_) return;
    if (ec) return Terminate();
    buffer_.commit(n);
    if (!exchange_) return ReadRequest();  // the response ended meanwhile
    if (buffer_.size() > kMaxPipelinedBytes) return Terminate();
    WatchForClose();
  }

  void Flush() {
    if (writing_ || closed_ || !exchange_) return;
    write_buf_.clear();
    Exchange::Output out = exchange_->TakeOutput(write_buf_);
    if (out.abort) return Terminate();
    if (write_buf_.empty()) {
      if (out.complete) OnResponseDone();
      return;
    }
    batch_completes_ = out.complete;
    writing_ = true;
    Tcp().expires_after(state_->limits.write_timeout);  // only the write deadline if watching
    net::async_write(stream_, net::buffer(write_buf_),
                     [self = Self()](error_code ec, size_t n) { self->OnWritten(ec, n); });
  }

  void OnWritten(error_code ec, size_t n) {
    writing_ = false;
    if (exchange_) exchange_->OnWritten(n);
    if (closed_) return;
    if (ec) return Terminate();
    if (batch_completes_) return OnResponseDone();
    Flush();
  }

  void OnResponseDone() {
    std::shared_ptr<Session> self = std::move(hold_);  // may own the session: keep it to the end
    exchange_.reset();
    if (!keep_alive_ || stopping_) return GracefulClose();
    if (watching_) return;  // the pending read doubles as the wait for the next request
    ReadRequest();
  }

  void OnShutdown() {
    stopping_ = true;
    if (closed_) return;
    if (!exchange_) return Terminate();  // idle, reading a request, handshaking or lingering
    exchange_->FinishForShutdown();
    Flush();
  }

  // Closes after a response that ends the connection, giving the client time to read it:
  // unread request bytes would otherwise turn the close into a reset that loses the response.
  void GracefulClose() {
    if (closed_) return;
    if (stopping_ || watching_) return Terminate();
    Tcp().expires_after(state_->limits.linger_timeout);
    if constexpr (kIsTls<Stream>) {
      stream_.async_shutdown([self = Self()](error_code) { self->Terminate(); });
    } else {
      error_code ignored;
      Tcp().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
      Drain();
    }
  }

  void Drain() {
    buffer_.consume(buffer_.size());
    Tcp().async_read_some(buffer_.prepare(kWatchReadBytes), [self = Self()](error_code ec, size_t) {
      if (ec) return self->Terminate();
      self->Drain();
    });
  }

  // Ends the connection now. Pending operations complete with errors and find closed_ set.
  void Terminate() {
    std::shared_ptr<Session> self = std::move(hold_);  // may own the session: keep it to the end
    if (closed_) return;
    closed_ = true;
    if (exchange_) {
      exchange_->CloseFromConnection();
      exchange_.reset();
    }
    error_code ignored;
    Tcp().socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    Tcp().close();
  }

  const std::shared_ptr<ServerState> state_;
  const std::string remote_;
  Stream stream_;
  // Everything below is touched only on the session's strand (or after the I/O threads stopped).
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Exchange> exchange_;  // the response in progress, if any
  std::string write_buf_;               // bytes of the write in flight
  bool keep_alive_ = true;
  bool writing_ = false;
  bool batch_completes_ = false;  // the write in flight ends the response
  bool watching_ = false;         // WatchForClose's read is pending
  bool stopping_ = false;
  bool closed_ = false;
  // Owns the session while a response runs without a pending read (see WatchForClose).
  std::shared_ptr<Session> hold_;
};

}  // namespace

void StartSession(const std::shared_ptr<ServerState>& state, net::ip::tcp::socket socket) {
  net::any_io_executor executor = socket.get_executor();
  if (state->tls != nullptr) {
    auto session = std::make_shared<Session<TlsStream>>(state, std::move(socket));
    net::dispatch(executor, [session] { session->Run(); });
  } else {
    auto session = std::make_shared<Session<PlainStream>>(state, std::move(socket));
    net::dispatch(executor, [session] { session->Run(); });
  }
}

}  // namespace osbx::http::internal
