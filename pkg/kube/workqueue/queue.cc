#include "pkg/kube/workqueue/queue.h"

#include <algorithm>

namespace osbx::kube {
namespace {

// Orders the delay heap so that the earliest deadline is at the front.
bool LaterDeadline(const auto& a, const auto& b) { return a.at > b.at; }

}  // namespace

WorkQueue::WorkQueue(Options options)
    : clock_(options.clock != nullptr ? *options.clock : RealClock::Get()),
      metrics_(options.metrics) {}

WorkQueue::~WorkQueue() { ShutDown(); }

WorkQueue::TimePoint WorkQueue::MetricsNow() const {
  // Reading the clock costs a virtual call per operation; skip it when nobody observes.
  return metrics_ != nullptr ? clock_.Now() : TimePoint();
}

void WorkQueue::Add(std::string_view key) {
  MutexLock lock(mu_);
  AddLocked(key, MetricsNow());
}

void WorkQueue::AddLocked(std::string_view key, TimePoint ready_at) {
  if (shutting_down_) return;
  auto it = items_.find(key);
  if (it == items_.end()) it = items_.emplace(std::string(key), Item{}).first;
  Item& item = it->second;
  if (item.dirty) return;
  item.dirty = true;
  item.ready_at = ready_at;
  if (!item.processing) {
    queue_.push_back(&*it);
    ready_cv_.notify_one();
  }
  if (metrics_ != nullptr) metrics_->OnAdd(queue_.size());
}

void WorkQueue::AddAfter(std::string_view key, Duration delay) {
  if (delay <= Duration::zero()) {
    Add(key);
    return;
  }
  MutexLock lock(mu_);
  if (shutting_down_) return;
  const TimePoint at = clock_.Now() + delay;
  auto [it, inserted] = waiting_.try_emplace(std::string(key), at);
  if (!inserted) {
    if (it->second <= at) return;  // already due no later than asked
    it->second = at;               // the older heap entry becomes stale
  }
  heap_.push_back(Waiting{at, std::string(key)});
  std::push_heap(heap_.begin(), heap_.end(), LaterDeadline<Waiting, Waiting>);
  // A blocked Get may be sleeping towards a later deadline.
  ready_cv_.notify_one();
}

void WorkQueue::PromoteDueLocked() {
  if (heap_.empty()) return;
  const TimePoint now = clock_.Now();
  while (!heap_.empty() && heap_.front().at <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), LaterDeadline<Waiting, Waiting>);
    Waiting due = std::move(heap_.back());
    heap_.pop_back();
    auto it = waiting_.find(due.key);
    if (it == waiting_.end() || it->second != due.at) continue;  // stale entry
    waiting_.erase(it);
    AddLocked(due.key, due.at);
  }
}

std::optional<std::string> WorkQueue::Get() {
  MutexLock lock(mu_);
  while (true) {
    PromoteDueLocked();
    if (!queue_.empty()) break;
    if (shutting_down_) return std::nullopt;
    if (heap_.empty()) {
      ready_cv_.wait(lock.lock());
    } else {
      clock_.WaitUntil(ready_cv_, lock.lock(), heap_.front().at);
    }
  }
  Items::value_type* entry = queue_.front();
  queue_.pop_front();
  Item& item = entry->second;
  item.dirty = false;
  item.processing = true;
  ++processing_count_;
  if (metrics_ != nullptr) {
    item.started_at = clock_.Now();
    metrics_->OnGet(item.started_at - item.ready_at, queue_.size());
  }
  return entry->first;
}

void WorkQueue::Done(std::string_view key) {
  MutexLock lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end() || !it->second.processing) return;  // not handed out by Get
  Item& item = it->second;
  item.processing = false;
  if (metrics_ != nullptr) metrics_->OnDone(clock_.Now() - item.started_at);
  if (item.dirty) {
    queue_.push_back(&*it);
    ready_cv_.notify_one();
  } else {
    items_.erase(it);
  }
  if (--processing_count_ == 0) drained_cv_.notify_all();
}

size_t WorkQueue::Len() {
  MutexLock lock(mu_);
  PromoteDueLocked();
  return queue_.size();
}

void WorkQueue::ShutDownLocked() {
  shutting_down_ = true;
  heap_.clear();
  waiting_.clear();
  ready_cv_.notify_all();
}

void WorkQueue::ShutDown() {
  MutexLock lock(mu_);
  ShutDownLocked();
}

void WorkQueue::ShutDownWithDrain() {
  MutexLock lock(mu_);
  ShutDownLocked();
  while (processing_count_ > 0) drained_cv_.wait(lock.lock());
}

bool WorkQueue::ShuttingDown() const {
  MutexLock lock(mu_);
  return shutting_down_;
}

void WorkQueue::ReportUnfinishedWork() {
  MutexLock lock(mu_);
  if (metrics_ == nullptr) return;
  const TimePoint now = clock_.Now();
  Duration total{}, longest{};
  for (const auto& [key, item] : items_) {
    if (!item.processing) continue;
    total += now - item.started_at;
    longest = std::max(longest, now - item.started_at);
  }
  metrics_->OnUnfinishedWork(total, longest);
}

}  // namespace osbx::kube
