#include "pkg/kube/cache/fake_lister_watcher.h"

#include <algorithm>
#include <chrono>

namespace osbx::kube {

// One watch stream. delivery_mu is held while a callback runs, so Stop() waits for a running
// callback and none starts afterwards.
struct FakeListerWatcher::Stream {
  std::mutex delivery_mu;
  bool stopped = false;  // guarded by delivery_mu
  WatchCallbacks callbacks;
};

class FakeListerWatcher::Handle final : public WatchHandle {
 public:
  explicit Handle(std::shared_ptr<Stream> stream) : stream_(std::move(stream)) {}
  ~Handle() override { Stop(); }
  void Stop() override {
    std::lock_guard<std::mutex> lock(stream_->delivery_mu);
    stream_->stopped = true;
  }

 private:
  std::shared_ptr<Stream> stream_;
};

FakeListerWatcher::~FakeListerWatcher() = default;

void FakeListerWatcher::SetObjects(std::vector<Json> objects, std::string resource_version) {
  std::lock_guard<std::mutex> lock(mu_);
  objects_ = std::move(objects);
  resource_version_ = std::move(resource_version);
}

void FakeListerWatcher::FailNextLists(std::vector<Status> errors) {
  std::lock_guard<std::mutex> lock(mu_);
  list_errors_.insert(list_errors_.end(), errors.begin(), errors.end());
}

void FakeListerWatcher::FailNextWatches(std::vector<Status> errors) {
  std::lock_guard<std::mutex> lock(mu_);
  watch_errors_.insert(watch_errors_.end(), errors.begin(), errors.end());
}

StatusOr<ListResult> FakeListerWatcher::List(const ListOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  list_calls_.push_back(options);
  calls_cv_.notify_all();
  if (!list_errors_.empty()) {
    Status error = list_errors_.front();
    list_errors_.pop_front();
    return error;
  }
  // The continue token is simply the index of the next object.
  size_t start = options.continue_token.empty() ? 0 : std::stoul(options.continue_token);
  size_t end = objects_.size();
  if (options.limit > 0) end = std::min(end, start + static_cast<size_t>(options.limit));
  ListResult result;
  result.resource_version = resource_version_;
  result.items.assign(objects_.begin() + static_cast<std::ptrdiff_t>(start),
                      objects_.begin() + static_cast<std::ptrdiff_t>(end));
  if (end < objects_.size()) result.continue_token = std::to_string(end);
  return result;
}

StatusOr<std::unique_ptr<WatchHandle>> FakeListerWatcher::Watch(const ListOptions& options,
                                                                WatchCallbacks callbacks) {
  std::lock_guard<std::mutex> lock(mu_);
  watch_calls_.push_back(options);
  calls_cv_.notify_all();
  if (!watch_errors_.empty()) {
    Status error = watch_errors_.front();
    watch_errors_.pop_front();
    return error;
  }
  current_ = std::make_shared<Stream>();
  current_->callbacks = std::move(callbacks);
  return std::unique_ptr<WatchHandle>(std::make_unique<Handle>(current_));
}

bool FakeListerWatcher::Send(WatchEvent event) {
  std::shared_ptr<Stream> stream;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stream = current_;
  }
  if (stream == nullptr) return false;
  std::lock_guard<std::mutex> delivery(stream->delivery_mu);
  if (stream->stopped) return false;
  stream->callbacks.on_event(std::move(event));
  return true;
}

bool FakeListerWatcher::CloseWatch(const Status& status) {
  std::shared_ptr<Stream> stream;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stream = std::move(current_);
  }
  if (stream == nullptr) return false;
  std::lock_guard<std::mutex> delivery(stream->delivery_mu);
  if (stream->stopped) return false;
  stream->stopped = true;
  stream->callbacks.on_close(status);
  return true;
}

bool FakeListerWatcher::WaitFor(const std::vector<ListOptions>& calls, size_t n) {
  std::unique_lock<std::mutex> lock(mu_);
  return calls_cv_.wait_for(lock, std::chrono::seconds(10), [&] { return calls.size() >= n; });
}

bool FakeListerWatcher::WaitForLists(size_t n) { return WaitFor(list_calls_, n); }
bool FakeListerWatcher::WaitForWatches(size_t n) { return WaitFor(watch_calls_, n); }

std::vector<ListOptions> FakeListerWatcher::list_calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return list_calls_;
}

std::vector<ListOptions> FakeListerWatcher::watch_calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return watch_calls_;
}

}  // namespace osbx::kube
