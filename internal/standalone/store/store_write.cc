// Store: writes, resourceVersion sequencing and the group-commit thread.
//
// A write is sequenced under mu_ (checked against the newest version, given the next RV,
// stamped, added to the index and the history, queued) and acknowledged by the committer once
// the transaction holding it is durable. Readers only see RVs up to visible_rv_, which the
// committer advances after each durable batch, so sequencing ahead of durability is invisible.
#include <fmt/format.h>

#include <future>
#include <memory>

#include "internal/standalone/store/sqlite_db.h"
#include "internal/standalone/store/store.h"
#include "internal/utils/json.h"

namespace osbx::standalone {
namespace {

// Optimistic read-modify-write gives up after this many lost races on one key.
constexpr int kMaxAttempts = 1000;

StatusOr<ObjectPtr> RunSync(const std::function<void(WriteCallback)>& start) {
  auto promise = std::make_shared<std::promise<StatusOr<ObjectPtr>>>();
  auto future = promise->get_future();
  start([promise](StatusOr<ObjectPtr> result) { promise->set_value(std::move(result)); });
  return future.get();
}

Status CheckUid(const Object& current, const std::string& expected_uid) {
  Json parsed = Json::parse(current.value, nullptr, /*allow_exceptions=*/false);
  std::string uid;
  if (parsed.is_object()) {
    auto meta = parsed.find("metadata");
    if (meta != parsed.end() && meta->is_object()) {
      auto it = meta->find("uid");
      if (it != meta->end() && it->is_string()) uid = it->get<std::string>();
    }
  }
  if (uid == expected_uid) return Status::Ok();
  return ConflictError(fmt::format(
      "Precondition failed: UID in precondition: {}, UID in object meta: {}", expected_uid, uid));
}

Status ModifiedError(const std::string& key) {
  return ConflictError(fmt::format(
      "Operation cannot be fulfilled on \"{}\": the object has been modified; please apply your "
      "changes to the latest version and try again",
      key));
}

}  // namespace

StatusOr<ObjectPtr> Store::Create(std::string key, std::string value) {
  return RunSync([&](WriteCallback cb) { CreateAsync(std::move(key), std::move(value), cb); });
}

StatusOr<ObjectPtr> Store::Update(std::string key, std::string value, int64_t expected_rv) {
  return RunSync(
      [&](WriteCallback cb) { UpdateAsync(std::move(key), std::move(value), expected_rv, cb); });
}

StatusOr<ObjectPtr> Store::Delete(std::string key, DeleteOptions options) {
  return RunSync([&](WriteCallback cb) { DeleteAsync(std::move(key), std::move(options), cb); });
}

StatusOr<ObjectPtr> Store::GuaranteedUpdate(std::string key, const UpdateFn& fn,
                                            bool allow_create) {
  return RunSync(
      [&](WriteCallback cb) { GuaranteedUpdateAsync(std::move(key), fn, allow_create, cb); });
}

StatusOr<ObjectPtr> Store::GuaranteedWrite(std::string key, const DecideFn& fn, bool allow_create) {
  return RunSync(
      [&](WriteCallback cb) { GuaranteedWriteAsync(std::move(key), fn, allow_create, cb); });
}

Status Store::WritableLocked() const {
  if (!broken_.ok()) return broken_;
  if (closing_) return UnavailableError("store is closing");
  return Status::Ok();
}

void Store::CreateAsync(std::string key, std::string value, WriteCallback done) {
  std::unique_lock lock(mu_);
  Status status = WritableLocked();
  ObjectPtr latest = index_.Latest(key);
  if (status.ok() && latest && !latest->deleted) {
    status = AlreadyExistsError(fmt::format("key \"{}\" already exists", key));
  }
  if (!status.ok()) {
    lock.unlock();
    done(std::move(status));
    return;
  }
  SequenceLocked(std::move(key), std::move(value), latest, /*deleted=*/false, std::move(done));
}

void Store::UpdateAsync(std::string key, std::string value, int64_t expected_rv,
                        WriteCallback done) {
  std::unique_lock lock(mu_);
  Status status = WritableLocked();
  ObjectPtr latest = index_.Latest(key);
  if (status.ok() && (!latest || latest->deleted)) {
    status = NotFoundError(fmt::format("key \"{}\" not found", key));
  }
  if (status.ok() && expected_rv != 0 && latest->rv != expected_rv) status = ModifiedError(key);
  if (!status.ok()) {
    lock.unlock();
    done(std::move(status));
    return;
  }
  SequenceLocked(std::move(key), std::move(value), latest, /*deleted=*/false, std::move(done));
}

void Store::DeleteAsync(std::string key, DeleteOptions options, WriteCallback done) {
  std::string name = key;
  auto decide = [&](const ObjectPtr& current) -> StatusOr<WriteDecision> {
    if (options.expected_rv != 0 && current->rv != options.expected_rv) {
      return ModifiedError(name);
    }
    if (!options.expected_uid.empty()) {
      OSBX_RETURN_IF_ERROR(CheckUid(*current, options.expected_uid));
    }
    if (options.check) OSBX_RETURN_IF_ERROR(options.check(*current));
    return WriteDecision::Remove();
  };
  OptimisticWrite(std::move(key), decide, /*allow_absent=*/false, std::move(done));
}

void Store::GuaranteedUpdateAsync(std::string key, const UpdateFn& fn, bool allow_create,
                                  WriteCallback done) {
  auto decide = [&fn](const ObjectPtr& current) -> StatusOr<WriteDecision> {
    OSBX_ASSIGN_OR_RETURN(std::optional<std::string> value, fn(current));
    if (!value) return WriteDecision::None();
    return WriteDecision::Put(std::move(*value));
  };
  OptimisticWrite(std::move(key), decide, allow_create, std::move(done));
}

void Store::GuaranteedWriteAsync(std::string key, const DecideFn& fn, bool allow_create,
                                 WriteCallback done) {
  OptimisticWrite(std::move(key), fn, allow_create, std::move(done));
}

void Store::OptimisticWrite(std::string key, const DecideFn& decide, bool allow_absent,
                            WriteCallback done) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    ObjectPtr latest;
    {
      std::shared_lock lock(mu_);
      Status status = WritableLocked();
      if (!status.ok()) return done(std::move(status));
      latest = index_.Latest(key);
    }
    ObjectPtr live = latest && !latest->deleted ? latest : nullptr;
    if (!live && !allow_absent)
      return done(NotFoundError(fmt::format("key \"{}\" not found", key)));
    auto decision = decide(live);  // user code runs without the lock
    if (!decision.ok()) return done(decision.status());

