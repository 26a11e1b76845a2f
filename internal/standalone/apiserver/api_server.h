#pragma once
// ApiServer: the request handling of the standalone Kubernetes-compatible API server. It turns
// HTTP requests into reads and writes of the durable Store with kube-apiserver's semantics and
// wire format: bearer-token auth, discovery, OpenAPI v3, get/list/watch/create/update/patch/
// delete on built-in kinds and on custom resources defined by stored CRDs, Tables, selectors,
// pagination, finalizers, graceful pod deletion and ownerReference garbage collection.
//
// Thread-safe: Serve runs on the HTTP server's I/O threads. With async_writes it never waits for
// the disk there: a create is queued to the store asynchronously and answered from a completion
// thread once it is durable; other writes (read-modify-write with retries) run on a pool of
// blocking workers.
// Watches are pumped by a few internal threads; garbage collection runs on another.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "internal/standalone/apiserver/api_error.h"
#include "internal/standalone/apiserver/negotiation.h"
#include "internal/standalone/apiserver/registry.h"
#include "internal/standalone/apiserver/request_info.h"
#include "internal/standalone/store/store.h"
#include "internal/utils/clock.h"
#include "internal/utils/json.h"
#include "pkg/http/response_writer.h"

namespace osbx::standalone {

class WatchPump;
class GarbageCollector;
class Executor;

struct ApiServerOptions {
  std::string token;             // the bearer token every request must carry
  const Clock* clock = nullptr;  // null = the process clock
  // Periodic BOOKMARK interval of watches with allowWatchBookmarks.
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds(60)};
  // "host:port" reported in /api's serverAddressByClientCIDRs.
  std::string server_address = "127.0.0.1:6443";
  size_t max_body_bytes = 3u << 20;
  // Answer writes off the I/O threads (creates from the commit callback, other writes from
  // blocking workers), so a few I/O threads carry many writes waiting for their group commit.
  // Off (kept for comparison): each write blocks an I/O thread until it is durable.
  bool async_writes = true;
  int watch_threads = 2;       // threads pumping watch streams
  int completion_threads = 2;  // threads answering creates once durable
  int blocking_threads = 32;   // workers for writes that wait on the store (update/patch/delete)
};

// How a write was asked for, beyond its body.
struct WriteOptions {
  std::string manager;           // field manager
  bool dry_run = false;          // dryRun=All
  std::string field_validation;  // Strict, Warn, Ignore ("" = Warn)
  std::vector<std::string>* warnings = nullptr;
  // Keys repeated in the request body (reported by fieldValidation like unknown fields).
  std::vector<std::string> duplicate_fields;
  // Server-side apply: managedFields were computed by the apply and are kept as they are.
  bool apply = false;
};

