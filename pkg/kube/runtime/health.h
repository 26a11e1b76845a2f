#pragma once
// Named health checks behind /healthz (is the process alive?) and /readyz (should it get
// work?), answered the way Kubernetes components answer them: 200 "ok" when every check
// passes, 500 listing the failed checks otherwise; `?verbose` lists every check, and
// `/healthz/<name>` runs one check alone. Readiness checks typically fail until the informer
// caches have synced.

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "internal/utils/status.h"
#include "pkg/kube/workqueue/mutex.h"

namespace osbx::kube {

// A check returns Ok when healthy; the message of a failure is shown only in verbose output.
using HealthCheck = std::function<Status()>;

struct HealthResponse {
  int code = 200;
  std::string body;
};

// One set of named checks (one of /healthz or /readyz). Thread-safe.
class HealthChecks {
 public:
  // `endpoint` names the set in responses ("healthz", "readyz").
  explicit HealthChecks(std::string endpoint) : endpoint_(std::move(endpoint)) {}

  // Adds or replaces the check called `name`.
  void Add(const std::string& name, HealthCheck check);
  // Runs every check (or only `only`, 404 when unknown).
  HealthResponse Evaluate(bool verbose, std::string_view only = {}) const;
  // Answers a request for `path` ("/healthz", "/healthz/ping") with raw query `query`.
  HealthResponse Serve(std::string_view path, std::string_view query) const;

  const std::string& endpoint() const { return endpoint_; }

  // The check that always passes ("the process answers HTTP").
  static Status Ping() { return Status::Ok(); }

 private:
  const std::string endpoint_;
  mutable Mutex mu_;
  std::map<std::string, HealthCheck> checks_ OSBX_GUARDED_BY(mu_);  // ordered for stable output
};

}  // namespace osbx::kube
