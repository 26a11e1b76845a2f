#include "pkg/kube/client/transport.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "pkg/kube/client/transport_internal.h"

namespace osbx::kube {

using transport_internal::StreamState;
using transport_internal::Transfer;

namespace {

constexpr int kMaxPollMs = 1000;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Status Cancelled() { return Status(StatusCode::kCancelled, "transport shut down"); }

}  // namespace

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

class Transport::Impl {
 public:
  explicit Impl(TransportOptions options);
  ~Impl();

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  // Hands a transfer to the I/O thread; fails it at once after shutdown.
  void Post(std::unique_ptr<Transfer> t);
  void PostCancel(uint64_t id);
  void Wakeup() { curl_multi_wakeup(multi_); }
  void Shutdown();
  uint64_t NextId() { return next_id_.fetch_add(1) + 1; }
  const TransportOptions& options() const { return options_; }

 private:
  void Run();
  // Moves posted work into the multi handle; false once shutdown was requested.
  bool DrainMailbox();
  void Start(std::unique_ptr<Transfer> t);
  void Remove(uint64_t id, const Status& status, bool notify);
  void ProcessCompletions();
  void CheckIdle();
  int PollTimeoutMs();
  void FailAll();
  static void Finish(Transfer& t, const Status& status);

  const TransportOptions options_;
  CURLM* const multi_;  // destroyed only after the I/O thread joined
  std::atomic<uint64_t> next_id_{0};
  std::thread thread_;

  std::mutex mu_;
  std::vector<std::unique_ptr<Transfer>> incoming_;  // guarded by mu_
  std::vector<uint64_t> cancels_;                    // guarded by mu_
  bool stopping_ = false;                            // guarded by mu_

  // Owned by the I/O thread.
  std::unordered_map<uint64_t, std::unique_ptr<Transfer>> active_;
};

Transport::Impl::Impl(TransportOptions options)
    : options_(std::move(options)), multi_((GlobalInit(), curl_multi_init())) {}

Transport::Impl::~Impl() {
  Shutdown();
  curl_multi_cleanup(multi_);
}

void Transport::Impl::Post(std::unique_ptr<Transfer> t) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      incoming_.push_back(std::move(t));
      curl_multi_wakeup(multi_);
      return;
    }
  }
  Finish(*t, Cancelled());
}

void Transport::Impl::PostCancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  cancels_.push_back(id);
  curl_multi_wakeup(multi_);
}

void Transport::Impl::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_);
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Transport::Impl::Run() {
  while (DrainMailbox()) {
    int running = 0;
    curl_multi_perform(multi_, &running);
    ProcessCompletions();
    CheckIdle();
    curl_multi_poll(multi_, nullptr, 0, PollTimeoutMs(), nullptr);
  }
  FailAll();
}

bool Transport::Impl::DrainMailbox() {
  std::vector<std::unique_ptr<Transfer>> incoming;
  std::vector<uint64_t> cancels;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    incoming.swap(incoming_);
    cancels.swap(cancels_);
  }
  for (auto& t : incoming) Start(std::move(t));
  for (uint64_t id : cancels) Remove(id, Status::Ok(), /*notify=*/false);
  return true;
}

void Transport::Impl::Start(std::unique_ptr<Transfer> t) {
  t->clock = options_.clock;
  t->last_activity = options_.clock->Now();
  Status s = transport_internal::ConfigureEasy(*t, options_);
  if (s.ok() && curl_multi_add_handle(multi_, t->easy) != CURLM_OK) {
    s = InternalError("curl_multi_add_handle failed");
  }
  if (!s.ok()) {
    Finish(*t, s);
    return;
  }
  uint64_t id = t->id;
  active_.emplace(id, std::move(t));
}

void Transport::Impl::Remove(uint64_t id, const Status& status, bool notify) {
  auto it = active_.find(id);
  if (it == active_.end()) return;
  std::unique_ptr<Transfer> t = std::move(it->second);
  active_.erase(it);
  curl_multi_remove_handle(multi_, t->easy);
  if (notify) Finish(*t, status);
}

void Transport::Impl::ProcessCompletions() {
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Transfer* t = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
    CURLcode result = msg->data.result;
    long code = 0;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
    t->response.code = static_cast<int>(code);
    Status status =
        result == CURLE_OK ? Status::Ok() : transport_internal::StatusFromCurl(result, t->error);
    Remove(t->id, status, /*notify=*/true);
  }
}

