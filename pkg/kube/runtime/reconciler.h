#pragma once
// The reconciler contract: level-based reconciliation of one object at a time.
//
// A controller hands a Reconciler only the object's key (namespace/name), never the event that
// woke it: the reconciler reads the current state, acts, and reports what should happen next
// (done, look again after a delay, or an error to retry with backoff). Terminal errors are
// reported and counted but never retried: retrying cannot fix them (a malformed object, say).

#include <chrono>
#include <string>
#include <string_view>

#include "internal/utils/clock.h"
#include "internal/utils/status.h"

namespace osbx::kube {

// Names the object to reconcile. `ns` is empty for cluster-scoped objects.
struct Request {
  std::string ns;
  std::string name;

  // "ns/name", or "name" when cluster-scoped: the work queue key.
  std::string Key() const { return ns.empty() ? name : ns + "/" + name; }
  // Inverse of Key().
  static Request FromKey(std::string_view key);

  bool operator==(const Request&) const = default;
  auto operator<=>(const Request&) const = default;
};

// What a successful reconcile asks for next.
struct Result {
  // Look at the object again after this delay (zero: only when something changes).
  Clock::Duration requeue_after{0};
  // Requeue through the rate limiter (with backoff) although there was no error.
  bool requeue = false;

  static Result Done() { return {}; }
  static Result After(Clock::Duration d) { return {.requeue_after = d}; }
  bool operator==(const Result&) const = default;
};

// The business logic of one controller. Called from several worker threads at once, but never
// for the same key concurrently.
class Reconciler {
 public:
  virtual ~Reconciler() = default;
  // Brings the world in line with the object named by `request`. A non-OK status is retried
  // with per-item backoff unless it is terminal (see TerminalError).
  virtual StatusOr<Result> Reconcile(const Request& request) = 0;
};

// Marks `status` as terminal: the controller logs and counts it and does not retry. The mark
// survives propagation (OSBX_RETURN_IF_ERROR) because it travels inside the Status itself.
Status TerminalError(Status status);
// True when `status` carries the terminal mark.
bool IsTerminalError(const Status& status);

}  // namespace osbx::kube
