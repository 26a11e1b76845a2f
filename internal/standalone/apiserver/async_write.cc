// Writes that never hold an HTTP I/O thread while the disk commits: creates go to the store
// asynchronously and are answered from a completion thread once durable; the other writes run
// on blocking workers with a detached copy of their request.

#include "internal/standalone/apiserver/api_server.h"
#include "internal/standalone/apiserver/call.h"
#include "internal/standalone/apiserver/executor.h"
#include "internal/standalone/apiserver/meta_util.h"
#include "internal/standalone/store/stamp.h"

namespace osbx::standalone {
namespace {

http::Request CopyRequest(const http::Request& from, bool keep_body) {
  http::Request copy;
  copy.method = from.method;
  copy.target = from.target;
  copy.path = from.path;
  copy.raw_query = from.raw_query;
  copy.query = from.query;
  copy.headers = from.headers;
  if (keep_body) copy.body = from.body;
  copy.remote_address = from.remote_address;
  copy.version = from.version;
  return copy;
}

}  // namespace

// A call that outlives its handler: owns a copy of the request and a retained writer.
struct ApiServer::DetachedCall {
  DetachedCall(const Call& from, bool keep_body)
      : request(CopyRequest(from.request, keep_body)),
        writer(from.writer.Retain()),
        call{request, *writer, from.info, from.resource, from.accept, from.warnings} {}

  http::Request request;
  std::shared_ptr<http::ResponseWriter> writer;
  Call call;  // refers to the two members above
};

void ApiServer::Dispatch(Call& call, void (ApiServer::*serve)(Call&)) {
  if (!options_.async_writes) return (this->*serve)(call);
  auto detached = std::make_shared<DetachedCall>(call, /*keep_body=*/true);
  blocking_->Post([this, detached, serve] { (this->*serve)(detached->call); });
}

void ApiServer::CreateObjectAsync(ResourcePtr resource, const std::string& ns, Json object,
                                  const WriteOptions& options, CreateDone done) {
  ApiOr<Json> prepared = PrepareCreateIn(*resource, ns, std::move(object), options);
  if (!prepared.ok()) return done(std::move(prepared));
  std::string name = internal::MetaString(*prepared, "name");
  std::string key = resource->Key(ns, name);
  if (options.dry_run) {
    if (store_.Get(key).ok()) {
      return done(ApiError::AlreadyExists(resource->group, resource->resource, name));
    }
    internal::Meta(*prepared).erase("resourceVersion");
    return done(std::move(prepared));
  }
  {
    std::lock_guard<std::mutex> lock(async_mu_);
    ++async_in_flight_;
  }
  std::string value = Serialize(*resource, *prepared);
  // The stored bytes are `prepared` with its resourceVersion stamped: answer from it rather than
  // parse them back.
  auto finish = [this, resource, name, object = std::move(*prepared),
                 done = std::move(done)](StatusOr<ObjectPtr> stored) mutable {
    if (!stored.ok()) {
      done(ApiError::FromStatus(stored.status(), resource->group, resource->resource, name));
    } else {
      internal::Meta(object)["resourceVersion"] = std::to_string((*stored)->rv);
      AfterWrite(*resource, object, false);
      done(std::move(object));
    }
    std::lock_guard<std::mutex> lock(async_mu_);
    if (--async_in_flight_ == 0) async_cv_.notify_all();
  };
  // The store calls back on its committer thread: only hand over from there.
  Executor* completions = completions_.get();
  store_.CreateAsync(
      std::move(key), std::move(value),
      [completions, finish = std::move(finish)](StatusOr<ObjectPtr> stored) mutable {
        completions->Post([finish = std::move(finish), stored = std::move(stored)]() mutable {
          finish(std::move(stored));
        });
      });
}

void ApiServer::ServeCreateAsync(Call& call, Json object, WriteOptions options) {
  auto detached = std::make_shared<DetachedCall>(call, /*keep_body=*/false);
  options.warnings = &detached->call.warnings;
  CreateObjectAsync(call.resource, call.info.namespace_, std::move(object), options,
                    [this, detached](ApiOr<Json> created) {
                      if (!created.ok()) return RespondError(detached->call, created.error());
                      Respond(detached->call, 201, *created);
                    });
}

}  // namespace osbx::standalone
