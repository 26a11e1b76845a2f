#include "internal/controller/setup.h"

#include <random>

#include "api/v1alpha1/well_known.h"
#include "internal/controller/allocations.h"
#include "internal/controller/batch_directory.h"
#include "internal/controller/batchsandbox_reconciler.h"
#include "internal/controller/context.h"
#include "internal/controller/deferred_recheck.h"
#include "internal/controller/metrics.h"
#include "internal/controller/pool_reconciler.h"
#include "internal/scheduler/allocation_record.h"
#include "pkg/kube/cache/transform.h"
#include "pkg/kube/meta/object.h"
#include "pkg/kube/meta/packed.h"

namespace osbx::controller {
namespace {

namespace v1 = ::osbx::api::v1alpha1;

// Deferred re-checks of settled batches (see deferred_recheck.h) start this long after their add
// event and run at most one per kRecheckSpacing.
constexpr std::chrono::milliseconds kRecheckDelay{500};
constexpr std::chrono::microseconds kRecheckSpacing{1000};

const Json& Field(const Json& obj, const char* a, const char* b) {
  static const Json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(a);
  if (it == obj.end() || !it->is_object()) return kNull;
  auto jt = it->find(b);
  return jt == it->end() ? kNull : *jt;
}

bool MetaChanged(const Json& a, const Json& b, const char* field) {
  return Field(a, "metadata", field) != Field(b, "metadata", field);
}

// BatchSandbox updates worth a reconcile: not its own status writes, nor the echo of its own
// metadata patches. An added batch that looks settled is handed to `defer` instead.
kube::Predicate BatchPredicate(SelfWrites& self_writes, std::function<bool(const Json&)> defer) {
  kube::Predicate p;
  p.create = [defer = std::move(defer)](const Json& obj) { return !defer(obj); };
  p.update = [&self_writes](const Json& a, const Json& b) {
    const bool changed = kube::GetGeneration(a) != kube::GetGeneration(b) ||
                         MetaChanged(a, b, "annotations") || MetaChanged(a, b, "finalizers") ||
                         MetaChanged(a, b, "deletionTimestamp");
    const bool echo = self_writes.Consume(b);  // every update, so that nothing lingers
    return changed && !echo;
  };
  return p;
}

// Pool updates worth a reconcile of the Pool itself.
kube::Predicate PoolPredicate() {
  kube::Predicate p;
  p.update = [](const Json& a, const Json& b) {
    return kube::GetGeneration(a) != kube::GetGeneration(b) || MetaChanged(a, b, "labels") ||
           MetaChanged(a, b, "finalizers") || MetaChanged(a, b, "deletionTimestamp");
  };
  return p;
}

// Pool updates the batches of that pool care about. An added Pool goes to `on_add`, which
// enqueues its batches itself (settled ones deferred).
kube::Predicate PoolForBatchesPredicate(std::function<void(const Json&)> on_add) {
  kube::Predicate p;
  p.create = [on_add = std::move(on_add)](const Json& pool) {
    on_add(pool);
    return false;
  };
  p.update = [](const Json& a, const Json& b) {
    return kube::GetGeneration(a) != kube::GetGeneration(b) ||
           MetaChanged(a, b, "deletionTimestamp");
  };
  return p;
}

// Pod updates that change anything a decision reads.
kube::Predicate PodPredicate() {
  kube::Predicate p;
  p.update = [](const Json& a, const Json& b) {
    return !(scheduler::FromPod(a) == scheduler::FromPod(b)) || MetaChanged(a, b, "labels");
  };
  return p;
}

// A batch's record, finalizers or deletion changed: the Pool has recycling or refilling to do.
kube::Predicate BatchForPoolPredicate() {
  kube::Predicate p;
  p.update = [](const Json& a, const Json& b) {
    if (MetaChanged(a, b, "finalizers") || MetaChanged(a, b, "deletionTimestamp")) return true;
    for (std::string_view key :
         {v1::kAllocStatusAnnotation, v1::kAllocReleaseAnnotation, v1::kAllocReleasedAnnotation}) {
      if (kube::GetAnnotation(a, key) != kube::GetAnnotation(b, key)) return true;
    }
    return false;
  };
  return p;
}

// What the controllers cache of pods and BatchSandboxes: the parts read only through a decoder
// (FromPod, the BatchSandbox reconciler's decoder, LooksSettled) packed as text
// (pkg/kube/meta/packed.h). A BatchSandbox's status, its conditions above all, is most of a
// cached batch; predicates, indexes and the ledger read metadata and spec.poolRef, which stay
// trees.
std::shared_ptr<const kube::FieldProjection> CachedPods() {
  using P = kube::FieldProjection;
  static const P* status = kube::PodCacheProjection().RuleFor("status");
  static const auto projection = std::make_shared<const P>(
      kube::PodCacheProjection().Replacing("status", P::Packed(status ? *status : P::Whole())));
  return projection;
}

std::shared_ptr<const kube::FieldProjection> CachedBatchSandboxes() {
  using P = kube::FieldProjection;
  static const auto projection =
      std::make_shared<const P>(P::Except({{"metadata", P::Except({{"managedFields", P::Drop()}})},
                                           {"spec", P::Except({{"template", P::Packed()},
                                                               {"taskTemplate", P::Packed()},
                                                               {"shardPatches", P::Packed()},
                                                               {"shardTaskPatches", P::Packed()}})},
                                           {"status", P::Packed()}}));
  return projection;
}

constexpr int64_t kFirstListPageSize = 5000;

// How the controllers' informers list and cache. Every first list reads consistently, in pages:
// a list at resourceVersion "0" is answered whole from the server's cache, one body of every pod
// at once (hundreds of MB at 100,000 pods, and several times that while it is parsed). The
// allocation ledger is rebuilt from the BatchSandbox cache (see LedgerRebuilder), whose first
// list therefore waits until `settled_at`. Pods and BatchSandboxes keep the parts read only
// through a decoder packed.
void CustomizeInformer(const kube::ResourceRef& resource, Clock::TimePoint settled_at,
                       kube::InformerOptions& informer) {
  const bool pods = resource.resource == PodResource().resource;
  const bool batches = resource.resource == BatchSandboxResource().resource;
  informer.reflector.consistent_first_list = true;
  // A restart lists every pod and BatchSandbox; a tenth of the round trips of client-go's 500
  // per page took 20,000 + 20,000 from 1.9 s to 1.1 s (the answers are decoded page by page,
  // so a page costs ~10 MB of transient memory).
  informer.reflector.page_size = kFirstListPageSize;
  if (batches) informer.reflector.first_list_at = settled_at;
  if (informer.projection || informer.transform) return;  // the manager was told otherwise
  if (pods) informer.projection = CachedPods();
  if (batches) informer.projection = CachedBatchSandboxes();
}

class ControllersImpl final : public Controllers {
 public:
  ControllersImpl(kube::Manager& manager, ApiClient& api, const ControllersOptions& options)
      : metrics_(options.metrics ? options.metrics->registry() : kube::Metrics::Global().registry(),
                 RealClock::Get()),
        counting_(CountingApiClient(api, metrics_)),
        pods_(manager.GetInformer(PodResource())),
        batches_(manager.GetInformer(BatchSandboxResource())),
        pools_(manager.GetInformer(PoolResource())),
        ctx_{pods_.indexer(),
             batches_.indexer(),
             pools_.indexer(),
             *counting_,
             manager.GetEventRecorder(),
             RealClock::Get(),
             allocations_,
             directory_,
             metrics_,
             pod_views_,
             batch_self_writes_,
             options.max_parallel_writes,
             {}},
        batch_reconciler_(ctx_),
        pool_reconciler_(ctx_,
                         options.name_seed != 0 ? options.name_seed : std::random_device{}()) {}

