#include "internal/controller/self_writes.h"

#include <charconv>
#include <functional>
#include <optional>

#include "pkg/kube/meta/object.h"

namespace osbx::controller {
namespace {

std::optional<uint64_t> ParseRv(std::string_view rv) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), value);
  if (rv.empty() || ec != std::errc() || end != rv.data() + rv.size()) return std::nullopt;
  return value;
}

std::optional<uint64_t> NumericRv(const Json& object) {
  return ParseRv(kube::GetResourceVersion(object));
}

}  // namespace

void SelfWrites::Record(const Json& written) {
  std::string uid(kube::GetUid(written));
  std::string rv(kube::GetResourceVersion(written));
  if (uid.empty() || rv.empty()) return;
  std::lock_guard lock(mu_);
  rv_by_uid_[std::move(uid)] = std::move(rv);
}

bool SelfWrites::Consume(const Json& observed) {
  const std::optional<uint64_t> observed_rv = NumericRv(observed);
  std::lock_guard lock(mu_);
  const std::string_view uid = kube::GetUid(observed);
  if (auto st = status_by_uid_.find(uid);
      st != status_by_uid_.end() && observed_rv && *observed_rv >= st->second.rv) {
    status_by_uid_.erase(st);
  }
  auto it = rv_by_uid_.find(uid);
  if (it == rv_by_uid_.end()) return false;
  if (it->second == kube::GetResourceVersion(observed)) {
    rv_by_uid_.erase(it);
    return true;
  }
  const std::optional<uint64_t> recorded = ParseRv(it->second);
  if (observed_rv && recorded && *observed_rv > *recorded) rv_by_uid_.erase(it);  // echo passed
  return false;
}

void SelfWrites::RecordStatus(const Json& written, const Json& status) {
  std::string uid(kube::GetUid(written));
  std::optional<uint64_t> rv = NumericRv(written);
  if (uid.empty() || !rv) return;
  std::lock_guard lock(mu_);
  status_by_uid_[std::move(uid)] = {*rv, std::hash<std::string>{}(status.dump())};
}

bool SelfWrites::StatusAlreadyWritten(const Json& cached, const Json& status) {
  std::optional<uint64_t> cached_rv = NumericRv(cached);
  std::lock_guard lock(mu_);
  auto it = status_by_uid_.find(kube::GetUid(cached));
  if (it == status_by_uid_.end()) return false;
  if (!cached_rv || *cached_rv >= it->second.rv) {
    status_by_uid_.erase(it);  // the cache has caught up: it is the truth again
    return false;
  }
  return it->second.hash == std::hash<std::string>{}(status.dump());
}

void SelfWrites::Forget(std::string_view uid) {
  std::lock_guard lock(mu_);
  if (auto it = rv_by_uid_.find(uid); it != rv_by_uid_.end()) rv_by_uid_.erase(it);
  if (auto it = status_by_uid_.find(uid); it != status_by_uid_.end()) status_by_uid_.erase(it);
}

}  // namespace osbx::controller
