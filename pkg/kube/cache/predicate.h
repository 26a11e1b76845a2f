#pragma once
// Event predicates (controller-runtime's pkg/predicate): filters an informer applies per handler
// before calling it, so that a controller is not woken by changes it does not care about (its
// own status writes, resyncs). An unset function passes every event of its kind.

#include <functional>
#include <vector>

#include "internal/utils/json.h"

namespace osbx::kube {

struct Predicate {
  std::function<bool(const Json& obj)> create;
  std::function<bool(const Json& old_obj, const Json& new_obj)> update;
  // `obj` is the last known state (also for a tombstone of a delete missed while not watching).
  std::function<bool(const Json& obj)> del;

  bool Create(const Json& obj) const { return !create || create(obj); }
  bool Update(const Json& old_obj, const Json& new_obj) const {
    return !update || update(old_obj, new_obj);
  }
  bool Delete(const Json& obj) const { return !del || del(obj); }
};

// Updates pass only when metadata.generation changed (skips status-only writes and resyncs).
Predicate GenerationChanged();
// Updates pass only when metadata.labels changed.
Predicate LabelsChanged();
// Updates pass only when metadata.annotations changed.
Predicate AnnotationsChanged();
// Updates pass only when metadata.resourceVersion changed (skips resyncs).
Predicate ResourceVersionChanged();
// Every event passes when `filter` accepts the object (the new object for updates).
Predicate FilterObjects(std::function<bool(const Json& obj)> filter);

// An event passes when all / any of `predicates` pass it; Not inverts each kind.
Predicate And(std::vector<Predicate> predicates);
Predicate Or(std::vector<Predicate> predicates);
Predicate Not(Predicate predicate);

}  // namespace osbx::kube