void Transport::Impl::CheckIdle() {
  Clock::TimePoint now = options_.clock->Now();
  std::vector<uint64_t> expired;
  for (const auto& [id, t] : active_) {
    if (t->stream && t->idle_timeout > Clock::Duration::zero() &&
        now - t->last_activity > t->idle_timeout) {
      expired.push_back(id);
    }
  }
  for (uint64_t id : expired) {
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(active_[id]->idle_timeout);
    Remove(id,
           Status(StatusCode::kServerTimeout, "stream received no data for " +
                                                  std::to_string(seconds.count()) +
                                                  "s; connection considered dead"),
           /*notify=*/true);
  }
}

int Transport::Impl::PollTimeoutMs() {
  long ms = -1;
  curl_multi_timeout(multi_, &ms);
  if (ms < 0 || ms > kMaxPollMs) ms = kMaxPollMs;
  Clock::TimePoint now = options_.clock->Now();
  for (const auto& [id, t] : active_) {
    if (!t->stream || t->idle_timeout <= Clock::Duration::zero()) continue;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t->last_activity +
                                                                      t->idle_timeout - now);
    ms = std::min<long>(ms, std::max<long>(0, static_cast<long>(left.count()) + 1));
  }
  return static_cast<int>(ms);
}

void Transport::Impl::FailAll() {
  std::vector<uint64_t> ids;
  for (const auto& entry : active_) ids.push_back(entry.first);
  for (uint64_t id : ids) Remove(id, Cancelled(), /*notify=*/true);
  std::vector<std::unique_ptr<Transfer>> incoming;
  {
    std::lock_guard<std::mutex> lock(mu_);
    incoming.swap(incoming_);
  }
  for (auto& t : incoming) Finish(*t, Cancelled());
}

void Transport::Impl::Finish(Transfer& t, const Status& status) {
  if (!t.stream) {
    t.response.status = status;
    if (t.done) t.done(std::move(t.response));
    return;
  }
  StreamState& s = *t.stream;
  std::lock_guard<std::recursive_mutex> lock(s.mu);
  if (s.cancelled || t.consumer_ended) return;
  if (status.ok() && !t.response_delivered) {
    t.response_delivered = true;
    if (s.callbacks.on_response) s.callbacks.on_response(t.response.code, t.response.headers);
    if (s.cancelled) return;
  }
  if (s.callbacks.on_done) s.callbacks.on_done(status);
}

namespace {

class StreamHandleImpl final : public StreamHandle {
 public:
  StreamHandleImpl(std::shared_ptr<Transport::Impl> impl, std::shared_ptr<StreamState> state,
                   uint64_t id)
      : impl_(std::move(impl)), state_(std::move(state)), id_(id) {}
  ~StreamHandleImpl() override { Cancel(); }

  void Cancel() override {
    {
      std::lock_guard<std::recursive_mutex> lock(state_->mu);
      if (state_->cancelled) return;
      state_->cancelled = true;
    }
    impl_->PostCancel(id_);
  }

 private:
  std::shared_ptr<Transport::Impl> impl_;
  std::shared_ptr<StreamState> state_;
  const uint64_t id_;
};

}  // namespace

Transport::Transport(TransportOptions options) {
  if (options.clock == nullptr) options.clock = &RealClock::Get();
  impl_ = std::make_shared<Impl>(std::move(options));
  impl_->Start();
}

Transport::~Transport() { impl_->Shutdown(); }

void Transport::Send(HttpRequest request, std::function<void(HttpResponse)> done) {
  auto t = std::make_unique<Transfer>();
  t->id = impl_->NextId();
  t->request = std::move(request);
  t->done = std::move(done);
  impl_->Post(std::move(t));
}

std::future<HttpResponse> Transport::Send(HttpRequest request) {
  auto promise = std::make_shared<std::promise<HttpResponse>>();
  std::future<HttpResponse> future = promise->get_future();
  Send(std::move(request), [promise](HttpResponse r) { promise->set_value(std::move(r)); });
  return future;
}

std::unique_ptr<StreamHandle> Transport::OpenStream(HttpRequest request, StreamCallbacks callbacks,
                                                    Clock::Duration idle_timeout) {
  auto state = std::make_shared<StreamState>();
  state->callbacks = std::move(callbacks);
  auto t = std::make_unique<Transfer>();
  t->id = impl_->NextId();
  t->request = std::move(request);
  t->stream = state;
  t->idle_timeout = idle_timeout;
  uint64_t id = t->id;
  auto handle = std::make_unique<StreamHandleImpl>(impl_, state, id);
  impl_->Post(std::move(t));
  return handle;
}

void Transport::Wakeup() { impl_->Wakeup(); }

void Transport::Shutdown() { impl_->Shutdown(); }

}  // namespace osbx::kube
