#include "pkg/http/server.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "pkg/http/session.h"

namespace osbx::http {
namespace {

namespace net = boost::asio;
using boost::system::error_code;
using tcp = net::ip::tcp;

// After a failed accept (out of descriptors, say), wait before trying again.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

StatusOr<std::unique_ptr<net::ssl::context>> MakeTlsContext(const TlsConfig& config) {
  auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  error_code ec;
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                       net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use,
                   ec);
  if (!ec) {
    ctx->use_certificate_chain(
        net::buffer(config.cert_chain_pem.data(), config.cert_chain_pem.size()), ec);
  }
  if (ec) return InvalidError("TLS certificate chain: " + ec.message());
  ctx->use_private_key(net::buffer(config.private_key_pem.data(), config.private_key_pem.size()),
                       net::ssl::context::pem, ec);
  if (ec) return InvalidError("TLS private key: " + ec.message());
  return ctx;
}

internal::SessionLimits LimitsFrom(const ServerOptions& o) {
  internal::SessionLimits limits;
  limits.max_body_bytes = o.max_body_bytes;
  limits.max_header_bytes = o.max_header_bytes;
  limits.max_stream_queue_bytes = o.max_stream_queue_bytes;
  limits.idle_timeout = o.idle_timeout;
  limits.read_timeout = o.read_timeout;
  limits.write_timeout = o.write_timeout;
  limits.linger_timeout = o.linger_timeout;
  return limits;
}

}  // namespace

struct Server::Impl {
  enum class Phase { kNew, kRunning, kStopped };

  Impl(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  Status Listen();
  void Accept();
  void RunThread();
  void WaitForThreads();
  std::vector<std::shared_ptr<internal::SessionBase>> LiveSessions();

  const ServerOptions options;
  Handler handler;

  // Declaration order is destruction order reversed: sessions (owned by pending work in the
  // I/O context) must go before the TLS context, and the acceptor before the I/O context.
  std::unique_ptr<net::ssl::context> tls_ctx;
  std::shared_ptr<internal::ServerState> state;
  std::unique_ptr<net::io_context> ioc;
  std::optional<tcp::acceptor> acceptor;          // used on its strand only
  std::optional<net::steady_timer> accept_retry;  // used on the acceptor's strand only
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  uint16_t port = 0;

  std::mutex mu;
  std::condition_variable threads_done;
  Phase phase = Phase::kNew;    // guarded by mu
  size_t finished_threads = 0;  // guarded by mu
};

Status Server::Impl::Listen() {
  error_code ec;
  net::ip::address address = net::ip::make_address(options.bind_address, ec);
  if (ec) return InvalidError("bind address \"" + options.bind_address + "\": " + ec.message());
  tcp::endpoint endpoint(address, options.port);
  acceptor.emplace(net::make_strand(*ioc));
  accept_retry.emplace(acceptor->get_executor());
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (!ec) port = acceptor->local_endpoint(ec).port();
  if (ec) {
    return UnavailableError("listen on " + options.bind_address + ":" +
                            std::to_string(options.port) + ": " + ec.message());
  }
  return Status::Ok();
}

void Server::Impl::Accept() {
  acceptor->async_accept(net::make_strand(*ioc), [this](error_code ec, tcp::socket socket) {
    if (!acceptor->is_open()) return;
    if (ec) {
      accept_retry->expires_after(kAcceptRetryDelay);
      accept_retry->async_wait([this](error_code wait_ec) {
        if (!wait_ec && acceptor->is_open()) Accept();
      });
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // small responses must not wait on Nagle
    internal::StartSession(state, std::move(socket));
    Accept();
  });
}

void Server::Impl::RunThread() {
  for (;;) {
    try {
      ioc->run();
      break;
    } catch (...) {
      // Handlers do not throw out of sessions; anything else must not kill the process.
    }
  }
  std::lock_guard<std::mutex> lock(mu);
  ++finished_threads;
  threads_done.notify_all();
}

std::vector<std::shared_ptr<internal::SessionBase>> Server::Impl::LiveSessions() {
  std::vector<std::shared_ptr<internal::SessionBase>> live;
  std::lock_guard<std::mutex> lock(state->mu);
  state->stopping = true;
  for (auto& [raw, weak] : state->sessions) {
    if (std::shared_ptr<internal::SessionBase> s = weak.lock()) live.push_back(std::move(s));
  }
  return live;
}

void Server::Impl::WaitForThreads() {
  {
    std::unique_lock<std::mutex> lock(mu);
    threads_done.wait_for(lock, options.shutdown_timeout,
                          [&] { return finished_threads == threads.size(); });
  }
  ioc->stop();  // whatever did not end in time is cut off
  for (std::thread& t : threads) t.join();
  threads.clear();
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.phase != Impl::Phase::kNew) return InternalError("http server started twice");
    s.phase = Impl::Phase::kRunning;
  }
  if (s.options.tls) {
    StatusOr<std::unique_ptr<net::ssl::context>> ctx = MakeTlsContext(*s.options.tls);
    if (!ctx.ok()) return ctx.status();
    s.tls_ctx = std::move(ctx).value();
  }
  int threads = s.options.threads > 0 ? s.options.threads : 1;
  s.ioc = std::make_unique<net::io_context>(threads);
  s.state = std::make_shared<internal::ServerState>();
  s.state->handler = s.handler;
  s.state->limits = LimitsFrom(s.options);
  s.state->tls = s.tls_ctx.get();
  OSBX_RETURN_IF_ERROR(s.Listen());
  s.work.emplace(s.ioc->get_executor());
  net::post(s.acceptor->get_executor(), [&s] { s.Accept(); });
  for (int i = 0; i < threads; ++i) s.threads.emplace_back([&s] { s.RunThread(); });
  return Status::Ok();
}

void Server::Stop() {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    bool running = s.phase == Impl::Phase::kRunning;
    s.phase = Impl::Phase::kStopped;
    if (!running || !s.ioc) return;
  }
  if (!s.threads.empty()) {
    net::post(s.acceptor->get_executor(), [&s] {
      error_code ignored;
      s.acceptor->close(ignored);
      s.accept_retry->cancel();
    });
    for (const auto& session : s.LiveSessions()) session->Shutdown();
    s.work.reset();
    s.WaitForThreads();
  }
  // Producers may still hold writers: cut them off from their sessions before the I/O context
  // (and the sockets it serves) is destroyed.
  for (const auto& session : s.LiveSessions()) session->DetachExchange();
}

uint16_t Server::port() const { return impl_->port; }

std::string Server::url() const {
  const ServerOptions& o = impl_->options;
  std::string host =
      o.bind_address.find(':') != std::string::npos ? "[" + o.bind_address + "]" : o.bind_address;
  return (o.tls ? "https://" : "http://") + host + ":" + std::to_string(impl_->port);
}

}  // namespace osbx::http