    std::unique_lock lock(mu_);
    if (index_.Latest(key) != latest) continue;  // raced with another write: decide again
    Status status = WritableLocked();
    if (!status.ok()) {
      lock.unlock();
      return done(std::move(status));
    }
    if (!live && decision->action != WriteDecision::Action::kPut) {
      lock.unlock();
      return done(NotFoundError(fmt::format("key \"{}\" not found", key)));
    }
    if (decision->action == WriteDecision::Action::kNone) {
      return AckWhenDurableLocked(std::move(live), std::move(done));
    }
    const bool deletes = decision->action == WriteDecision::Action::kDelete;
    return SequenceLocked(std::move(key), std::move(decision->value), live, deletes,
                          std::move(done));
  }
  done(ConflictError(fmt::format("too many concurrent writes to \"{}\"; try again", key)));
}

void Store::SequenceLocked(std::string key, std::string value, const ObjectPtr& latest,
                           bool deleted, WriteCallback done) {
  auto obj = std::make_shared<Object>();
  obj->key = std::move(key);
  obj->rv = last_rv_ + 1;
  obj->deleted = deleted;
  if (deleted) {
    // The tombstone is the last state with the delete's RV, as DELETED events carry it.
    obj->value = latest->value;
    obj->rv_pos = latest->rv_pos;
    if (obj->rv_pos != std::string::npos) {
      RestampResourceVersion(obj->value, obj->rv_pos, latest->rv, obj->rv);
    }
  } else {
    obj->value = std::move(value);
    obj->rv_pos = StampResourceVersion(obj->value, obj->rv);
  }
  last_rv_ = obj->rv;
  Event event = index_.Append(std::move(obj), clock_.Now());
  {
    std::lock_guard qlock(queue_mu_);
    queue_.push_back(PendingWrite{std::move(event), std::move(done)});
  }
  queue_cv_.notify_one();
}

