#pragma once
// GarbageCollector: what kube-controller-manager's garbage collector and namespace controller
// do, in process: dependents whose owners are all gone are deleted (background); owners deleted
// with propagationPolicy=Foreground keep their `foregroundDeletion` finalizer until their
// dependents are gone; with Orphan, the dependents lose their ownerReference and the owner its
// `orphan` finalizer; a terminating namespace is emptied and then removed; custom resources go
// with their CRD.
//
// It works from an OwnerIndex fed by a store watch over every key: each event updates the index
// and names the few keys whose decision may have changed, and only those are examined (a
// deletion costs a lookup of its dependents, not a list and parse of the store). A periodic
// pass over the index (no parsing) retries anything a failed write left behind.

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "internal/standalone/apiserver/owner_index.h"
#include "internal/standalone/apiserver/registry.h"
#include "internal/standalone/store/watch_hub.h"

namespace osbx::standalone {

class ApiServer;

class GarbageCollector {
 public:
  explicit GarbageCollector(ApiServer& server,
                            std::chrono::milliseconds resync = std::chrono::seconds(30));
  ~GarbageCollector();
  GarbageCollector(const GarbageCollector&) = delete;
  GarbageCollector& operator=(const GarbageCollector&) = delete;

  // Asks for a collection pass soon.
  void Nudge();
  void Stop();

  // Catches up with the store's events and examines every owned or deleting object (a full
  // pass; also used by tests). Returns whether it changed anything.
  bool RunOnce();

  // Objects in the index (tests, metrics).
  size_t IndexedCount();

 private:
  void Loop();
  // Applies the store events queued so far to the index, collecting dirty keys. Rebuilds the
  // index from a list when the watch was lost. Caller holds work_mu_.
  void SyncLocked();
  // (Re)builds the index from a list and opens the watch that keeps it current.
  void RebuildLocked();
  // Examines the dirty keys (in parallel when there are many); returns whether any write was
  // made. Examine only reads the index, so concurrent examinations are safe.
  bool ProcessDirtyLocked();
  bool Examine(const std::string& key);
  bool CollectDependent(const IndexedObject& object, const ResourceInfo& resource);
  bool FinishOwner(const IndexedObject& object, const ResourceInfo& resource);
  bool EmptyNamespace(const IndexedObject& object, const ResourceInfo& resource);
  ResourcePtr ResourceFor(const std::string& key) const;

  ApiServer& server_;
  const std::chrono::milliseconds resync_;

  // Serializes passes (the loop and RunOnce from tests); guards the index and the watch.
  std::mutex work_mu_;
  OwnerIndex index_;                              // guarded by work_mu_
  std::unique_ptr<Watcher> watcher_;              // guarded by work_mu_
  std::set<std::string> dirty_;                   // guarded by work_mu_
  std::map<std::string, ResourcePtr> resources_;  // guarded by work_mu_: by key prefix

  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = true;  // guarded by mu_
  bool stop_ = false;    // guarded by mu_
  std::thread thread_;
};

}  // namespace osbx::standalone