class ApiServer {
 public:
  ApiServer(Store& store, ApiServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Registers the stored CRDs and, on a fresh store, installs the project's CRDs and the
  // namespaces default and opensandbox-system. Starts the watch pump and the garbage collector.
  [[nodiscard]] Status Start();
  // Ends every watch and stops the background threads.
  void Stop();

  // The HTTP handler.
  void Serve(const http::Request& request, http::ResponseWriter& writer);

  Registry& registry() { return registry_; }
  Store& store() { return store_; }

  // ---- object operations shared by the handlers, bootstrap and the garbage collector ----
  [[nodiscard]] ApiOr<Json> CreateObject(const ResourceInfo& resource, const std::string& ns,
                                         Json object, const WriteOptions& options);
  // CreateObject without waiting: validation runs now, on the caller's thread (so
  // options.warnings is filled before this returns); `done` runs once the object is durable (or
  // the create failed), on a completion thread, or at once on the caller's thread when the create
  // fails before reaching the store or is a dry run.
  using CreateDone = std::function<void(ApiOr<Json>)>;
  void CreateObjectAsync(ResourcePtr resource, const std::string& ns, Json object,
                         const WriteOptions& options, CreateDone done);
  // Read-modify-write of one object. `mutate` gets the current object (defaults applied) and
  // returns the desired one; the server then applies the update rules of `subresource`. When
  // another write races it, `mutate` runs again on the newer version (so it must have no side
  // effects): only a Conflict that `mutate` itself returns (a stale precondition) is answered.
  using Mutator = std::function<ApiOr<Json>(const Json& current)>;
  struct MutateResult {
    Json object;
    bool created = false;
  };
  [[nodiscard]] ApiOr<MutateResult> MutateObject(const ResourceInfo& resource,
                                                 const std::string& ns, const std::string& name,
                                                 const std::string& subresource,
                                                 const Mutator& mutate, const WriteOptions& options,
                                                 bool allow_create = false);
  struct DeleteRequest {
    std::string propagation;  // Background, Foreground, Orphan; "" = Background
    std::optional<int64_t> grace_seconds;
    std::string precondition_uid;
    std::string precondition_rv;
    bool dry_run = false;
  };
  struct DeleteResult {
    Json object;
    bool gone = false;  // removed from the store (a CR answers a Status then)
  };
  // Deletes, or marks for deletion, the newest version; Conflict only for stale preconditions.
  [[nodiscard]] ApiOr<DeleteResult> DeleteObject(const ResourceInfo& resource,
                                                 const std::string& ns, const std::string& name,
                                                 const DeleteRequest& request);
  // The current object, defaults applied.
  [[nodiscard]] ApiOr<Json> GetObject(const ResourceInfo& resource, const std::string& ns,
                                      const std::string& name) const;

  // Wakes the garbage collector (after deletes and terminating namespaces).
  void NudgeGarbageCollector();
  std::chrono::system_clock::time_point WallNow() const { return clock_.WallNow(); }

 private:
  friend class WatchPump;
  struct Call;
  struct DetachedCall;

  void ServeNonResource(Call& call);
  void ServeResource(Call& call);
  void ServeGet(Call& call);
  void ServeList(Call& call);
  // A JSON list page answered from the stored bytes as they are (list.cc); false, having sent
  // nothing, when an item needs re-encoding.
  bool ServeStoredList(Call& call, const ListResponse& listed, const std::string& base);
  void ServeWatch(Call& call);
  void ServeCreate(Call& call);
  // Validates now, answers once the store made the object durable (async_write.cc).
  void ServeCreateAsync(Call& call, Json object, WriteOptions options);
  void ServeUpdate(Call& call);
  void ServePatch(Call& call);
  void ServeDelete(Call& call);
  void ServeDeleteCollection(Call& call);
  void ServePodLog(Call& call);
  // POST pods/NAME/binding (binding.cc).
  void ServeBinding(Call& call);
  // Runs `serve` now, or with async_writes on a blocking worker with a copy of the call (the I/O
  // thread returns at once).
  void Dispatch(Call& call, void (ApiServer::*serve)(Call&));
  // The namespace checks and PrepareCreate shared by CreateObject and CreateObjectAsync.
  ApiOr<Json> PrepareCreateIn(const ResourceInfo& resource, const std::string& ns, Json object,
                              const WriteOptions& options) const;

  void ServeDiscovery(Call& call);
  void ServeOpenApi(Call& call);

  // Answers an object (or Table / PartialObjectMetadata as negotiated).
  void Respond(Call& call, int code, const Json& object);
  void RespondError(Call& call, const ApiError& error);
  void RespondJson(Call& call, int code, const OrderedJson& body);
  WriteOptions WriteOptionsOf(Call& call) const;

  // Update rules shared by PUT, PATCH and apply: immutable metadata, status vs main resource,
  // generation, finalizers, CRD schema. Returns the object to store or an error.
  // nullopt: the write changes nothing (no store write, no event, RV unchanged).
  ApiOr<std::optional<Json>> PrepareUpdate(const ResourceInfo& resource, const Json& old_object,
                                           Json desired, const std::string& subresource,
                                           const WriteOptions& options) const;
  ApiOr<Json> PrepareCreate(const ResourceInfo& resource, const std::string& ns, Json object,
                            const WriteOptions& options) const;
  ApiOr<bool> ValidateCustom(const ResourceInfo& resource, const Json& object,
                             const Json* old_object) const;
  // Read-modify-write of one stored key (Store::GuaranteedWrite). API writes to the same key
  // take turns to decide, though not to commit: racing writers then do not burn CPU deciding
  // again on versions that lost, and none of them starves.
  [[nodiscard]] StatusOr<ObjectPtr> WriteKey(const std::string& key, const DecideFn& decide,
                                             bool allow_create = false);
  // Side effects of a stored CRD (registry), namespace (none) etc.
  void AfterWrite(const ResourceInfo& resource, const Json& object, bool deleted);
  std::string NowText() const;
  // Serializes an object for the store, its resourceVersion replaced by the stamp placeholder.
  std::string Serialize(const ResourceInfo& resource, Json object) const;
  ApiError AnonymousForbidden(const http::Request& request) const;
  std::string NewUid() const;

  Store& store_;
  const ApiServerOptions options_;
  const Clock& clock_;
  Registry registry_;
  std::unique_ptr<WatchPump> pump_;
  std::unique_ptr<GarbageCollector> gc_;
  std::unique_ptr<Executor> completions_;
  std::unique_ptr<Executor> blocking_;
  mutable std::mutex rng_mu_;
  // Stripe i is held while WriteKey decides and sequences a write of a key hashing to i.
  static constexpr size_t kKeyStripes = 64;
  std::array<std::mutex, kKeyStripes> key_stripes_;
  // Async creates queued to the store and not yet answered; Stop waits for them, since their
  // callbacks use this object.
  std::mutex async_mu_;
  std::condition_variable async_cv_;
  int async_in_flight_ = 0;  // guarded by async_mu_
};

}  // namespace osbx::standalone
