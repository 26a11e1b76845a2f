#pragma once
// Connections of the HTTP server (internal to pkg/http; Boost.Asio appears only here, in
// session.cc and in server.cc).
//
// A session owns one accepted socket (plain or TLS) and serves its requests one after another
// (HTTP/1.1 keep-alive) on its own strand. The server keeps a registry of live sessions so that
// Stop() can end them all.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "pkg/http/exchange.h"
#include "pkg/http/response_writer.h"

namespace osbx::http::internal {

// Limits and timeouts every session applies (copied from ServerOptions).
struct SessionLimits {
  size_t max_body_bytes = 0;
  size_t max_header_bytes = 0;
  size_t max_stream_queue_bytes = 0;
  std::chrono::milliseconds idle_timeout{0};
  std::chrono::milliseconds read_timeout{0};
  std::chrono::milliseconds write_timeout{0};
  std::chrono::milliseconds linger_timeout{0};
};

class SessionBase : public ExchangeSink {
 public:
  // Ends the session for server shutdown: streams get their last chunk, idle sockets close.
  // Posts to the session's strand; callable from any thread.
  virtual void Shutdown() = 0;
  // Marks the open exchange closed. Only once the I/O threads have stopped.
  virtual void DetachExchange() = 0;
};

// What the server shares with its sessions.
struct ServerState {
  Handler handler;
  SessionLimits limits;
  boost::asio::ssl::context* tls = nullptr;  // null for plain HTTP; outlives every session

  std::mutex mu;
  bool stopping = false;  // guarded by mu; no new session registers once set
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;  // guarded by mu
};

// Starts serving an accepted socket. The session keeps itself alive through its pending work.
void StartSession(const std::shared_ptr<ServerState>& state, boost::asio::ip::tcp::socket socket);

}  // namespace osbx::http::internal
