#include "internal/controller/metrics.h"

#include <chrono>

namespace osbx::controller {
namespace {

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
}

class CountingClient final : public ApiClient {
 public:
  CountingClient(ApiClient& inner, SandboxMetrics& metrics) : inner_(inner), metrics_(metrics) {}

  StatusOr<Json> Create(const kube::ResourceRef& resource, const std::string& ns,
                        const Json& object) override {
    metrics_.CountWrite("create", resource.resource);
    return inner_.Create(resource, ns, object);
  }
  StatusOr<Json> MergePatch(const kube::ResourceRef& resource, const std::string& ns,
                            const std::string& name, const Json& patch, bool status) override {
    metrics_.CountWrite(status ? "patch_status" : "patch", resource.resource);
    return inner_.MergePatch(resource, ns, name, patch, status);
  }
  Status Delete(const kube::ResourceRef& resource, const std::string& ns, const std::string& name,
                const std::string& uid) override {
    metrics_.CountWrite("delete", resource.resource);
    return inner_.Delete(resource, ns, name, uid);
  }
  StatusOr<std::vector<Json>> ListAll(const kube::ResourceRef& resource) override {
    return inner_.ListAll(resource);
  }

 private:
  ApiClient& inner_;
  SandboxMetrics& metrics_;
};

}  // namespace

SandboxMetrics::SandboxMetrics(prometheus::Registry& registry, const Clock& clock)
    : clock_(clock),
      pool_pods_(prometheus::BuildGauge()
                     .Name("opensandbox_pool_pods")
                     .Help("Pods of a Pool by state: total (not terminating), available (idle "
                           "and Ready), allocated (held by a BatchSandbox).")
                     .Register(registry)),
      claims_waiting_(prometheus::BuildGauge()
                          .Name("opensandbox_pool_claims_waiting")
                          .Help("Sandbox indexes waiting for an idle pod of the Pool.")
                          .Register(registry)),
      allocation_latency_(prometheus::BuildHistogram()
                              .Name("opensandbox_allocation_latency_seconds")
                              .Help("Time from a BatchSandbox being first seen by the controller "
                                    "to every one of its endpoints being published.")
                              .Register(registry)
                              .Add({}, LatencyBuckets())),
      writes_(prometheus::BuildCounter()
                  .Name("opensandbox_controller_api_writes_total")
                  .Help("API writes made by the Pool and BatchSandbox controllers.")
                  .Register(registry)) {}

void SandboxMetrics::SetPool(const std::string& ns, const std::string& pool, int total,
                             int available, int allocated, int waiting) {
  auto set = [&](const char* state, int value) {
    pool_pods_.Add({{"namespace", ns}, {"pool", pool}, {"state", state}}).Set(value);
  };
  set("total", total);
  set("available", available);
  set("allocated", allocated);
  claims_waiting_.Add({{"namespace", ns}, {"pool", pool}}).Set(waiting);
}

void SandboxMetrics::RemovePool(const std::string& ns, const std::string& pool) {
  for (const char* state : {"total", "available", "allocated"}) {
    auto labels =
        std::map<std::string, std::string>{{"namespace", ns}, {"pool", pool}, {"state", state}};
    if (pool_pods_.Has(labels)) pool_pods_.Remove(&pool_pods_.Add(labels));
  }
  std::map<std::string, std::string> labels{{"namespace", ns}, {"pool", pool}};
  if (claims_waiting_.Has(labels)) claims_waiting_.Remove(&claims_waiting_.Add(labels));
}

void SandboxMetrics::DeliveryPending(const std::string& uid) {
  std::lock_guard lock(mu_);
  pending_since_.try_emplace(uid, clock_.Now());
}

void SandboxMetrics::DeliveryDone(const std::string& uid) {
  Clock::TimePoint since;
  {
    std::lock_guard lock(mu_);
    auto it = pending_since_.find(uid);
    if (it == pending_since_.end()) return;
    since = it->second;
    pending_since_.erase(it);
  }
  allocation_latency_.Observe(std::chrono::duration<double>(clock_.Now() - since).count());
}

void SandboxMetrics::DeliveryAbandoned(const std::string& uid) {
  std::lock_guard lock(mu_);
  pending_since_.erase(uid);
}

void SandboxMetrics::CountWrite(const std::string& verb, const std::string& resource) {
  prometheus::Counter* counter = nullptr;
  {
    std::lock_guard lock(mu_);
    auto& slot = write_counters_[{verb, resource}];
    if (slot == nullptr) slot = &writes_.Add({{"verb", verb}, {"resource", resource}});
    counter = slot;
  }
  counter->Increment();
}

double SandboxMetrics::Writes(const std::string& verb, const std::string& resource) const {
  std::lock_guard lock(mu_);
  double total = 0;
  for (const auto& [key, counter] : write_counters_) {
    if ((verb.empty() || key.first == verb) && (resource.empty() || key.second == resource)) {
      total += counter->Value();
    }
  }
  return total;
}

std::unique_ptr<ApiClient> CountingApiClient(ApiClient& inner, SandboxMetrics& metrics) {
  return std::make_unique<CountingClient>(inner, metrics);
}

}  // namespace osbx::controller
