#include "internal/standalone/node/faults.h"

#include <charconv>
#include <chrono>
#include <cmath>

#include "pkg/kube/meta/object.h"

namespace osbx::standalone {
namespace {

std::string_view Annotation(const Json& obj, std::string_view key) {
  return kube::GetAnnotation(obj, key).value_or(std::string_view());
}

std::optional<int> ParseNonNegative(std::string_view text) {
  int value = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// Nanoseconds in one unit of a Go duration, or 0 for an unknown unit.
double UnitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  if (unit == "m") return 60e9;
  if (unit == "h") return 3600e9;
  return 0;
}

bool IsNumberChar(char c) { return (c >= '0' && c <= '9') || c == '.'; }

}  // namespace

std::optional<Clock::Duration> ParseDuration(std::string_view text) {
  if (text == "0") return Clock::Duration::zero();
  if (text.empty()) return std::nullopt;
  double nanos = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && IsNumberChar(text[i])) ++i;
    if (i == start) return std::nullopt;
    double number = 0;
    auto [end, err] = std::from_chars(text.data() + start, text.data() + i, number);
    if (err != std::errc() || end != text.data() + i) return std::nullopt;
    size_t unit_start = i;
    while (i < text.size() && !IsNumberChar(text[i])) ++i;
    double unit = UnitNanos(text.substr(unit_start, i - unit_start));
    if (unit == 0) return std::nullopt;
    nanos += number * unit;
  }
  if (!std::isfinite(nanos) || nanos > 1e18) return std::nullopt;
  return std::chrono::duration_cast<Clock::Duration>(
      std::chrono::nanoseconds(static_cast<int64_t>(nanos)));
}

bool ImageFailsToPull(std::string_view image) {
  return image.find(kPullErrorImageMarker) != std::string_view::npos;
}

PodFaults ParseFaults(const Json& pod) {
  PodFaults faults;
  faults.not_ready = Annotation(pod, kReadyAnnotation) == "false";
  faults.oom_kills = ParseNonNegative(Annotation(pod, kOomKillsAnnotation)).value_or(0);
  faults.crash_loop = Annotation(pod, kCrashLoopAnnotation) == "true";
  std::string_view pull = Annotation(pod, kImagePullAnnotation);
  if (pull == "ErrImagePull" || pull == "ImagePullBackOff") faults.image_pull_reason = pull;
  std::string_view loss = Annotation(pod, kLostAnnotation);
  if (loss == "Failed") faults.loss = PodLoss::kFailed;
  if (loss == "Deleted") faults.loss = PodLoss::kDeleted;
  auto delay = kube::GetAnnotation(pod, kStartupDelayAnnotation);
  if (delay) faults.startup_delay = ParseDuration(*delay);
  return faults;
}

bool NodeLostRequested(const Json& node) { return Annotation(node, kNodeLostAnnotation) == "true"; }

}  // namespace osbx::standalone
