#include "internal/scheduler/pool_expectations.h"

namespace osbx::scheduler {

void PoolExpectations::ExpectCreated(std::string_view pool_key,
                                     const std::vector<std::string>& pods, Clock::TimePoint now) {
  if (pods.empty()) return;
  std::lock_guard lock(mu_);
  auto it = pools_.try_emplace(std::string(pool_key)).first;
  for (const std::string& pod : pods) it->second.creates[pod] = now;
}

void PoolExpectations::ExpectDeleted(std::string_view pool_key,
                                     const std::vector<std::string>& pods, Clock::TimePoint now) {
  if (pods.empty()) return;
  std::lock_guard lock(mu_);
  auto it = pools_.try_emplace(std::string(pool_key)).first;
  for (const std::string& pod : pods) it->second.deletes[pod] = now;
}

bool PoolExpectations::Satisfied(std::string_view pool_key,
                                 const std::function<CachedPod(const std::string&)>& cached,
                                 Clock::TimePoint now) {
  std::lock_guard lock(mu_);
  auto it = pools_.find(pool_key);
  if (it == pools_.end()) return true;
  auto lapsed = [&](Clock::TimePoint at) { return now - at >= timeout_; };
  std::erase_if(it->second.creates, [&](const auto& entry) {
    return lapsed(entry.second) || cached(entry.first) != CachedPod::kAbsent;
  });
  std::erase_if(it->second.deletes, [&](const auto& entry) {
    return lapsed(entry.second) || cached(entry.first) != CachedPod::kPresent;
  });
  if (!it->second.creates.empty() || !it->second.deletes.empty()) return false;
  pools_.erase(it);
  return true;
}

void PoolExpectations::Forget(std::string_view pool_key) {
  std::lock_guard lock(mu_);
  if (auto it = pools_.find(pool_key); it != pools_.end()) pools_.erase(it);
}

}  // namespace osbx::scheduler
