#pragma once
// BatchDirectory: two lookups the informer cache has no index for, kept current by an event
// handler on the BatchSandbox informer: which BatchSandbox has a given uid (the allocation ledger
// knows holders by uid), and which BatchSandboxes name a given Pool in spec.poolRef. It is
// derived from the cache alone, so a restart rebuilds it from the first list.
//
// Register it on the informer before the controllers' handlers: handlers run in registration
// order, so a reconcile woken by an event already finds the batch here.

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "pkg/kube/cache/shared_informer.h"

namespace osbx::controller {

// "namespace/pool" of a BatchSandbox's spec.poolRef, or "" when it names no Pool.
std::string PoolKeyOf(const Json& batch_sandbox);

class BatchDirectory {
 public:
  // Called (on the informer's dispatch thread) with the uid and pool key of every BatchSandbox
  // that leaves the cache, e.g. to forget its waiting demand.
  using GoneFunc = std::function<void(const std::string& uid, const std::string& pool_key)>;

  BatchDirectory() = default;
  BatchDirectory(const BatchDirectory&) = delete;
  BatchDirectory& operator=(const BatchDirectory&) = delete;

  // Subscribes to `informer` (borrowed; must outlive the subscription).
  void Attach(kube::SharedInformer& informer, GoneFunc on_gone = {});

  // The "namespace/name" of the BatchSandbox with `uid`, if it is cached.
  std::optional<std::string> KeyOf(std::string_view uid) const;
  // The keys of the BatchSandboxes whose poolRef names `pool_key`.
  std::vector<std::string> BatchesOfPool(std::string_view pool_key) const;

  void Upsert(const Json& batch_sandbox);
  void Remove(const Json& batch_sandbox);

 private:
  struct Entry {
    std::string key;
    std::string pool_key;
  };
  GoneFunc on_gone_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> by_uid_;                   // guarded by mu_
  std::map<std::string, std::set<std::string>, std::less<>> by_pool_;  // guarded by mu_
};

}  // namespace osbx::controller
