#include "pkg/http/test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>

namespace osbx::http::testing {
namespace {

// Guards against hangs only; no test asserts on time.
constexpr auto kGuard = std::chrono::seconds(20);

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct TransferState {
  FetchResult* result;
  const FetchOptions* options;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  std::string_view piece(data, size * count);
  state->result->body.append(piece);
  if (state->options->on_data && !state->options->on_data(piece)) return 0;
  return piece.size();
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  static_cast<FetchResult*>(user)->headers.append(data, size * count);
  return size * count;
}

}  // namespace

CurlClient::CurlClient() {
  GlobalInit();
  curl_ = curl_easy_init();
}

CurlClient::~CurlClient() { curl_easy_cleanup(curl_); }

FetchResult CurlClient::Fetch(const std::string& url, const FetchOptions& options) {
  FetchResult result;
  TransferState state{&result, &options};
  char error[CURL_ERROR_SIZE] = {};
  curl_slist* headers = nullptr;
  for (const std::string& h : options.headers) headers = curl_slist_append(headers, h.c_str());
  curl_easy_reset(curl_);
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, options.method.c_str());
  if (options.method == "HEAD") curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
  if (!options.body.empty() || options.method == "POST" || options.method == "PUT") {
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, options.body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(options.body.size()));
  }
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &result);
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, static_cast<long>(kGuard.count()));
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  if (!options.ca_pem.empty()) {
    curl_blob blob{const_cast<char*>(options.ca_pem.data()), options.ca_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(curl_, CURLOPT_CAINFO_BLOB, &blob);
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, 2L);
  }
  result.code = curl_easy_perform(curl_);
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &result.status);
  curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &result.new_connections);
  result.error = error;
  curl_slist_free_all(headers);
  return result;
}

void Received::Append(std::string_view data) {
  std::lock_guard<std::mutex> lock(mu_);
  text_.append(data);
  cv_.notify_all();
}

bool Received::WaitFor(std::string_view needle) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, kGuard, [&] { return text_.find(needle) != std::string::npos; });
}

std::string Received::text() const {
  std::lock_guard<std::mutex> lock(mu_);
  return text_;
}

RawConnection::RawConnection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  timeval tv{static_cast<time_t>(kGuard.count()), 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) Close();
}

RawConnection::~RawConnection() { Close(); }

bool RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string RawConnection::ReadUntil(std::string_view needle) {
  std::string out;
  char buf[4096];
  while (needle.empty() || out.find(needle) == std::string::npos) {
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string RawConnection::ReadToEnd() { return ReadUntil({}); }

void RawConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace osbx::http::testing
