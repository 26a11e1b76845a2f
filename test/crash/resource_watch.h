#pragma once
// ResourceWatch: an unbroken view of one resource's watch stream for the crash test. It follows
// the stream from a given resourceVersion and, when the server ends the stream, resumes from the
// last version seen, so no event is missed; a 410 Gone (history compacted) would lose events and
// is reported as an error instead of being papered over with a relist.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "pkg/kube/client/resource.h"
#include "pkg/kube/client/rest_client.h"

namespace osbx::crash {

class ResourceWatch {
 public:
  // Called for every ADDED/MODIFIED (deleted = false) and DELETED event, in stream order, on the
  // client's I/O thread.
  using Handler = std::function<void(const Json& object, bool deleted)>;

  ResourceWatch(kube::RestClient& client, kube::ResourceRef resource, Handler handler);
  ~ResourceWatch();
  ResourceWatch(const ResourceWatch&) = delete;
  ResourceWatch& operator=(const ResourceWatch&) = delete;

  // Starts following the stream after `resource_version`.
  [[nodiscard]] Status Start(const std::string& resource_version);
  // Why the stream was lost, or "" while it is whole.
  std::string error() const;

 private:
  [[nodiscard]] Status Open();
  void ResumeLoop();

  kube::RestClient& client_;
  const kube::ResourceRef resource_;
  const Handler handler_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string rv_;                             // last version seen; guarded by mu_
  bool closed_ = false;                        // the stream ended; guarded by mu_
  bool stopping_ = false;                      // guarded by mu_
  std::string error_;                          // guarded by mu_
  std::unique_ptr<kube::WatchHandle> handle_;  // guarded by mu_
  std::thread resumer_;
};

}  // namespace osbx::crash
