#include "internal/standalone/apiserver/event_cache.h"

#include "internal/standalone/apiserver/object_codec.h"

namespace osbx::standalone {

EventCache::Entry& EventCache::EntryLocked(const ObjectPtr& version) {
  auto [it, inserted] = entries_.try_emplace(version.get());
  if (!inserted) return it->second;
  it->second.version = version;
  order_.push_back(version.get());
  while (order_.size() > capacity_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
  return it->second;
}

std::shared_ptr<const Json> EventCache::Decoded(const ResourceInfo& resource,
                                                const ObjectPtr& version) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(version.get());
    if (it != entries_.end() && it->second.decoded) return it->second.decoded;
  }
  // Parsing happens outside the lock; a concurrent parse of the same version loses the race.
  Json object = Json::parse(version->value, nullptr, false);
  if (object.is_discarded()) return nullptr;
  DefaultOnRead(resource, object);
  auto decoded = std::make_shared<const Json>(std::move(object));
  std::lock_guard<std::mutex> lock(mu_);
  Entry& entry = EntryLocked(version);
  if (!entry.decoded) entry.decoded = decoded;
  return entry.decoded;
}

std::shared_ptr<const std::string> EventCache::Line(const ObjectPtr& version,
                                                    const std::string& encoding,
                                                    const std::function<std::string()>& build) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(version.get());
    if (it != entries_.end()) {
      for (const auto& [key, line] : it->second.lines) {
        if (key == encoding) return line;
      }
    }
  }
  auto line = std::make_shared<const std::string>(build());
  std::lock_guard<std::mutex> lock(mu_);
  Entry& entry = EntryLocked(version);
  for (const auto& [key, existing] : entry.lines) {
    if (key == encoding) return existing;
  }
  entry.lines.emplace_back(encoding, line);
  return line;
}

size_t EventCache::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace osbx::standalone
