#pragma once
// HTTPS load generation for the API server benchmark, on libcurl multi: a pool of in-flight
// POSTs kept full (or paced to a rate) from one thread, and a set of long-lived watch streams
// read from one thread. Both verify the server's certificate against its CA and send its token.

#include <curl/curl.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace osbx::bench {

struct Endpoint {
  std::string url;  // "https://127.0.0.1:PORT"
  std::string token;
  std::string ca_pem;
};

int64_t NowNs();

// Keeps `in_flight` POSTs of `path` outstanding until `stop_ns` (steady clock). `body(seq)`
// builds the body of the seq-th request. With `interval_ns` > 0, request seq is not sent before
// start + seq * interval_ns (a paced load). `on_done(seq, http_status, sent_ns, done_ns)` runs on
// the calling thread for every finished request.
struct PostLoad {
  Endpoint endpoint;
  std::string path;
  int in_flight = 8;
  int64_t stop_ns = 0;
  int64_t interval_ns = 0;
  int64_t first_seq = 0;
  int64_t max_requests = 0;  // 0 = until stop_ns
  std::function<std::string(int64_t seq, int64_t send_ns)> body;
  std::function<void(int64_t seq, long status, int64_t sent_ns, int64_t done_ns)> on_done;
};
void RunPostLoad(const PostLoad& load);

// Opens one watch stream per entry of `paths` and feeds every complete line to
// `on_line(stream, line, receive_ns)` until `stop()` returns true (checked between polls).
struct WatchLoad {
  Endpoint endpoint;
  std::vector<std::string> paths;
  std::function<void(size_t stream, std::string_view line, int64_t receive_ns)> on_line;
  std::function<bool()> stop;
};
void RunWatchLoad(const WatchLoad& load);

}  // namespace osbx::bench
