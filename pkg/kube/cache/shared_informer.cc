#include "pkg/kube/cache/shared_informer.h"

#include <algorithm>
#include <utility>

#include "pkg/kube/cache/object_meta.h"
#include "pkg/kube/cache/watch_event_decoder.h"

namespace osbx::kube {
namespace {

Indexers WithNamespaceIndex(Indexers indexers) {
  indexers.try_emplace(std::string(kNamespaceIndex), IndexByNamespace);
  return indexers;
}

// The projection an informer caches through (see InformerOptions::projection).
std::shared_ptr<const FieldProjection> ProjectionOf(const InformerOptions& options) {
  if (options.projection || options.transform) return options.projection;
  return WithoutManagedFields();
}

// The reflector's options, with a decoder that builds objects as `projection` keeps them
// (whole when null) unless the caller chose a decoder.
ReflectorOptions WithDecoder(ReflectorOptions options,
                             std::shared_ptr<const FieldProjection> projection) {
  if (options.decoder) return options;
  options.decoder = [projection = std::move(projection)]() -> std::unique_ptr<ObjectDecoder> {
    if (projection) return std::make_unique<WatchEventDecoder>(*projection);
    return std::make_unique<WatchEventDecoder>(std::vector<std::string>{});
  };
  return options;
}

}  // namespace

SharedInformer::SharedInformer(ListerWatcher& lw, const Clock& clock, InformerOptions options)
    : clock_(clock),
      projection_(ProjectionOf(options)),
      transform_(std::move(options.transform)),
      resync_period_(options.resync_period),
      batch_window_(options.batch_window),
      indexer_(WithNamespaceIndex(std::move(options.indexers))),
      reflector_(lw, *this, clock, WithDecoder(options.reflector, projection_)) {
  // A decoder the caller chose may build anything: trim its objects all the same.
  project_decoded_ = options.reflector.decoder || !reflector_.decoder_in_use();
}

SharedInformer::~SharedInformer() { Stop(); }

SharedInformer::HandlerId SharedInformer::AddEventHandler(EventHandler handler,
                                                          Predicate predicate) {
  MutexLock lock(mu_);
  const HandlerId id = next_id_++;
  handlers_.push_back(std::make_shared<const Registration>(
      Registration{id, next_seq_, std::move(handler), std::move(predicate)}));
  handlers_version_.fetch_add(1, std::memory_order_release);
  if (listed_) {
    // Catch the newcomer up with the cached state; later notifications follow these.
    for (ObjectPtr& obj : indexer_.List()) {
      PushLocked(Notification{Notification::Kind::kAdd, nullptr, std::move(obj), false, id});
    }
  }
  return id;
}

void SharedInformer::RemoveEventHandler(HandlerId id) {
  MutexLock lock(mu_);
  std::erase_if(handlers_, [id](const auto& r) { return r->id == id; });
  handlers_version_.fetch_add(1, std::memory_order_release);
}

void SharedInformer::Run() {
  {
    MutexLock lock(mu_);
    stopping_ = false;
    stop_requested_.store(false);
  }
  dispatcher_ = std::thread([this] { DispatchLoop(); });
  reflector_.Run();
}

void SharedInformer::Stop() {
  reflector_.Stop();
  {
    MutexLock lock(mu_);
    stopping_ = true;
    stop_requested_.store(true);
    cv_.notify_all();
  }
  if (dispatcher_.joinable()) dispatcher_.join();
}

bool SharedInformer::HasSynced() const {
  MutexLock lock(mu_);
  return synced_;
}

bool SharedInformer::WaitForSync(Clock::TimePoint deadline) {
  MutexLock lock(mu_);
  while (!synced_ && !stopping_ && clock_.Now() < deadline) {
    clock_.WaitUntil(cv_, lock.lock(), deadline);
  }
  return synced_;
}

void SharedInformer::Trim(Json& object) const {
  if (projection_ && project_decoded_) Project(object, *projection_);
  if (transform_) transform_(object);
}

ObjectPtr SharedInformer::Prepare(Json&& object) const {
  Trim(object);
  return std::make_shared<const Json>(std::move(object));
}

void SharedInformer::PrepareListed(Json& item) { Trim(item); }

void SharedInformer::PushLocked(Notification n) {
  n.seq = next_seq_++;
  pending_.push_back(std::move(n));
  if (dispatcher_idle_) {
    dispatcher_idle_ = false;  // one wake-up is enough; the dispatcher takes the whole queue
    cv_.notify_all();
  }
}

void SharedInformer::Replace(std::vector<Json> items, const std::string& /*resource_version*/) {
  std::vector<ObjectPtr> objects;
  objects.reserve(items.size());
  // Each item went through PrepareListed as its page arrived.
  for (Json& item : items) objects.push_back(std::make_shared<const Json>(std::move(item)));
  MutexLock lock(mu_);
  Indexer::ReplaceResult result = indexer_.Replace(std::move(objects));
  using Kind = Notification::Kind;
  for (ObjectPtr& obj : result.added) PushLocked({Kind::kAdd, nullptr, std::move(obj)});
  for (auto& [old_obj, new_obj] : result.updated) {
    PushLocked({Kind::kUpdate, std::move(old_obj), std::move(new_obj)});
  }
  // Deletions the watch never reported: tombstones carrying the last cached state.
  for (ObjectPtr& obj : result.deleted) PushLocked({Kind::kDelete, nullptr, std::move(obj), true});
  if (!listed_) {
    listed_ = true;
    PushLocked({Kind::kSynced, nullptr, nullptr});
  }
}

void SharedInformer::Apply(WatchEventType type, Json object) {
  ObjectPtr obj = Prepare(std::move(object));
  using Kind = Notification::Kind;
  MutexLock lock(mu_);
  if (type == WatchEventType::kDeleted) {
    StatusOr<std::string> key = ObjectKey(*obj);
    if (!key.ok()) return;  // a nameless object cannot be cached; nothing to delete
    (void)indexer_.Delete(*key);
    PushLocked({Kind::kDelete, nullptr, std::move(obj)});
    return;
  }
  StatusOr<ObjectPtr> old_obj = indexer_.Upsert(obj);
  if (!old_obj.ok()) return;
  if (*old_obj == nullptr) {
    PushLocked({Kind::kAdd, nullptr, std::move(obj)});
  } else {
    PushLocked({Kind::kUpdate, std::move(*old_obj), std::move(obj)});
  }
}

void SharedInformer::QueueResyncLocked() {
  for (ObjectPtr& obj : indexer_.List()) {
    ObjectPtr same = obj;
    PushLocked({Notification::Kind::kUpdate, std::move(same), std::move(obj)});
  }
  next_resync_ = clock_.Now() + resync_period_;
}

void SharedInformer::DispatchLoop() {
  std::vector<Notification> batch;
  Handlers handlers;
  uint64_t handlers_version = 0;
  bool delivered = false;
  while (TakeBatch(delivered, batch, handlers, handlers_version)) {
    delivered = true;
    DeliverBatch(batch, handlers, handlers_version);
    batch.clear();  // keeps its capacity: the two queues trade buffers from then on
  }
}

bool SharedInformer::TakeBatch(bool linger, std::vector<Notification>& batch, Handlers& handlers,
                               uint64_t& handlers_version) {
  const bool resync = resync_period_ > Clock::Duration::zero();
  MutexLock lock(mu_);
  if (linger && pending_.empty() && !stopping_ && batch_window_.count() > 0) {
    // Not idle: producers do not signal; only Stop cuts the window short.
    cv_.wait_for(lock.lock(), batch_window_);
  }
  while (!stopping_ && pending_.empty()) {
    if (resync && synced_ && clock_.Now() >= next_resync_) {
      QueueResyncLocked();
      continue;
    }
    dispatcher_idle_ = true;
    if (resync && synced_) {
      clock_.WaitUntil(cv_, lock.lock(), next_resync_);
    } else {
      cv_.wait(lock.lock());
    }
    dispatcher_idle_ = false;
  }
  if (stopping_) return false;
  batch.swap(pending_);
  handlers = handlers_;
  handlers_version = handlers_version_.load(std::memory_order_relaxed);
  return true;
}

void SharedInformer::DeliverBatch(std::vector<Notification>& batch, Handlers& handlers,
                                  uint64_t& handlers_version) {
  for (const Notification& n : batch) {
    if (stop_requested_.load(std::memory_order_relaxed)) return;
    if (n.kind == Notification::Kind::kSynced) {
      // Everything queued before the sync mark has been handed out.
      MutexLock lock(mu_);
      synced_ = true;
      next_resync_ = clock_.Now() + resync_period_;
      cv_.notify_all();
      continue;
    }
    if (handlers_version_.load(std::memory_order_acquire) != handlers_version) {
      MutexLock lock(mu_);
      handlers = handlers_;
      handlers_version = handlers_version_.load(std::memory_order_relaxed);
    }
    Deliver(n, handlers);
  }
}

void SharedInformer::Deliver(const Notification& n, const Handlers& handlers) {
  for (const auto& r : handlers) {
    if (n.seq < r->first_seq || (n.only_for != 0 && n.only_for != r->id)) continue;
    const EventHandler& h = r->handler;
    switch (n.kind) {
      case Notification::Kind::kAdd:
        if (h.on_add && r->predicate.Create(*n.obj)) h.on_add(n.obj);
        break;
      case Notification::Kind::kUpdate:
        if (h.on_update && r->predicate.Update(*n.old_obj, *n.obj)) h.on_update(n.old_obj, n.obj);
        break;
      case Notification::Kind::kDelete:
        if (h.on_delete && r->predicate.Delete(*n.obj)) h.on_delete(n.obj, n.final_state_unknown);
        break;
      case Notification::Kind::kSynced:
        break;
    }
  }
}

}  // namespace osbx::kube
