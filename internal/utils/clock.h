#pragma once
// Clock: the one source of time for everything that waits or expires (work queue delays, TTLs,
// leases, timeouts). Production code uses RealClock; tests use FakeClock and advance time by hand,
// so no test sleeps to let time pass.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace osbx {

class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;
  // Monotonic time, for deadlines and durations.
  virtual TimePoint Now() const = 0;
  // Wall-clock time, for timestamps written into objects (creationTimestamp, expireTime).
  virtual WallTime WallNow() const = 0;
  // Blocks on `cv` (whose mutex `lock` holds) until it is notified or Now() >= deadline.
  // Spurious returns are allowed: callers re-check their condition in a loop.
  virtual void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         TimePoint deadline) const = 0;
};

// The process clock.
class RealClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline) const override {
    cv.wait_until(lock, deadline);
  }
  // A shared instance for code that has no injected clock.
  static const Clock& Get();
};

// Simulated time: starts at a fixed point and moves only through Advance()/SetWall().
// WaitUntil returns at the latest one real millisecond after it was called, so waiters re-check
// the simulated time promptly after Advance(); a waiter therefore never needs real time to pass
// for simulated time to move.
class FakeClock final : public Clock {
 public:
  FakeClock();
  TimePoint Now() const override;
  WallTime WallNow() const override;
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline) const override;

  void Advance(Duration d);
  void SetWall(WallTime t);

 private:
  std::atomic<TimePoint::rep> mono_ticks_;
  std::atomic<WallTime::rep> wall_ticks_;
};

}  // namespace osbx
