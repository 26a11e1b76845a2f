#include "pkg/kube/runtime/leader_election.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "internal/utils/log.h"

namespace osbx::kube {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

std::string Secs(Clock::Duration d) {
  return fmt::format("{:.3f}s", std::chrono::duration<double>(d).count());
}

}  // namespace

Status ValidateLeaderElectionConfig(const LeaderElectionConfig& c) {
  if (c.lease_name.empty() || c.lease_namespace.empty()) {
    return InvalidError("leader election needs a lease name and namespace");
  }
  if (c.identity.empty()) return InvalidError("leader election needs a non-empty identity");
  if (c.retry_period <= Clock::Duration::zero() || c.renew_deadline <= Clock::Duration::zero() ||
      c.lease_duration < seconds(1)) {
    return InvalidError("leader election durations must be positive (lease at least 1s)");
  }
  if (c.lease_duration <= c.renew_deadline) {
    return InvalidError(fmt::format("leaseDuration ({}) must be greater than renewDeadline ({})",
                                    Secs(c.lease_duration), Secs(c.renew_deadline)));
  }
  auto jittered = std::chrono::duration<double>(c.retry_period) * kLeaderElectionJitterFactor;
  if (std::chrono::duration<double>(c.renew_deadline) <= jittered) {
    return InvalidError(fmt::format("renewDeadline ({}) must be greater than {} x retryPeriod ({})",
                                    Secs(c.renew_deadline), kLeaderElectionJitterFactor,
                                    Secs(c.retry_period)));
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<LeaderElector>> LeaderElector::Create(LeaderElectionConfig config,
                                                               LeaseClient& client,
                                                               const Clock& clock,
                                                               LeaderCallbacks callbacks) {
  OSBX_RETURN_IF_ERROR(ValidateLeaderElectionConfig(config));
  return std::unique_ptr<LeaderElector>(
      new LeaderElector(std::move(config), client, clock, std::move(callbacks)));
}

LeaderElector::LeaderElector(LeaderElectionConfig config, LeaseClient& client, const Clock& clock,
                             LeaderCallbacks callbacks)
    : config_(std::move(config)),
      client_(client),
      clock_(clock),
      callbacks_(std::move(callbacks)) {}

Status LeaderElector::Run() {
  if (!Acquire()) return Status::Ok();
  leading_ = true;
  OSBX_LOG_INFO("acquired lease", {"lease", config_.lease_namespace + "/" + config_.lease_name},
                {"identity", config_.identity});
  if (callbacks_.on_started_leading) callbacks_.on_started_leading();
  Status status = RenewLoop();
  leading_ = false;
  if (status.ok() && config_.release_on_cancel) Release();
  if (!status.ok()) {
    OSBX_LOG_ERROR("lost lease", {"lease", config_.lease_name}, {"error", status.ToString()});
  }
  if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
  return status;
}

void LeaderElector::Stop() {
  MutexLock lock(mu_);
  stopped_ = true;
  cv_.notify_all();
}

std::string LeaderElector::ObservedLeader() const {
  MutexLock lock(mu_);
  return observed_leader_;
}

bool LeaderElector::Acquire() {
  OSBX_LOG_INFO("attempting to acquire lease",
                {"lease", config_.lease_namespace + "/" + config_.lease_name});
  while (true) {
    if (TryAcquireOrRenew()) return true;
    if (!WaitUntil(clock_.Now() + JitteredRetry())) return false;
  }
}

Status LeaderElector::RenewLoop() {
  Clock::TimePoint last_renew = clock_.Now();
  while (true) {
    if (!WaitUntil(clock_.Now() + config_.retry_period)) return Status::Ok();
    const Clock::TimePoint deadline = last_renew + config_.renew_deadline;
    while (true) {
      const Clock::TimePoint attempt = clock_.Now();
      if (attempt >= deadline) {
        return UnavailableError("failed to renew lease " + config_.lease_name +
                                " within the renew deadline");
      }
      if (TryAcquireOrRenew()) {
        last_renew = attempt;
        break;
      }
      if (observed_record_ && !observed_record_->holder_identity.empty() &&
          observed_record_->holder_identity != config_.identity) {
        return UnavailableError("lease " + config_.lease_name + " taken over by " +
                                observed_record_->holder_identity);
      }
      if (!WaitUntil(std::min(clock_.Now() + config_.retry_period, deadline))) {
        return Status::Ok();
      }
    }
  }
}

bool LeaderElector::TryAcquireOrRenew() {
  const Clock::TimePoint now = clock_.Now();
  const Clock::WallTime wall = clock_.WallNow();
  LeaseRecord desired{
      .holder_identity = config_.identity,
      .lease_duration_seconds =
          static_cast<int>(duration_cast<seconds>(config_.lease_duration).count()),
      .acquire_time = wall,
      .renew_time = wall,
      .lease_transitions = 0,
  };
  auto current = client_.Get(config_.lease_namespace, config_.lease_name);
  if (!current.ok()) {
    if (!current.status().IsNotFound()) {
      OSBX_LOG_WARN("reading lease failed", {"error", current.status().ToString()});
      return false;
    }
    auto created = client_.Create(config_.lease_namespace,
                                  NewLease(config_.lease_namespace, config_.lease_name, desired));
    if (!created.ok()) return false;  // another candidate created it first
    Observe(desired, std::move(created).value());
    return true;
  }
  auto record = DecodeLeaseRecord(*current);
  if (!record.ok()) {
    OSBX_LOG_WARN("lease is malformed", {"error", record.status().ToString()});
    return false;
  }
  if (!observed_record_ || *observed_record_ != *record) {
    Observe(*record, *current);
  } else {
    observed_raw_ = *current;
  }
  if (HeldByOtherAndValid(now)) return false;
  if (record->holder_identity == config_.identity) {
    desired.acquire_time = record->acquire_time;
    desired.lease_transitions = record->lease_transitions;
  } else {
    desired.lease_transitions = record->lease_transitions + 1;
  }
  Json updated = std::move(current).value();
  EncodeLeaseRecord(desired, updated);
  auto written = client_.Update(config_.lease_namespace, updated);
  if (!written.ok()) {
    if (log::V(2)) OSBX_LOG_INFO("lease update failed", {"error", written.status().ToString()});
    return false;  // a Conflict means another candidate wrote first
  }
  Observe(desired, std::move(written).value());
  return true;
}

void LeaderElector::Release() {
  if (!observed_record_ || observed_record_->holder_identity != config_.identity) return;
  const Clock::WallTime wall = clock_.WallNow();
  LeaseRecord released{.holder_identity = "",
                       .lease_duration_seconds = 1,
                       .acquire_time = wall,
                       .renew_time = wall,
                       .lease_transitions = observed_record_->lease_transitions};
  Json updated = observed_raw_;
  EncodeLeaseRecord(released, updated);
  auto written = client_.Update(config_.lease_namespace, updated);
  if (!written.ok()) {
    OSBX_LOG_WARN("releasing lease failed", {"error", written.status().ToString()});
    return;
  }
  Observe(released, std::move(written).value());
}

bool LeaderElector::WaitUntil(Clock::TimePoint deadline) {
  MutexLock lock(mu_);
  while (!stopped_ && clock_.Now() < deadline) clock_.WaitUntil(cv_, lock.lock(), deadline);
  return !stopped_;
}

Clock::Duration LeaderElector::JitteredRetry() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto extra = std::chrono::duration<double>(config_.retry_period) * kLeaderElectionJitterFactor *
               unit(rng_);
  return config_.retry_period + duration_cast<Clock::Duration>(extra);
}

void LeaderElector::Observe(const LeaseRecord& record, Json raw) {
  observed_record_ = record;
  observed_raw_ = std::move(raw);
  observed_time_ = clock_.Now();
  bool changed = false;
  {
    MutexLock lock(mu_);
    if (observed_leader_ != record.holder_identity) {
      observed_leader_ = record.holder_identity;
      changed = true;
    }
  }
  if (changed && callbacks_.on_new_leader) callbacks_.on_new_leader(record.holder_identity);
}

bool LeaderElector::HeldByOtherAndValid(Clock::TimePoint now) const {
  if (!observed_record_) return false;
  const auto& holder = observed_record_->holder_identity;
  if (holder.empty() || holder == config_.identity) return false;
  return observed_time_ + seconds(observed_record_->lease_duration_seconds) > now;
}

}  // namespace osbx::kube
