#include <algorithm>
#include <cctype>
#include <string>

#include "pkg/kube/client/transport_internal.h"

namespace osbx::kube::transport_internal {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  t->last_activity = t->clock->Now();
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after a 100 Continue or a redirect): earlier headers are not ours.
    t->response.headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(Trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  t->response.headers.emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
  return n;
}

size_t OnStreamData(Transfer* t, std::string_view data) {
  StreamState& s = *t->stream;
  std::lock_guard<std::recursive_mutex> lock(s.mu);
  if (s.cancelled) return 0;
  if (!t->response_delivered) {
    long code = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
    t->response.code = static_cast<int>(code);
    t->response_delivered = true;
    if (s.callbacks.on_response) s.callbacks.on_response(t->response.code, t->response.headers);
    if (s.cancelled) return 0;
  }
  if (s.callbacks.on_data && !s.callbacks.on_data(data)) {
    t->consumer_ended = true;
    return 0;
  }
  return s.cancelled ? 0 : data.size();
}

size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  t->last_activity = t->clock->Now();
  if (t->stream) return OnStreamData(t, std::string_view(data, n));
  t->response.body.append(data, n);
  return n;
}

Status SetTls(CURL* easy, const TlsOptions& tls) {
  CURLcode rc = CURLE_OK;
  auto blob = [](const std::string& pem) {
    curl_blob b;
    b.data = const_cast<char*>(pem.data());
    b.len = pem.size();
    b.flags = CURL_BLOB_COPY;
    return b;
  };
  if (!tls.ca_pem.empty()) {
    curl_blob b = blob(tls.ca_pem);
    rc = curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &b);
    if (rc != CURLE_OK) return StatusFromCurl(rc, "setting the CA bundle");
  }
  if (!tls.client_cert_pem.empty()) {
    curl_blob cert = blob(tls.client_cert_pem);
    curl_blob key = blob(tls.client_key_pem);
    curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
    rc = curl_easy_setopt(easy, CURLOPT_SSLCERT_BLOB, &cert);
    if (rc != CURLE_OK) return StatusFromCurl(rc, "setting the client certificate");
    curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
    rc = curl_easy_setopt(easy, CURLOPT_SSLKEY_BLOB, &key);
    if (rc != CURLE_OK) return StatusFromCurl(rc, "setting the client key");
  }
  long verify = tls.insecure_skip_verify ? 0L : 1L;
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, verify);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, tls.insecure_skip_verify ? 0L : 2L);
  return Status::Ok();
}

void SetMethodAndBody(CURL* easy, HttpRequest& req) {
  if (req.method == "GET" && req.body.empty()) {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    return;
  }
  if (req.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    return;
  }
  // POSTFIELDS sends the body for every verb; CUSTOMREQUEST then names the verb.
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req.body.data());
  if (req.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req.method.c_str());
}

}  // namespace

Transfer::~Transfer() {
  if (easy != nullptr) curl_easy_cleanup(easy);
  if (header_list != nullptr) curl_slist_free_all(header_list);
}

Status StatusFromCurl(CURLcode code, const char* detail) {
  std::string msg = curl_easy_strerror(code);
  if (detail != nullptr && detail[0] != '\0') msg += std::string(": ") + detail;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status(StatusCode::kServerTimeout, msg);
    // The peer's certificate or our TLS material is wrong: a configuration problem that
    // retrying cannot fix.
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return Status(StatusCode::kInvalid, "TLS: " + msg);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_UNKNOWN_OPTION:
      return Status(StatusCode::kInvalid, msg);
    default:
      return Status(StatusCode::kUnavailable, msg);
  }
}

Status ConfigureEasy(Transfer& t, const TransportOptions& options) {
  t.easy = curl_easy_init();
  if (t.easy == nullptr) return InternalError("curl_easy_init failed");
  CURL* easy = t.easy;
  curl_easy_setopt(easy, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t.error);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  if (curl_easy_setopt(easy, CURLOPT_URL, t.request.url.c_str()) != CURLE_OK) {
    return InvalidError("bad URL: " + t.request.url);
  }
  SetMethodAndBody(easy, t.request);
  for (const auto& [name, value] : t.request.headers) {
    t.header_list = curl_slist_append(t.header_list, (name + ": " + value).c_str());
  }
  // No "Expect: 100-continue" round trip before bodies.
  t.header_list = curl_slist_append(t.header_list, "Expect:");
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t.header_list);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 30L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 15L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  if (t.request.timeout.count() > 0) {
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(t.request.timeout.count()));
  }
  bool http11 = t.stream != nullptr || !options.http2;
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                   http11 ? static_cast<long>(CURL_HTTP_VERSION_1_1)
                          : static_cast<long>(CURL_HTTP_VERSION_2TLS));
  return SetTls(easy, options.tls);
}

}  // namespace osbx::kube::transport_internal
