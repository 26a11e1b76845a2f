#pragma once
// Metrics of the sandbox controllers, beyond the runtime's reconcile and work queue metrics:
//   opensandbox_pool_pods{namespace,pool,state}          total / available / allocated pods;
//   opensandbox_pool_claims_waiting{namespace,pool}      sandbox indexes waiting for a pod;
//   opensandbox_allocation_latency_seconds               BatchSandbox seen -> every endpoint set;
//   opensandbox_controller_api_writes_total{verb,resource}  every write the controllers make.
// CountingApiClient wraps an ApiClient and counts its writes, so the "writes per delivered
// batch" budget can be read from /metrics and asserted in tests.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "internal/controller/api_client.h"
#include "internal/utils/clock.h"

namespace osbx::controller {

class SandboxMetrics {
 public:
  // Registers the families in `registry` (borrowed; must outlive this object).
  SandboxMetrics(prometheus::Registry& registry, const Clock& clock);

  void SetPool(const std::string& ns, const std::string& pool, int total, int available,
               int allocated, int waiting);
  // The Pool is gone: its series disappear.
  void RemovePool(const std::string& ns, const std::string& pool);

  // A BatchSandbox was looked at while not fully delivered; the first sighting starts its clock.
  void DeliveryPending(const std::string& uid);
  // Every endpoint of the batch is set: observes the latency once and forgets the batch.
  void DeliveryDone(const std::string& uid);
  // The batch is gone before delivery completed.
  void DeliveryAbandoned(const std::string& uid);

  void CountWrite(const std::string& verb, const std::string& resource);
  // Writes counted so far for `verb` on `resource` ("" = any), for tests and benchmarks.
  double Writes(const std::string& verb, const std::string& resource) const;

 private:
  const Clock& clock_;
  prometheus::Family<prometheus::Gauge>& pool_pods_;
  prometheus::Family<prometheus::Gauge>& claims_waiting_;
  prometheus::Histogram& allocation_latency_;
  prometheus::Family<prometheus::Counter>& writes_;

  mutable std::mutex mu_;
  // When each undelivered batch was first seen; guarded by mu_.
  std::map<std::string, Clock::TimePoint> pending_since_;
  // Write counters by (verb, resource); guarded by mu_.
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> write_counters_;
};

// An ApiClient that counts every successful or failed write in `metrics`, then forwards it.
std::unique_ptr<ApiClient> CountingApiClient(ApiClient& inner, SandboxMetrics& metrics);

}  // namespace osbx::controller
