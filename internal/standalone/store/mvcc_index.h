#pragma once
// MvccIndex: the in-memory state of the store, versioned by resourceVersion.
//
// It holds, for every key, the versions a reader may still need (the newest one at or below the
// compaction floor plus every newer one), and the event history: one event per write in RV
// order, newer than the floor. A read "at RV r" sees, per key, the newest version with rv <= r,
// which makes paged lists a consistent snapshot for as long as r stays at or above the floor.
// Versions newer than what the caller declares visible may be present (written but not yet
// durable); the caller decides which RV readers may use.
//
// Not thread-safe: the Store guards it with its mutex.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "internal/standalone/store/object.h"
#include "internal/utils/clock.h"

namespace osbx::standalone {

// One page of a prefix scan.
struct ScanResult {
  std::vector<ObjectPtr> items;
  // Key to continue from (exclusive of everything returned) when the page was cut by the limit;
  // empty when the scan reached the end of the prefix.
  std::string next_key;
  // Number of matching objects after this page; set only when counting was asked for.
  std::optional<int64_t> remaining;
};

class MvccIndex {
 public:
  // Starts with no history: every RV at or below `floor` is compacted.
  explicit MvccIndex(int64_t floor = 0) : floor_(floor) {}

  // Adds a version loaded from disk (no event; its rv must be <= floor).
  void Load(ObjectPtr object);

  // Appends the version written at `object->rv` (greater than every RV seen so far) and its event.
  // Returns the event.
  Event Append(ObjectPtr object, Clock::TimePoint at);

  // Removes the newest version of `key` and the newest event (both must be `rv`): undoes an
  // Append whose write could not be made durable.
  void Rollback(const std::string& key, int64_t rv);

  // The newest version of `key`, including a tombstone, or null. Ignores visibility.
  ObjectPtr Latest(std::string_view key) const;
  // The version of `key` a reader at `rv` sees (null when absent or deleted at that RV).
  ObjectPtr At(std::string_view key, int64_t rv) const;

  // Live objects whose key starts with `prefix`, in key order, as seen at `rv`, starting at the
  // first key >= `start_key`, at most `limit` of them (0 = all).
  ScanResult Scan(std::string_view prefix, std::string_view start_key, int64_t rv, size_t limit,
                  bool count_remaining) const;

  // Events with rv in (after, upto] whose key starts with `prefix`, in RV order. The caller must
  // check after >= floor().
  std::vector<Event> EventsBetween(int64_t after, int64_t upto, std::string_view prefix) const;

  // Drops the oldest events while there are more than `max_events`, or the oldest is older than
  // `min_time`, never dropping an event newer than `upto` (the last durable RV). Superseded
  // versions no reader at or above the new floor can see are freed with them.
  void Compact(size_t max_events, Clock::TimePoint min_time, int64_t upto);

  // Every RV <= floor() is compacted: reads and watches from below it are Gone.
  int64_t floor() const { return floor_; }
  size_t key_count() const { return keys_.size(); }
  size_t event_count() const { return history_.size(); }

 private:
  struct HistoryEntry {
    Event event;
    Clock::TimePoint at;
  };
  // Versions of one key, oldest first; usually exactly one.
  using Chain = std::vector<ObjectPtr>;

  static ObjectPtr VisibleIn(const Chain& chain, int64_t rv);
  void DropEvent(const Event& event);

  std::map<std::string, Chain, std::less<>> keys_;
  std::deque<HistoryEntry> history_;  // RV order, all newer than floor_
  int64_t floor_;
};

}  // namespace osbx::standalone
