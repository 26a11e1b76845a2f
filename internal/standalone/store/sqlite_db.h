#pragma once
// SqliteDb: the durable copy of the store's current objects, one SQLite database in WAL mode
// with synchronous=FULL, so a committed transaction survives kill -9 and power loss.
//
// Schema: objects(key PRIMARY KEY, rv, rv_pos, value) holds the current version of every live
// object; meta(name PRIMARY KEY, value) holds the schema version and the last RV handed out
// (which a delete of the newest object must not take back). The event history is not persisted:
// after a restart watches resume from the reloaded RV and older ones are Gone.
//
// Used by one thread at a time (the store's committer after Open). Every SQLite failure comes
// back as a Status naming the file and SQLite's message; nothing here throws or aborts.

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "internal/standalone/store/object.h"
#include "internal/utils/status.h"

namespace osbx::standalone {

class SqliteDb {
 public:
  // Opens (creating if needed) the database file at `path`. With `verify`, runs SQLite's
  // quick_check so that a damaged file is reported here rather than on a later read.
  [[nodiscard]] static StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path,
                                                                bool verify);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Streams every stored object to `sink` in key order and returns the last RV handed out.
  // A row that does not hold together (bad RV, stamp offset not pointing at its RV) is
  // reported as corruption.
  [[nodiscard]] StatusOr<int64_t> LoadAll(const std::function<void(ObjectPtr)>& sink);

  // Writes the versions (in RV order; tombstones delete their key) and `last_rv` in one
  // transaction, and returns once it is durable.
  [[nodiscard]] Status Commit(const std::vector<ObjectPtr>& versions, int64_t last_rv);

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Exec(const char* sql);
  Status Error(const char* what) const;
  Status Error(const char* what, int rc) const;
  Status Prepare();
  Status InitSchema();
  Status Verify();
  Status WriteVersions(const std::vector<ObjectPtr>& versions, int64_t last_rv);

  sqlite3* db_;
  std::string path_;
  sqlite3_stmt* upsert_ = nullptr;
  sqlite3_stmt* delete_ = nullptr;
  sqlite3_stmt* set_last_rv_ = nullptr;
};

}  // namespace osbx::standalone