  void Register(kube::Manager& manager, const ControllersOptions& options) {
    // First of the pod handlers: a pool's ledger knows a pod before any reconcile hears of it.
    kube::EventHandler feed;
    auto seen = [this](const kube::ObjectPtr& pod) {
      allocations_.PodSeen(*pod, [&](const std::string& pool_uid) {
        return pod_views_.ViewOf(pool_uid, pod);  // shared with the Pool reconciler's pass
      });
    };
    feed.on_add = seen;
    feed.on_update = [this, seen](const kube::ObjectPtr& old_pod, const kube::ObjectPtr& pod) {
      if (kube::GetControllerOf(*old_pod) != kube::GetControllerOf(*pod)) {
        allocations_.PodGone(*old_pod);
      }
      seen(pod);
    };
    feed.on_delete = [this](const kube::ObjectPtr& pod, bool) { allocations_.PodGone(*pod); };
    pods_.AddEventHandler(std::move(feed));
    directory_.Attach(batches_, [this](const std::string& uid, const std::string& pool_key) {
      allocations_.BatchGone(pool_key, uid);
      metrics_.DeliveryAbandoned(uid);
      batch_self_writes_.Forget(uid);
    });
    manager.Add(std::make_unique<LedgerRebuilder>(allocations_,
                                                  LedgerRebuilder::ReadCache(batches_.indexer()),
                                                  ctx_.events, options.allocation_settle_delay));
    const kube::GroupKind batch_kind{"sandbox.opensandbox.io", "BatchSandbox"};
    const kube::GroupKind pool_kind{"sandbox.opensandbox.io", "Pool"};
    kube::ControllerOptions batch_options;
    batch_options.name = "batchsandbox";
    batch_options.max_concurrent_reconciles = options.batchsandbox_workers;
    kube::ControllerOptions pool_options;
    pool_options.name = "pool";
    pool_options.max_concurrent_reconciles = options.pool_workers;
    kube::Controller& batch_controller =
        manager.NewController(std::move(batch_options), batch_reconciler_);
    ctx_.wake_waiting = [this, &batch_controller](const std::string& pool_key) {
      std::shared_ptr<scheduler::PoolLedger> ledger = allocations_.Existing(pool_key);
      if (!ledger) return;
      for (const std::string& uid : ledger->WaitingBatches()) {
        if (auto key = directory_.KeyOf(uid)) batch_controller.queue().Add(*key);
      }
    };
    auto defer = [this, &batch_controller](const Json& batch) {
      if (!LooksSettled(batch)) return false;
      batch_controller.queue().AddAfter(kube::NamespacedKey(batch), rechecks_.Next());
      return true;
    };
    auto pool_added = [this, &batch_controller, defer](const Json& pool) {
      for (const std::string& key : directory_.BatchesOfPool(kube::NamespacedKey(pool))) {
        kube::ObjectPtr batch = ctx_.batches.Get(key);
        if (!batch || !defer(*batch)) batch_controller.queue().Add(key);
      }
    };
    batch_controller.For(batches_, batch_kind, BatchPredicate(batch_self_writes_, defer))
        .Owns(pods_, PodPredicate())
        .Watches(
            pods_, [this](const Json& pod) { return BatchesForPoolPod(pod); },
            PoolPodPredicate(defer))
        .Watches(
            pools_, [this](const Json& pool) { return BatchesOfPool(pool); },
            PoolForBatchesPredicate(pool_added));
    manager.NewController(std::move(pool_options), pool_reconciler_)
        .For(pools_, pool_kind, PoolPredicate())
        .Owns(pods_, PodPredicate())
        .Watches(
            batches_, [](const Json& batch) { return PoolOfBatch(batch); },
            BatchForPoolPredicate());
  }

