#include "bench/apiserver/bench_client.h"

#include <chrono>
#include <memory>
#include <thread>

namespace osbx::bench {
namespace {

// Common options of every transfer: TLS against the server's CA, the bearer token, keep-alive.
void Configure(CURL* easy, const Endpoint& endpoint, curl_slist* headers) {
  curl_blob ca{const_cast<char*>(endpoint.ca_pem.data()), endpoint.ca_pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &ca);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
}

curl_slist* Headers(const Endpoint& endpoint, bool json_body) {
  curl_slist* list = nullptr;
  list = curl_slist_append(list, ("Authorization: Bearer " + endpoint.token).c_str());
  list = curl_slist_append(list, "Accept: application/json");
  if (json_body) list = curl_slist_append(list, "Content-Type: application/json");
  return list;
}

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

struct PostSlot {
  CURL* easy = nullptr;
  std::string body;
  int64_t seq = 0;
  int64_t sent_ns = 0;
};

}  // namespace

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void RunPostLoad(const PostLoad& load) {
  CURLM* multi = curl_multi_init();
  curl_slist* headers = Headers(load.endpoint, true);
  std::string url = load.endpoint.url + load.path;
  std::vector<std::unique_ptr<PostSlot>> slots;
  std::vector<PostSlot*> idle;
  for (int i = 0; i < load.in_flight; ++i) {
    auto slot = std::make_unique<PostSlot>();
    slot->easy = curl_easy_init();
    Configure(slot->easy, load.endpoint, headers);
    curl_easy_setopt(slot->easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(slot->easy, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(slot->easy, CURLOPT_PRIVATE, slot.get());
    idle.push_back(slot.get());
    slots.push_back(std::move(slot));
  }
  int64_t start = NowNs();
  int64_t seq = load.first_seq;
  int running = 0;
  for (;;) {
    int64_t now = NowNs();
    bool more = load.max_requests == 0 || seq - load.first_seq < load.max_requests;
    while (!idle.empty() && now < load.stop_ns && more &&
           (load.interval_ns == 0 || start + (seq - load.first_seq) * load.interval_ns <= now)) {
      PostSlot* slot = idle.back();
      idle.pop_back();
      slot->seq = seq++;
      slot->sent_ns = now;
      slot->body = load.body(slot->seq, now);
      curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDS, slot->body.c_str());
      curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(slot->body.size()));
      curl_multi_add_handle(multi, slot->easy);
      ++running;
      more = load.max_requests == 0 || seq - load.first_seq < load.max_requests;
    }
    if (running == 0 && (now >= load.stop_ns || !more)) break;
    int still = 0;
    curl_multi_perform(multi, &still);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      PostSlot* slot = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &slot);
      long status = 0;
      if (msg->data.result == CURLE_OK) {
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      }
      curl_multi_remove_handle(multi, msg->easy_handle);
      --running;
      load.on_done(slot->seq, status, slot->sent_ns, NowNs());
      idle.push_back(slot);
    }
    int timeout_ms = load.interval_ns > 0 ? 1 : 50;
    curl_multi_poll(multi, nullptr, 0, timeout_ms, nullptr);
  }
  for (auto& slot : slots) curl_easy_cleanup(slot->easy);
  curl_multi_cleanup(multi);
  curl_slist_free_all(headers);
}

namespace {

struct WatchStream {
  const WatchLoad* load = nullptr;
  size_t index = 0;
  std::string partial;
};

size_t OnWatchData(char* data, size_t size, size_t n, void* user) {
  auto* stream = static_cast<WatchStream*>(user);
  int64_t now = NowNs();
  stream->partial.append(data, size * n);
  size_t start = 0;
  for (size_t nl; (nl = stream->partial.find('\n', start)) != std::string::npos; start = nl + 1) {
    stream->load->on_line(stream->index,
                          std::string_view(stream->partial).substr(start, nl - start), now);
  }
  stream->partial.erase(0, start);
  return size * n;
}

}  // namespace

void RunWatchLoad(const WatchLoad& load) {
  CURLM* multi = curl_multi_init();
  curl_slist* headers = Headers(load.endpoint, false);
  std::vector<std::unique_ptr<WatchStream>> streams;
  std::vector<CURL*> handles;
  for (size_t i = 0; i < load.paths.size(); ++i) {
    auto stream = std::make_unique<WatchStream>();
    stream->load = &load;
    stream->index = i;
    CURL* easy = curl_easy_init();
    Configure(easy, load.endpoint, headers);
    std::string url = load.endpoint.url + load.paths[i];
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, OnWatchData);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, stream.get());
    curl_multi_add_handle(multi, easy);
    handles.push_back(easy);
    streams.push_back(std::move(stream));
  }
  while (!load.stop()) {
    int still = 0;
    curl_multi_perform(multi, &still);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      (void)msg;  // a stream that ends early shows up as missing events in the report
    }
    curl_multi_poll(multi, nullptr, 0, 20, nullptr);
  }
  for (CURL* easy : handles) {
    curl_multi_remove_handle(multi, easy);
    curl_easy_cleanup(easy);
  }
  curl_multi_cleanup(multi);
  curl_slist_free_all(headers);
}

}  // namespace osbx::bench
