#include "internal/standalone/store/sqlite_db.h"

#include <fmt/format.h>

#include "internal/standalone/store/stamp.h"

namespace osbx::standalone {
namespace {

constexpr int64_t kSchemaVersion = 1;

// Resets a statement when leaving scope so it never holds a read or write lock.
class StmtReset {
 public:
  explicit StmtReset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StmtReset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StmtReset(const StmtReset&) = delete;
  StmtReset& operator=(const StmtReset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

// An owned prepared statement for one-off queries.
struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

}  // namespace

StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool verify) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));
  if (rc != SQLITE_OK) return db->Error("open", rc);
  sqlite3_extended_result_codes(raw, 1);
  // A damaged file is often only noticed by the first statement that reads a page.
  OSBX_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  OSBX_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  OSBX_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=OFF"));
  if (verify) OSBX_RETURN_IF_ERROR(db->Verify());
  OSBX_RETURN_IF_ERROR(db->InitSchema());
  OSBX_RETURN_IF_ERROR(db->Prepare());
  return db;
}

SqliteDb::~SqliteDb() {
  sqlite3_finalize(upsert_);
  sqlite3_finalize(delete_);
  sqlite3_finalize(set_last_rv_);
  sqlite3_close_v2(db_);
}

Status SqliteDb::Error(const char* what) const { return Error(what, sqlite3_errcode(db_)); }

Status SqliteDb::Error(const char* what, int rc) const {
  const char* msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return InternalError(
      fmt::format("store database {}: {} failed: {} (sqlite code {})", path_, what, msg, rc));
}

Status SqliteDb::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return InternalError(
      fmt::format("store database {}: \"{}\" failed: {} (sqlite code {})", path_, sql, msg, rc));
}

Status SqliteDb::Verify() {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA quick_check", -1, &raw, nullptr) != SQLITE_OK) {
    return Error("integrity check");
  }
  Stmt stmt(raw);
  int rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) return Error("integrity check", rc);
  auto text = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
  std::string verdict = text ? text : "";
  if (verdict != "ok") {
    return InternalError(
        fmt::format("store database {} is corrupt: integrity check says: {}", path_, verdict));
  }
  return Status::Ok();
}

Status SqliteDb::InitSchema() {
  OSBX_RETURN_IF_ERROR(
      Exec("CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
           "CREATE TABLE IF NOT EXISTS objects(key TEXT PRIMARY KEY, rv INTEGER NOT NULL, "
           "rv_pos INTEGER, value BLOB NOT NULL) WITHOUT ROWID;"
           "INSERT OR IGNORE INTO meta(name, value) VALUES ('schema', 1), ('last_rv', 0);"));
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE name='schema'", -1, &raw, nullptr) !=
      SQLITE_OK) {
    return Error("read schema version");
  }
  Stmt stmt(raw);
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return Error("read schema version");
  int64_t version = sqlite3_column_int64(stmt.get(), 0);
  if (version != kSchemaVersion) {
    return InternalError(fmt::format("store database {} has schema version {}, expected {}", path_,
                                     version, kSchemaVersion));
  }
  return Status::Ok();
}

Status SqliteDb::Prepare() {
  auto prep = [&](const char* sql, sqlite3_stmt** out) -> Status {
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, out, nullptr) != SQLITE_OK) {
      return Error("prepare");
    }
    return Status::Ok();
  };
  OSBX_RETURN_IF_ERROR(prep(
      "INSERT OR REPLACE INTO objects(key, rv, rv_pos, value) VALUES (?1, ?2, ?3, ?4)", &upsert_));
  OSBX_RETURN_IF_ERROR(prep("DELETE FROM objects WHERE key = ?1", &delete_));
  return prep("UPDATE meta SET value = ?1 WHERE name = 'last_rv'", &set_last_rv_);
}

StatusOr<int64_t> SqliteDb::LoadAll(const std::function<void(ObjectPtr)>& sink) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE name='last_rv'", -1, &raw, nullptr) !=
      SQLITE_OK) {
    return Error("read last resourceVersion");
  }
  Stmt meta(raw);
  if (sqlite3_step(meta.get()) != SQLITE_ROW) return Error("read last resourceVersion");
  int64_t last_rv = sqlite3_column_int64(meta.get(), 0);

  if (sqlite3_prepare_v2(db_, "SELECT key, rv, rv_pos, value FROM objects ORDER BY key", -1, &raw,
                         nullptr) != SQLITE_OK) {
    return Error("load objects");
  }
  Stmt rows(raw);
  int rc;
  while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
    auto obj = std::make_shared<Object>();
    auto key = reinterpret_cast<const char*>(sqlite3_column_text(rows.get(), 0));
    obj->key = key ? key : "";
    obj->rv = sqlite3_column_int64(rows.get(), 1);
    bool stamped = sqlite3_column_type(rows.get(), 2) != SQLITE_NULL;
    int64_t pos = sqlite3_column_int64(rows.get(), 2);
    auto blob = static_cast<const char*>(sqlite3_column_blob(rows.get(), 3));
    obj->value.assign(blob ? blob : "", static_cast<size_t>(sqlite3_column_bytes(rows.get(), 3)));
    if (obj->rv <= 0 || obj->rv > last_rv ||
        (stamped &&
         (pos < 0 || !HasResourceVersionAt(obj->value, static_cast<size_t>(pos), obj->rv)))) {
      return InternalError(fmt::format(
          "store database {} is corrupt: object \"{}\" has resourceVersion {} (last {})", path_,
          obj->key, obj->rv, last_rv));
    }
    if (stamped) obj->rv_pos = static_cast<size_t>(pos);
    sink(std::move(obj));
  }
  if (rc != SQLITE_DONE) return Error("load objects", rc);
  return last_rv;
}

Status SqliteDb::Commit(const std::vector<ObjectPtr>& versions, int64_t last_rv) {
  OSBX_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status status = WriteVersions(versions, last_rv);
  if (status.ok()) status = Exec("COMMIT");
  if (!status.ok()) {
    // Leaves the database as it was before the batch; the store then refuses further writes.
    (void)Exec("ROLLBACK");
  }
  return status;
}

Status SqliteDb::WriteVersions(const std::vector<ObjectPtr>& versions, int64_t last_rv) {
  for (const ObjectPtr& v : versions) {
    sqlite3_stmt* stmt = v->deleted ? delete_ : upsert_;
    StmtReset reset(stmt);
    sqlite3_bind_text(stmt, 1, v->key.data(), static_cast<int>(v->key.size()), SQLITE_STATIC);
    if (!v->deleted) {
      sqlite3_bind_int64(stmt, 2, v->rv);
      if (v->rv_pos != std::string::npos) {
        sqlite3_bind_int64(stmt, 3, static_cast<int64_t>(v->rv_pos));
      }
      sqlite3_bind_blob(stmt, 4, v->value.data(), static_cast<int>(v->value.size()), SQLITE_STATIC);
    }
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) return Error("write object", rc);
  }
  StmtReset reset(set_last_rv_);
  sqlite3_bind_int64(set_last_rv_, 1, last_rv);
  int rc = sqlite3_step(set_last_rv_);
  if (rc != SQLITE_DONE) return Error("write last resourceVersion", rc);
  return Status::Ok();
}

}  // namespace osbx::standalone
