#pragma once
// Internals of Transport shared by its two implementation files: the per-request state that lives
// on the I/O thread, and the libcurl easy-handle setup. Not part of the public API.

#include <curl/curl.h>

#include <cstdint>
#include <memory>
#include <mutex>

#include "pkg/kube/client/transport.h"

namespace osbx::kube::transport_internal {

// What a stream's owner and the I/O thread share. The recursive mutex is held while a callback
// runs, so Cancel (which takes it) returns only when no callback is running, and a callback may
// cancel its own stream.
struct StreamState {
  std::recursive_mutex mu;
  bool cancelled = false;  // guarded by mu
  StreamCallbacks callbacks;
};

// One request in flight. Owned by the I/O thread once posted.
struct Transfer {
  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer();

  uint64_t id = 0;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  HttpRequest request;  // kept alive: libcurl reads the body from it
  HttpResponse response;
  const Clock* clock = nullptr;
  std::function<void(HttpResponse)> done;  // unary requests
  std::shared_ptr<StreamState> stream;     // streams
  Clock::Duration idle_timeout{};          // streams; <= 0 = no watchdog
  Clock::TimePoint last_activity{};
  bool response_delivered = false;  // streams: on_response already ran
  bool consumer_ended = false;      // streams: on_data returned false
  char error[CURL_ERROR_SIZE] = {};
};

// Creates and configures the easy handle of `t` (method, URL, headers, body, TLS, timeouts,
// callbacks). Fails when libcurl rejects an option.
[[nodiscard]] Status ConfigureEasy(Transfer& t, const TransportOptions& options);

// The Status of a transfer that ended with a libcurl error: kServerTimeout for timeouts, kInvalid
// for TLS verification and configuration problems, kUnavailable for connection failures.
Status StatusFromCurl(CURLcode code, const char* detail);

}  // namespace osbx::kube::transport_internal
