#pragma once
// SteppedClock (tests only): simulated time whose waiters announce the deadline they wait for,
// so a test can assert *when* a component plans to act next and then jump exactly there,
// without sleeping. Intended for components with a single clock waiter.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "internal/utils/clock.h"

namespace osbx::kube::testing {

class SteppedClock final : public Clock {
 public:
  TimePoint Now() const override { return fake_.Now(); }
  WallTime WallNow() const override { return fake_.WallNow(); }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline) const override {
    {
      std::lock_guard g(mu_);
      waiting_until_ = deadline;
      waiter_cv_.notify_all();
    }
    fake_.WaitUntil(cv, lock, deadline);
  }

  // How far in the future the next waiter's deadline is, once some thread waits for a future
  // deadline (bounded by 10 s of real time); nullopt after Finish() or on timeout.
  std::optional<Duration> NextWait() {
    std::unique_lock lock(mu_);
    waiter_cv_.wait_for(lock, std::chrono::seconds(10),
                        [&] { return finished_ || waiting_until_ > Now(); });
    if (finished_ || waiting_until_ <= Now()) return std::nullopt;
    return waiting_until_ - Now();
  }
  // Waits for a future deadline and jumps to it. False after Finish() or on timeout.
  bool AdvanceToNextDeadline() {
    auto wait = NextWait();
    if (wait) fake_.Advance(*wait);
    return wait.has_value();
  }
  void Advance(Duration d) { fake_.Advance(d); }
  // Tells NextWait() that no waiter will come any more.
  void Finish() {
    std::lock_guard g(mu_);
    finished_ = true;
    waiter_cv_.notify_all();
  }

 private:
  FakeClock fake_;
  mutable std::mutex mu_;
  mutable std::condition_variable waiter_cv_;
  mutable TimePoint waiting_until_{};  // guarded by mu_
  bool finished_ = false;              // guarded by mu_
};

}  // namespace osbx::kube::testing
