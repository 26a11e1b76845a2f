#pragma once
// PodViewCache: the pods a Pool controls, as scheduler PodViews, recomputed only for pod objects
// that changed since the last call. Both reconcilers look at every pod of a pool on each
// reconcile (a claim picks among them, sizing counts them); without this every reconcile would
// re-check each pod's controller reference and re-derive its view from JSON, which at 100 claims
// per second on a pool of hundreds of pods is most of the controller's CPU.
//
// Cached per owner uid and per pod name, keyed by the identity of the cached object: informer
// objects are immutable, so the same object always gives the same view. A weak reference to the
// object keeps its identity from being reused while the entry exists.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "internal/scheduler/pod_view.h"
#include "pkg/kube/cache/indexer.h"

namespace osbx::controller {

class PodViewCache {
 public:
  // The views of the pods controlled by `owner_uid`, from `pods` (found through the owner uid
  // index), in the index's order.
  std::vector<scheduler::PodView> ControlledBy(const kube::Indexer& pods,
                                               std::string_view owner_uid);
  // The owner is gone: drop its entries.
  void Forget(std::string_view owner_uid);

 private:
  struct Entry {
    std::weak_ptr<const Json> object;
    bool controlled = false;  // the object's controller is the owner
    scheduler::PodView view;
  };
  using Entries = std::map<std::string, Entry, std::less<>>;  // by pod key

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entries>, std::less<>> by_owner_;  // guarded by mu_
};

}  // namespace osbx::controller