  SandboxMetrics& metrics() override { return metrics_; }

 private:
  static std::vector<kube::Request> PoolOfBatch(const Json& batch) {
    std::string key = PoolKeyOf(batch);
    if (key.empty()) return {};
    return {kube::Request::FromKey(key)};
  }

  std::vector<kube::Request> BatchesOfPool(const Json& pool) const {
    std::vector<kube::Request> out;
    for (const std::string& key : directory_.BatchesOfPool(kube::NamespacedKey(pool))) {
      out.push_back(kube::Request::FromKey(key));
    }
    return out;
  }

  // PodPredicate, except that an added pod held by a settled batch defers that batch's re-check
  // (after a start the first list reports every held pod as added).
  kube::Predicate PoolPodPredicate(std::function<bool(const Json&)> defer) {
    kube::Predicate p = PodPredicate();
    p.create = [this, defer = std::move(defer)](const Json& pod) {
      auto pool = kube::GetLabel(pod, v1::kPoolNameLabel);
      if (!pool) return true;
      auto ledger = allocations_.Existing(kube::NamespacedKey(kube::GetNamespace(pod), *pool));
      auto owner = ledger ? ledger->Owner(kube::GetName(pod)) : std::nullopt;
      auto key = owner ? directory_.KeyOf(*owner) : std::nullopt;
      kube::ObjectPtr batch = key ? ctx_.batches.Get(*key) : nullptr;
      return !(batch && defer(*batch));
    };
    return p;
  }

