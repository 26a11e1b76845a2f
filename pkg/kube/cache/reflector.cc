#include "pkg/kube/cache/reflector.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "pkg/kube/cache/object_meta.h"

namespace osbx::kube {

struct Reflector::WatchSession {
  // Guarded by the reflector's mu_.
  bool closed = false;
  Status status;
  int64_t events = 0;  // events received, bookmarks included
};

namespace {

constexpr std::chrono::seconds kShortWatch{1};

// The Status carried by an in-stream ERROR event (a metav1.Status object).
Status ErrorEventStatus(const Json& object) {
  int code = 500;
  std::string reason, message;
  if (object.is_object()) {
    if (auto c = object.find("code"); c != object.end() && c->is_number_integer()) {
      code = c->get<int>();
    }
    if (auto r = object.find("reason"); r != object.end() && r->is_string()) {
      reason = r->get<std::string>();
    }
    if (auto m = object.find("message"); m != object.end() && m->is_string()) {
      message = m->get<std::string>();
    }
  }
  StatusCode status_code = StatusCodeFromHttp(code, reason);
  if (status_code == StatusCode::kOk) status_code = StatusCode::kInternal;
  return Status(status_code, "watch ERROR event: " + message);
}

}  // namespace

Reflector::Reflector(ListerWatcher& lw, ReflectorSink& sink, const Clock& clock,
                     ReflectorOptions options)
    : lw_(lw),
      sink_(sink),
      clock_(clock),
      options_(std::move(options)),
      decoder_in_use_(options_.decoder && lw_.UseDecoder(options_.decoder)),
      rng_(std::random_device{}()) {}

Reflector::~Reflector() { Stop(); }

void Reflector::Run() {
  MutexLock lock(mu_);
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Reflector::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool Reflector::Stopping() const {
  MutexLock lock(mu_);
  return stopping_;
}

std::string Reflector::LastSyncResourceVersion() const {
  MutexLock lock(mu_);
  return last_sync_rv_;
}

double Reflector::Random() {
  if (options_.random) return std::clamp(options_.random(), 0.0, 1.0);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

void Reflector::Loop() {
  if (!SleepUntil(options_.first_list_at)) return;
  bool need_list = true;
  while (!Stopping()) {
    Status status;
    if (need_list) status = ListAndReplace();
    if (status.ok()) {
      need_list = false;
      status = WatchOnce();
    }
    if (Stopping()) break;
    if (status.ok()) continue;  // the server ended the watch: resume from the last RV at once
    if (status.IsGone()) need_list = true;
    Backoff(status);
  }
}

Status Reflector::ListPages(const std::string& resource_version, std::vector<Json>& items,
                            std::string& list_rv) {
  ListOptions options;
  options.label_selector = options_.label_selector;
  options.field_selector = options_.field_selector;
  options.limit = options_.page_size;
  options.resource_version = resource_version;
  items.clear();
  while (true) {
    StatusOr<ListResult> page = lw_.List(options);
    if (!page.ok()) return page.status();
    // Every page of one list shares the first page's snapshot.
    if (options.continue_token.empty()) list_rv = page->resource_version;
    for (Json& item : page->items) {
      sink_.PrepareListed(item);
      items.push_back(std::move(item));
    }
    if (page->continue_token.empty()) return Status::Ok();
    options.continue_token = std::move(page->continue_token);
    options.resource_version.clear();  // the continue token carries the snapshot
  }
}

Status Reflector::ListAndReplace() {
  std::string rv;
  {
    MutexLock lock(mu_);
    const bool consistent =
        last_rv_unavailable_ || (last_sync_rv_.empty() && options_.consistent_first_list);
    rv = consistent ? "" : (last_sync_rv_.empty() ? "0" : last_sync_rv_);
  }
  std::vector<Json> items;
  std::string list_rv;
  Status status = ListPages(rv, items, list_rv);
  if (status.IsGone() && !rv.empty()) {
    // The snapshot (or a continue token) expired: read the current state consistently.
    {
      MutexLock lock(mu_);
      last_rv_unavailable_ = true;
    }
    status = ListPages("", items, list_rv);
  }
  if (!status.ok()) return status;
  if (Stopping()) return Status(StatusCode::kCancelled, "reflector stopping");
  sink_.Replace(std::move(items), list_rv);
  MutexLock lock(mu_);
  last_sync_rv_ = list_rv;
  last_rv_unavailable_ = false;
  return Status::Ok();
}

ListOptions Reflector::WatchOptions() {
  ListOptions options;
  options.label_selector = options_.label_selector;
  options.field_selector = options_.field_selector;
  options.allow_watch_bookmarks = true;
  const auto span = options_.max_watch_timeout - options_.min_watch_timeout;
  const auto timeout =
      options_.min_watch_timeout + std::chrono::duration_cast<Duration>(span * Random());
  options.timeout_seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
  MutexLock lock(mu_);
  options.resource_version = last_sync_rv_;
  return options;
}

Status Reflector::WatchOnce() {
  auto session = std::make_shared<WatchSession>();
  WatchCallbacks callbacks;
  callbacks.on_event = [this, session](WatchEvent&& event) {
    HandleEvent(*session, std::move(event));
  };
  callbacks.on_close = [this, session](const Status& status) {
    MutexLock lock(mu_);
    if (session->closed) return;  // an ERROR event already decided the outcome
    session->closed = true;
    session->status = status;
    cv_.notify_all();
  };
  StatusOr<std::unique_ptr<WatchHandle>> handle = lw_.Watch(WatchOptions(), std::move(callbacks));
  if (!handle.ok()) return handle.status();
  const Clock::TimePoint started = clock_.Now();
  Status result;
  {
    MutexLock lock(mu_);
    while (!session->closed && !stopping_) cv_.wait(lock.lock());
    result = stopping_ ? Status(StatusCode::kCancelled, "reflector stopping") : session->status;
    if (result.ok() && session->events == 0 && clock_.Now() - started < kShortWatch) {
      // A server that ends watches at once would otherwise be re-watched in a tight loop.
      result = UnavailableError("watch ended within a second without any event");
    }
  }
  (*handle)->Stop();  // no callback of this watch runs after this
  return result;
}

void Reflector::HandleEvent(WatchSession& session, WatchEvent&& event) {
  {
    MutexLock lock(mu_);
    if (session.closed || stopping_) return;
    ++session.events;
    if (event.type == WatchEventType::kError) {
      session.closed = true;
      session.status = ErrorEventStatus(event.object);
      cv_.notify_all();
      return;
    }
  }
  std::string rv(MetaString(event.object, "resourceVersion"));
  if (event.type != WatchEventType::kBookmark) sink_.Apply(event.type, std::move(event.object));
  if (rv.empty()) return;
  MutexLock lock(mu_);
  last_sync_rv_ = std::move(rv);
}

void Reflector::Backoff(const Status& cause) {
  const Clock::TimePoint now = clock_.Now();
  if (backoff_attempt_ > 0 && now - last_backoff_at_ > options_.backoff_reset) {
    backoff_attempt_ = 0;
  }
  last_backoff_at_ = now;
  const double grown = std::chrono::duration<double>(options_.backoff_initial).count() *
                       std::exp2(std::min(backoff_attempt_, 62));
  const double capped =
      std::min(grown, std::chrono::duration<double>(options_.backoff_max).count());
  ++backoff_attempt_;
  // Equal jitter: half fixed, half random, so waits spread out but never collapse to zero.
  const auto wait = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(capped * (0.5 + 0.5 * Random())));
  if (options_.on_backoff) options_.on_backoff(wait, cause);
  (void)SleepUntil(now + wait);
}

bool Reflector::SleepUntil(Clock::TimePoint deadline) {
  MutexLock lock(mu_);
  while (!stopping_ && clock_.Now() < deadline) clock_.WaitUntil(cv_, lock.lock(), deadline);
  return !stopping_;
}

}  // namespace osbx::kube
