#pragma once
// FakeLeaseApi (tests only): an in-memory Lease API with the API server's compare-and-swap on
// metadata.resourceVersion, failure injection and call counting.

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "pkg/kube/runtime/lease.h"

namespace osbx::kube::testing {

// An in-memory Lease API with the server's compare-and-swap on resourceVersion.
class FakeLeaseApi final : public LeaseClient {
 public:
  StatusOr<Json> Get(const std::string& ns, const std::string& name) override {
    std::lock_guard lock(mu_);
    Count();
    if (fail_) return UnavailableError("api down");
    auto it = leases_.find(ns + "/" + name);
    if (it == leases_.end()) return NotFoundError("leases \"" + name + "\" not found");
    return it->second;
  }
  StatusOr<Json> Create(const std::string& ns, const Json& lease) override {
    std::lock_guard lock(mu_);
    Count();
    if (fail_) return UnavailableError("api down");
    std::string key = ns + "/" + lease["metadata"]["name"].get<std::string>();
    if (leases_.contains(key)) return AlreadyExistsError("exists");
    Json stored = lease;
    stored["metadata"]["resourceVersion"] = std::to_string(++rv_);
    leases_[key] = stored;
    return stored;
  }
  StatusOr<Json> Update(const std::string& ns, const Json& lease) override {
    std::lock_guard lock(mu_);
    Count();
    if (fail_) return UnavailableError("api down");
    std::string key = ns + "/" + lease["metadata"]["name"].get<std::string>();
    auto it = leases_.find(key);
    if (it == leases_.end()) return NotFoundError("gone");
    if (it->second["metadata"]["resourceVersion"] != lease["metadata"]["resourceVersion"]) {
      ++conflicts_;
      return ConflictError("the object has been modified");
    }
    Json stored = lease;
    stored["metadata"]["resourceVersion"] = std::to_string(++rv_);
    it->second = stored;
    return stored;
  }

  LeaseRecord Record(const std::string& key = "ns/lock") {
    std::lock_guard lock(mu_);
    return DecodeLeaseRecord(leases_.at(key)).value();
  }
  Json Raw(const std::string& key = "ns/lock") {
    std::lock_guard lock(mu_);
    return leases_.at(key);
  }
  // Writes behind the electors' backs, as another process would.
  void Overwrite(const LeaseRecord& record, const std::string& key = "ns/lock") {
    std::lock_guard lock(mu_);
    EncodeLeaseRecord(record, leases_.at(key));
    leases_.at(key)["metadata"]["resourceVersion"] = std::to_string(++rv_);
  }
  void SetFailing(bool fail) {
    std::lock_guard lock(mu_);
    fail_ = fail;
  }
  int conflicts() {
    std::lock_guard lock(mu_);
    return conflicts_;
  }
  // Blocks (bounded by real time as a safety net) until more than `n` calls were made.
  bool WaitForCalls(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return calls_ > n; });
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  void Count() {
    ++calls_;
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Json> leases_;
  int64_t rv_ = 100;
  int calls_ = 0;
  int conflicts_ = 0;
  bool fail_ = false;
};

}  // namespace osbx::kube::testing