  std::vector<kube::Request> BatchesForPoolPod(const Json& pod) {
    auto pool = kube::GetLabel(pod, v1::kPoolNameLabel);
    if (!pool) return {};
    const std::string pool_key = kube::NamespacedKey(kube::GetNamespace(pod), *pool);
    std::shared_ptr<scheduler::PoolLedger> ledger = allocations_.Existing(pool_key);
    if (ledger) {
      if (auto owner = ledger->Owner(kube::GetName(pod))) {
        if (auto key = directory_.KeyOf(*owner)) return {kube::Request::FromKey(*key)};
        return {};
      }
    }
    // A free Ready pod wakes the batches still short of pods. The ledger knows them (every
    // shortfall is recorded at its claim), so this does not walk the pool's batches: with
    // thousands of batches per pool that walk, on every pod event, would dominate.
    if (!ledger || !scheduler::Allocatable(scheduler::FromPod(pod))) return {};
    std::vector<kube::Request> out;
    for (const std::string& uid : ledger->WaitingBatches()) {
      if (auto key = directory_.KeyOf(uid)) out.push_back(kube::Request::FromKey(*key));
    }
    return out;
  }

  SandboxMetrics metrics_;
  std::unique_ptr<ApiClient> counting_;
  kube::SharedInformer& pods_;
  kube::SharedInformer& batches_;
  kube::SharedInformer& pools_;
  Allocations allocations_;
  BatchDirectory directory_;
  PodViewCache pod_views_;
  SelfWrites batch_self_writes_;
  RecheckSpreader rechecks_{RealClock::Get(), kRecheckDelay, kRecheckSpacing};
  ControllerContext ctx_;
  BatchSandboxReconciler batch_reconciler_;
  PoolReconciler pool_reconciler_;
};

}  // namespace

kube::Indexers RequiredIndexers() {
  kube::Indexers indexers;
  indexers.emplace(std::string(kube::kOwnerUidIndex), kube::IndexByOwnerUid);
  return indexers;
}

StatusOr<std::unique_ptr<Controllers>> RegisterControllers(kube::Manager& manager, ApiClient& api,
                                                           const ControllersOptions& options) {
  if (options.batchsandbox_workers < 1 || options.pool_workers < 1) {
    return InvalidError("controller worker counts must be at least 1");
  }
  // No settle delay: the BatchSandbox informer lists at once (a zero time point).
  const Clock::TimePoint settled_at = options.allocation_settle_delay.count() > 0
                                          ? RealClock::Get().Now() + options.allocation_settle_delay
                                          : Clock::TimePoint{};
  auto customize = [&](const kube::ResourceRef& resource) {
    return [&settled_at, resource](kube::InformerOptions& informer) {
      CustomizeInformer(resource, settled_at, informer);
    };
  };
  for (const kube::ResourceRef& resource :
       {PodResource(), BatchSandboxResource(), PoolResource()}) {
    OSBX_RETURN_IF_ERROR(manager.GetInformer(resource, "", customize(resource)).status());
  }
  auto controllers = std::make_unique<ControllersImpl>(manager, api, options);
  controllers->Register(manager, options);
  return std::unique_ptr<Controllers>(std::move(controllers));
}

}  // namespace osbx::controller
