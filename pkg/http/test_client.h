#pragma once
// Test-only clients for the server tests: a libcurl client (verifying TLS against a given CA,
// reusing its connection across requests) and a raw TCP connection for malformed input.

#include <curl/curl.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace osbx::http::testing {

struct FetchOptions {
  std::string method = "GET";
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  std::string ca_pem;                // trust only this CA (https)
  // Sees each piece of body as it arrives; returning false aborts the transfer.
  std::function<bool(std::string_view)> on_data;
};

struct FetchResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string headers;
  std::string body;
  std::string error;
  long new_connections = 0;  // connections opened for this request
};

// One curl easy handle: successive Fetch calls reuse its connection (keep-alive).
class CurlClient {
 public:
  CurlClient();
  ~CurlClient();
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  FetchResult Fetch(const std::string& url, const FetchOptions& options = {});

 private:
  CURL* curl_;
};

// Body bytes received so far by a streaming client, shared with the test thread.
class Received {
 public:
  void Append(std::string_view data);
  // Waits until the text received contains `needle`; false after a generous guard interval
  // (only to fail instead of hanging).
  bool WaitFor(std::string_view needle);
  std::string text() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string text_;  // guarded by mu_
};

// A blocking TCP connection to 127.0.0.1 for hand-written requests.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  bool connected() const { return fd_ >= 0; }
  bool Send(std::string_view bytes);
  // Reads until `needle` was seen or the peer closed; returns all bytes read.
  std::string ReadUntil(std::string_view needle);
  // Reads until the peer closes.
  std::string ReadToEnd();
  void Close();

 private:
  int fd_ = -1;
};

}  // namespace osbx::http::testing
