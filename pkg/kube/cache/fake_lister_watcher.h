#pragma once
// FakeListerWatcher: an in-memory ListerWatcher for tests of reflectors, informers and
// controllers. Lists page through a fixed set of objects (honouring limit/continue); a watch
// stays open until the test sends events and closes it from its own thread. Errors can be
// scripted for the next list or watch calls. Test-only (target osbx_kube_cache_testing).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pkg/kube/client/resource.h"

namespace osbx::kube {

class FakeListerWatcher final : public ListerWatcher {
 public:
  FakeListerWatcher() = default;
  ~FakeListerWatcher() override;

  // What List serves from now on, and the list's resourceVersion.
  void SetObjects(std::vector<Json> objects, std::string resource_version);
  // The next List calls fail with these statuses, in order.
  void FailNextLists(std::vector<Status> errors);
  // The next Watch calls fail with these statuses, in order.
  void FailNextWatches(std::vector<Status> errors);

  // Delivers an event on the current open watch from the caller's thread. False if none is open.
  bool Send(WatchEvent event);
  // Ends the current watch with `status` (Ok: the server ended it normally).
  bool CloseWatch(const Status& status = Status::Ok());

  // Block (up to 10 s of real time) until at least `n` calls have been made; false on timeout.
  bool WaitForLists(size_t n);
  bool WaitForWatches(size_t n);
  // Every call made so far (including failed ones).
  std::vector<ListOptions> list_calls() const;
  std::vector<ListOptions> watch_calls() const;

  StatusOr<ListResult> List(const ListOptions& options) override;
  StatusOr<std::unique_ptr<WatchHandle>> Watch(const ListOptions& options,
                                               WatchCallbacks callbacks) override;

 private:
  struct Stream;
  class Handle;
  bool WaitFor(const std::vector<ListOptions>& calls, size_t n);

  mutable std::mutex mu_;
  std::condition_variable calls_cv_;
  std::vector<Json> objects_;
  std::string resource_version_;
  std::deque<Status> list_errors_;
  std::deque<Status> watch_errors_;
  std::vector<ListOptions> list_calls_;
  std::vector<ListOptions> watch_calls_;
  std::shared_ptr<Stream> current_;  // the most recent watch
};

}  // namespace osbx::kube
