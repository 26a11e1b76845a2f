#include "test/crash/resource_watch.h"

#include "pkg/kube/meta/object.h"

namespace osbx::crash {

ResourceWatch::ResourceWatch(kube::RestClient& client, kube::ResourceRef resource, Handler handler)
    : client_(client), resource_(std::move(resource)), handler_(std::move(handler)) {}

ResourceWatch::~ResourceWatch() {
  std::unique_ptr<kube::WatchHandle> handle;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    handle = std::move(handle_);
  }
  cv_.notify_all();
  if (handle) handle->Stop();
  if (resumer_.joinable()) resumer_.join();
  std::unique_lock lock(mu_);
  handle = std::move(handle_);  // opened by the resumer while stopping
  lock.unlock();
  if (handle) handle->Stop();
}

Status ResourceWatch::Start(const std::string& resource_version) {
  {
    std::lock_guard lock(mu_);
    rv_ = resource_version;
  }
  OSBX_RETURN_IF_ERROR(Open());
  resumer_ = std::thread([this] { ResumeLoop(); });
  return Status::Ok();
}

std::string ResourceWatch::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

Status ResourceWatch::Open() {
  kube::WatchCallbacks callbacks;
  callbacks.on_event = [this](kube::WatchEvent&& event) {
    if (event.type == kube::WatchEventType::kError) return;  // on_close follows
    if (event.type != kube::WatchEventType::kBookmark) {
      handler_(event.object, event.type == kube::WatchEventType::kDeleted);
    }
    std::lock_guard lock(mu_);
    rv_ = std::string(kube::GetResourceVersion(event.object));
  };
  callbacks.on_close = [this](const Status& status) {
    std::lock_guard lock(mu_);
    if (status.code() == StatusCode::kGone && error_.empty()) {
      error_ = resource_.resource + " watch lost events: " + status.ToString();
    }
    closed_ = true;
    cv_.notify_all();
  };
  kube::ListOptions options;
  options.allow_watch_bookmarks = true;
  {
    std::lock_guard lock(mu_);
    options.resource_version = rv_;
    closed_ = false;
  }
  // Not under mu_: the callbacks take it, and may run before Watch returns.
  OSBX_ASSIGN_OR_RETURN(auto handle, client_.Watch(resource_, "", options, std::move(callbacks)));
  std::lock_guard lock(mu_);
  handle_ = std::move(handle);
  return Status::Ok();
}

void ResourceWatch::ResumeLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return closed_ || stopping_; });
    if (stopping_ || !error_.empty()) return;
    std::unique_ptr<kube::WatchHandle> old = std::move(handle_);
    lock.unlock();
    old.reset();  // never destroyed from inside its own callbacks
    Status opened = Open();
    lock.lock();
    if (!opened.ok() && !stopping_) {
      error_ = resource_.resource + " watch could not resume: " + opened.ToString();
      return;
    }
  }
}

}  // namespace osbx::crash
