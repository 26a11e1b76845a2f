#pragma once
// Pool expectations: the pod creates and deletes a Pool has made that its pod cache has not shown
// yet. Sizing from a cache that lags its own writes would create past poolMax (the pods just
// created are not counted) or delete twice (a pod just deleted still looks idle), so a Pool sizes
// only once every write it made is visible, the way ReplicaSets do. An expectation the cache never
// confirms (a watch event lost, a pod deleted by someone else before it was seen) lapses after a
// timeout so a Pool can never be stuck. Thread-safe.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/clock.h"

namespace osbx::scheduler {

// What the cache shows of one pod of the pool.
enum class CachedPod { kAbsent, kPresent, kTerminating };

class PoolExpectations {
 public:
  explicit PoolExpectations(std::chrono::milliseconds timeout = std::chrono::seconds(30))
      : timeout_(timeout) {}

  // `pods` of pool `pool_key` were created (acknowledged by the API server) at `now`.
  void ExpectCreated(std::string_view pool_key, const std::vector<std::string>& pods,
                     Clock::TimePoint now);
  // `pods` were deleted at `now`.
  void ExpectDeleted(std::string_view pool_key, const std::vector<std::string>& pods,
                     Clock::TimePoint now);
  // Drops what `cached` confirms (a created pod present or terminating, a deleted pod absent or
  // terminating) and what has lapsed; true when nothing is left to wait for.
  bool Satisfied(std::string_view pool_key,
                 const std::function<CachedPod(const std::string&)>& cached, Clock::TimePoint now);
  // The Pool is gone.
  void Forget(std::string_view pool_key);

 private:
  struct Pending {
    std::map<std::string, Clock::TimePoint> creates;  // pod -> when
    std::map<std::string, Clock::TimePoint> deletes;  // pod -> when
  };
  const std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::map<std::string, Pending, std::less<>> pools_;  // guarded by mu_
};

}  // namespace osbx::scheduler
