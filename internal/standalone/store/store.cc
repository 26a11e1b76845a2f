// Store: opening, closing, reads and watches. Writes and the committer are in store_write.cc.
#include "internal/standalone/store/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "internal/standalone/store/sqlite_db.h"

namespace osbx::standalone {
namespace {

const Clock& ClockOf(const StoreOptions& options) {
  return options.clock ? *options.clock : RealClock::Get();
}

// Holds the data directory for one Store at a time, across processes.
StatusOr<int> LockDir(const std::filesystem::path& dir) {
  std::string path = (dir / "store.lock").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return UnavailableError(fmt::format("store: cannot open {}: {}", path, std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    return UnavailableError(fmt::format("store: data directory {} is in use by another store ({})",
                                        dir.string(), std::strerror(err)));
  }
  return fd;
}

}  // namespace

StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& dir, StoreOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return UnavailableError(
        fmt::format("store: cannot create data directory {}: {}", dir, ec.message()));
  }
  OSBX_ASSIGN_OR_RETURN(int lock_fd, LockDir(dir));
  auto db =
      SqliteDb::Open((std::filesystem::path(dir) / "store.db").string(), options.verify_on_open);
  if (!db.ok()) {
    ::close(lock_fd);
    return db.status();
  }
  std::vector<ObjectPtr> loaded;
  auto last_rv = (*db)->LoadAll([&](ObjectPtr obj) { loaded.push_back(std::move(obj)); });
  if (!last_rv.ok()) {
    db->reset();
    ::close(lock_fd);
    return last_rv.status();
  }
  return std::unique_ptr<Store>(
      new Store(std::move(options), std::move(*db), lock_fd, *last_rv, std::move(loaded)));
}

Store::Store(StoreOptions options, std::unique_ptr<SqliteDb> db, int lock_fd, int64_t last_rv,
             std::vector<ObjectPtr> loaded)
    : options_(std::move(options)),
      clock_(ClockOf(options_)),
      db_(std::move(db)),
      lock_fd_(lock_fd),
      hub_(std::make_shared<WatchHub>(clock_, last_rv)),
      index_(last_rv),
      last_rv_(last_rv),
      visible_rv_(last_rv),
      durable_rv_(last_rv) {
  for (ObjectPtr& obj : loaded) index_.Load(std::move(obj));
  committer_ = std::thread([this] { CommitLoop(); });
}

Store::~Store() {
  {
    std::unique_lock lock(mu_);
    closing_ = true;
  }
  {
    std::lock_guard lock(queue_mu_);
    stop_ = true;
  }
  queue_cv_.notify_all();
  committer_.join();
  hub_->CloseAll(Status(StatusCode::kCancelled, "store closed"));
  db_.reset();
  ::close(lock_fd_);
}

StatusOr<ObjectPtr> Store::Get(std::string_view key) const {
  std::shared_lock lock(mu_);
  ObjectPtr obj = index_.At(key, visible_rv_);
  if (!obj) return NotFoundError(fmt::format("key \"{}\" not found", key));
  return obj;
}

StatusOr<ListResponse> Store::List(const ListRequest& request) const {
  int64_t rv = request.rv;
  {
    std::shared_lock lock(mu_);
    if (rv == 0) rv = visible_rv_;
    if (rv > visible_rv_) {
      lock.unlock();
      if (!WaitDurable(rv, clock_.Now() + options_.future_rv_wait)) {
        return Status(StatusCode::kServerTimeout,
                      fmt::format("Too large resource version: {}, current: {}", rv, CurrentRv()));
      }
    }
  }
  std::shared_lock lock(mu_);
  if (rv < index_.floor()) {
    return GoneError("The resourceVersion for the provided list is too old.");
  }
  ScanResult scan =
      index_.Scan(request.prefix, request.start_key, rv, request.limit, request.count_remaining);
  ListResponse response;
  response.items = std::move(scan.items);
  response.rv = rv;
  response.next_key = std::move(scan.next_key);
  response.remaining = scan.remaining;
  return response;
}

StatusOr<std::unique_ptr<Watcher>> Store::Watch(WatchRequest request) {
  WatchSpec spec;
  spec.prefix = std::move(request.prefix);
  spec.start_rv = request.from_rv;
  spec.max_pending = request.max_pending ? request.max_pending : options_.watch_max_pending;
  spec.on_ready = std::move(request.on_ready);
  return hub_->Add(
      std::move(spec),
      [this](int64_t published_rv, WatchSpec& s, std::vector<Event>& replay) -> Status {
        std::shared_lock lock(mu_);
        if (closing_) return UnavailableError("store is closing");
        if (s.start_rv == 0) {
          // "Now" is the last acknowledged write: the batch holding it may still be on its way
          // to the hub, and its events must be skipped like everything else already visible.
          s.start_rv = visible_rv_;
          return Status::Ok();
        }
        if (s.start_rv < index_.floor()) {
          return GoneError(
              fmt::format("too old resource version: {} ({})", s.start_rv, index_.floor() + 1));
        }
        replay = index_.EventsBetween(s.start_rv, published_rv, s.prefix);
        return Status::Ok();
      });
}

int64_t Store::CurrentRv() const {
  std::shared_lock lock(mu_);
  return visible_rv_;
}

int64_t Store::CompactedRv() const {
  std::shared_lock lock(mu_);
  return index_.floor();
}

size_t Store::ObjectCount(std::string_view prefix) const {
  std::shared_lock lock(mu_);
  return index_.Scan(prefix, {}, visible_rv_, 0, false).items.size();
}

}  // namespace osbx::standalone
