#include "internal/utils/clock.h"

namespace osbx {

const Clock& RealClock::Get() {
  static const RealClock kClock;
  return kClock;
}

FakeClock::FakeClock()
    // An arbitrary but fixed origin keeps test output reproducible.
    : mono_ticks_(std::chrono::duration_cast<Duration>(std::chrono::hours(1000)).count()),
      wall_ticks_(
          std::chrono::duration_cast<WallTime::duration>(std::chrono::seconds(1'800'000'000))
              .count()) {}

Clock::TimePoint FakeClock::Now() const { return TimePoint(Duration(mono_ticks_.load())); }

Clock::WallTime FakeClock::WallNow() const {
  return WallTime(WallTime::duration(wall_ticks_.load()));
}

void FakeClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          TimePoint deadline) const {
  if (Now() >= deadline) return;
  cv.wait_for(lock, std::chrono::milliseconds(1));
}

void FakeClock::Advance(Duration d) {
  mono_ticks_.fetch_add(d.count());
  wall_ticks_.fetch_add(std::chrono::duration_cast<WallTime::duration>(d).count());
}

void FakeClock::SetWall(WallTime t) { wall_ticks_.store(t.time_since_epoch().count()); }

}  // namespace osbx