void Store::AckWhenDurableLocked(ObjectPtr object, WriteCallback done) {
  if (object->rv <= visible_rv_) {
    done(std::move(object));
    return;
  }
  // Its write is still queued; this marker behind it is acknowledged with the same batch or later.
  Event event;
  event.object = std::move(object);
  {
    std::lock_guard qlock(queue_mu_);
    queue_.push_back(PendingWrite{std::move(event), std::move(done), /*ack_only=*/true});
  }
  queue_cv_.notify_one();
}

bool Store::WaitDurable(int64_t rv, Clock::TimePoint deadline) const {
  std::unique_lock lock(queue_mu_);
  while (durable_rv_ < rv && !failed_ && clock_.Now() < deadline) {
    clock_.WaitUntil(durable_cv_, lock, deadline);
  }
  return durable_rv_ >= rv;
}

void Store::CommitLoop() {
  for (;;) {
    std::vector<PendingWrite> batch;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      size_t n = std::min(queue_.size(), options_.max_batch);
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
  }
}

void Store::CommitBatch(std::vector<PendingWrite>& batch) {
  std::vector<ObjectPtr> versions;
  versions.reserve(batch.size());
  for (const PendingWrite& w : batch) {
    if (!w.ack_only) versions.push_back(w.event.object);
  }
  if (!versions.empty()) {
    int64_t end_rv = versions.back()->rv;
    if (options_.before_commit) options_.before_commit(versions.size());
    Status status = db_->Commit(versions, end_rv);
    if (!status.ok()) return FailPending(batch, status);
    Clock::TimePoint now = clock_.Now();
    Clock::TimePoint oldest = now.time_since_epoch() > options_.history_max_age
                                  ? now - options_.history_max_age
                                  : Clock::TimePoint::min();
    {
      std::unique_lock lock(mu_);
      visible_rv_ = end_rv;
      index_.Compact(options_.history_max_events, oldest, end_rv);
    }
    {
      std::lock_guard lock(queue_mu_);
      durable_rv_ = end_rv;
    }
    durable_cv_.notify_all();
  }
  std::vector<Event> events;
  events.reserve(versions.size());
  for (PendingWrite& w : batch) {
    w.done(w.event.object);
    if (!w.ack_only) events.push_back(std::move(w.event));
  }
  if (!events.empty()) hub_->Publish(events, events.back().rv());
}

// A batch that cannot be made durable poisons the store: it and every write queued behind it
// (sequenced on top of it) are undone in memory and fail; later writes are refused.
void Store::FailPending(std::vector<PendingWrite>& batch, const Status& status) {
  Status failure = UnavailableError("store cannot persist writes: " + status.message());
  {
    std::unique_lock lock(mu_);
    {
      std::lock_guard qlock(queue_mu_);
      std::move(queue_.begin(), queue_.end(), std::back_inserter(batch));
      queue_.clear();
      failed_ = true;
    }
    broken_ = failure;
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
      if (!it->ack_only) index_.Rollback(it->event.object->key, it->event.rv());
    }
    last_rv_ = visible_rv_;
  }
  durable_cv_.notify_all();
  for (PendingWrite& w : batch) w.done(failure);
}

}  // namespace osbx::standalone
