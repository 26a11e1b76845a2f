#pragma once
// PodViewCache: the pods a Pool controls, as scheduler PodViews, recomputed only for pod objects
// that changed since the last call. Both reconcilers look at every pod of a pool on each
// reconcile (a claim picks among them, sizing counts them); without this every reconcile would
// re-check each pod's controller reference and re-derive its view from JSON, which at 100 claims
// per second on a pool of hundreds of pods is most of the controller's CPU.
//
// Cached per owner uid and keyed by the identity of the cached object: informer objects are
// immutable, so the same object always gives the same view. A weak reference to the object keeps
// its identity from being reused while the entry exists. Entries of objects no longer in the
// cache are swept once they outnumber the live ones.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "internal/scheduler/pod_view.h"
#include "pkg/kube/cache/indexer.h"

namespace osbx::controller {

class PodViewCache {
 public:
  using Filter = std::function<bool(const scheduler::PodView&)>;

  // The views of the pods controlled by `owner_uid`, from `pods` (found through the owner uid
  // index), in the index's order; only those `keep` accepts when it is set (the views are
  // copied out, so filtering first saves copying pods the caller would skip).
  std::vector<scheduler::PodView> ControlledBy(const kube::Indexer& pods,
                                               std::string_view owner_uid,
                                               const Filter& keep = nullptr);
  // The same, sharing the cached views instead of copying them.
  std::vector<std::shared_ptr<const scheduler::PodView>> SharedControlledBy(
      const kube::Indexer& pods, std::string_view owner_uid, const Filter& keep = nullptr);
  // The view of one pod controlled by `owner_uid`, cached by the pod object's identity like the
  // views above (the ledger's pod feed shares them instead of deriving its own).
  std::shared_ptr<const scheduler::PodView> ViewOf(std::string_view owner_uid,
                                                   const kube::ObjectPtr& pod);
  // The owner is gone: drop its entries.
  void Forget(std::string_view owner_uid);

 private:
  struct Entry {
    std::weak_ptr<const Json> object;
    bool controlled = false;                         // the object's controller is the owner
    std::shared_ptr<const scheduler::PodView> view;  // immutable once derived
    uint64_t pass = 0;                               // the last pass that saw the object
  };
  struct Owner {
    uint64_t pass = 0;
    std::unordered_map<const Json*, Entry> entries;  // by object identity
  };

  // The entry of `pod` in `owner`, its view derived again when the object is a new one.
  static Entry& EntryLocked(Owner& owner, std::string_view owner_uid, const kube::ObjectPtr& pod);

  std::mutex mu_;
  std::map<std::string, Owner, std::less<>> by_owner_;  // guarded by mu_
};

}  // namespace osbx::controller
