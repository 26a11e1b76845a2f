#include "internal/standalone/store/watch_hub.h"

#include <algorithm>
#include <string_view>
#include <utility>

namespace osbx::standalone {

struct Watcher::State {
  explicit State(WatchSpec s) : spec(std::move(s)) {}

  const WatchSpec spec;
  size_t limit = 0;  // queue bound; set before the state is shared
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Event> queue;  // guarded by mu
  bool ended = false;       // guarded by mu
  Status end_status;        // guarded by mu; why the watch ended
  int64_t progress_rv = 0;  // guarded by mu

  bool Matches(const Event& e) const {
    return e.rv() > spec.start_rv && std::string_view(e.object->key).starts_with(spec.prefix);
  }
  // Ends the watch; returns false if it had already ended. Caller holds mu.
  bool EndLocked(Status status) {
    if (ended) return false;
    ended = true;
    end_status = std::move(status);
    return true;
  }
};

Watcher::~Watcher() { Stop(); }

Status Watcher::Poll(std::vector<Event>* out) {
  std::lock_guard lock(state_->mu);
  std::move(state_->queue.begin(), state_->queue.end(), std::back_inserter(*out));
  state_->queue.clear();
  return state_->ended ? state_->end_status : Status::Ok();
}

Status Watcher::Wait(std::vector<Event>* out, Clock::TimePoint deadline) {
  {
    std::unique_lock lock(state_->mu);
    while (state_->queue.empty() && !state_->ended && clock_.Now() < deadline) {
      clock_.WaitUntil(state_->cv, lock, deadline);
    }
  }
  return Poll(out);
}

int64_t Watcher::progress_rv() const {
  std::lock_guard lock(state_->mu);
  return state_->progress_rv;
}

void Watcher::Stop() {
  if (auto hub = hub_.lock()) hub->Remove(state_);
  std::lock_guard lock(state_->mu);
  state_->EndLocked(Status(StatusCode::kCancelled, "watch stopped"));
  state_->queue.clear();
}

StatusOr<std::unique_ptr<Watcher>> WatchHub::Add(WatchSpec spec, const ReplayFn& replay) {
  std::lock_guard lock(mu_);
  std::vector<Event> missed;
  OSBX_RETURN_IF_ERROR(replay(published_rv_, spec, missed));
  auto state = std::make_shared<Watcher::State>(std::move(spec));
  state->limit = state->spec.max_pending + missed.size();
  state->progress_rv = std::max(published_rv_, state->spec.start_rv);
  state->queue.assign(std::make_move_iterator(missed.begin()),
                      std::make_move_iterator(missed.end()));
  watchers_.push_back(state);
  return std::unique_ptr<Watcher>(new Watcher(std::move(state), weak_from_this(), clock_));
}

void WatchHub::Publish(const std::vector<Event>& batch, int64_t batch_end_rv) {
  std::lock_guard lock(mu_);
  published_rv_ = batch_end_rv;
  std::erase_if(watchers_, [&](const std::shared_ptr<Watcher::State>& w) {
    size_t matching = 0;
    for (const Event& e : batch) matching += w->Matches(e) ? 1 : 0;
    bool notify = false;
    bool drop = false;
    {
      std::lock_guard wlock(w->mu);
      if (w->ended) return true;
      if (w->queue.size() + matching > w->limit) {
        w->queue.clear();
        w->EndLocked(GoneError("watcher is too slow: its queue of pending events overflowed"));
        notify = drop = true;
      } else {
        for (const Event& e : batch) {
          if (w->Matches(e)) w->queue.push_back(e);
        }
        w->progress_rv = std::max(w->progress_rv, batch_end_rv);
        notify = matching > 0;
      }
    }
    if (notify) {
      w->cv.notify_all();
      if (w->spec.on_ready) w->spec.on_ready();
    }
    return drop;
  });
}

void WatchHub::CloseAll(const Status& status) {
  std::lock_guard lock(mu_);
  for (const auto& w : watchers_) {
    {
      std::lock_guard wlock(w->mu);
      w->EndLocked(status);
    }
    w->cv.notify_all();
    if (w->spec.on_ready) w->spec.on_ready();
  }
  watchers_.clear();
}

size_t WatchHub::watcher_count() {
  std::lock_guard lock(mu_);
  return watchers_.size();
}

void WatchHub::Remove(const std::shared_ptr<Watcher::State>& state) {
  std::lock_guard lock(mu_);
  std::erase(watchers_, state);
}

}  // namespace osbx::standalone
