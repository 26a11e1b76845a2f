#include "internal/standalone/store/mvcc_index.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace osbx::standalone {

void MvccIndex::Load(ObjectPtr object) {
  assert(object->rv <= floor_);
  std::string key = object->key;
  keys_[std::move(key)] = Chain{std::move(object)};
}

Event MvccIndex::Append(ObjectPtr object, Clock::TimePoint at) {
  assert(history_.empty() || history_.back().event.rv() < object->rv);
  Event event;
  auto it = keys_.find(object->key);
  if (it == keys_.end()) {
    it = keys_.emplace(object->key, Chain{}).first;
  } else {
    event.previous = it->second.back();
  }
  bool was_live = event.previous && !event.previous->deleted;
  if (!was_live) event.previous = nullptr;
  event.type = object->deleted ? EventType::kDeleted
               : was_live      ? EventType::kModified
                               : EventType::kAdded;
  it->second.push_back(object);
  event.object = std::move(object);
  history_.push_back(HistoryEntry{event, at});
  return event;
}

void MvccIndex::Rollback(const std::string& key, [[maybe_unused]] int64_t rv) {
  assert(!history_.empty() && history_.back().event.rv() == rv);
  history_.pop_back();
  auto it = keys_.find(key);
  assert(it != keys_.end() && it->second.back()->rv == rv);
  it->second.pop_back();
  if (it->second.empty()) keys_.erase(it);
}

ObjectPtr MvccIndex::Latest(std::string_view key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : it->second.back();
}

ObjectPtr MvccIndex::VisibleIn(const Chain& chain, int64_t rv) {
  for (auto v = chain.rbegin(); v != chain.rend(); ++v) {
    if ((*v)->rv <= rv) return (*v)->deleted ? nullptr : *v;
  }
  return nullptr;
}

ObjectPtr MvccIndex::At(std::string_view key, int64_t rv) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : VisibleIn(it->second, rv);
}

ScanResult MvccIndex::Scan(std::string_view prefix, std::string_view start_key, int64_t rv,
                           size_t limit, bool count_remaining) const {
  ScanResult result;
  std::string_view from = std::max(prefix, start_key);
  int64_t remaining = 0;
  for (auto it = keys_.lower_bound(from); it != keys_.end(); ++it) {
    if (!std::string_view(it->first).starts_with(prefix)) break;
    ObjectPtr version = VisibleIn(it->second, rv);
    if (!version) continue;
    if (limit != 0 && result.items.size() == limit) {
      if (result.next_key.empty()) {
        // Continue right after the last returned key (the same convention as etcd's "\0").
        result.next_key = result.items.back()->key + '\0';
        if (!count_remaining) break;
      }
      ++remaining;
      continue;
    }
    result.items.push_back(std::move(version));
  }
  if (count_remaining) result.remaining = remaining;
  return result;
}

std::vector<Event> MvccIndex::EventsBetween(int64_t after, int64_t upto,
                                            std::string_view prefix) const {
  std::vector<Event> out;
  auto first = std::partition_point(history_.begin(), history_.end(),
                                    [&](const HistoryEntry& e) { return e.event.rv() <= after; });
  for (auto it = first; it != history_.end() && it->event.rv() <= upto; ++it) {
    if (std::string_view(it->event.object->key).starts_with(prefix)) out.push_back(it->event);
  }
  return out;
}

void MvccIndex::Compact(size_t max_events, Clock::TimePoint min_time, int64_t upto) {
  while (!history_.empty() && history_.front().event.rv() <= upto &&
         (history_.size() > max_events || history_.front().at < min_time)) {
    Event event = std::move(history_.front().event);
    history_.pop_front();
    floor_ = event.rv();
    DropEvent(event);
  }
}

// Once the event's RV is at or below the floor, its version is the oldest one any reader can
// see for its key: older versions go, and so does the version itself if it is a tombstone.
void MvccIndex::DropEvent(const Event& event) {
  auto it = keys_.find(event.object->key);
  if (it == keys_.end()) return;
  Chain& chain = it->second;
  auto keep = std::find_if(chain.begin(), chain.end(),
                           [&](const ObjectPtr& v) { return v->rv >= event.rv(); });
  chain.erase(chain.begin(), keep);
  if (!chain.empty() && chain.front()->rv == event.rv() && chain.front()->deleted) {
    chain.erase(chain.begin());
  }
  if (chain.empty()) keys_.erase(it);
}

}  // namespace osbx::standalone
