#pragma once
// Kubernetes timestamp encodings used by leases and events: metav1.Time (RFC 3339, UTC, whole
// seconds) and metav1.MicroTime (exactly six fraction digits).

#include <string>
#include <string_view>

#include "internal/utils/clock.h"
#include "internal/utils/status.h"

namespace osbx::kube {

// "2026-11-29T18:04:28Z".
std::string FormatTime(Clock::WallTime t);
// "2026-11-29T18:04:28.123456Z".
std::string FormatMicroTime(Clock::WallTime t);
// Accepts MicroTime and plain RFC 3339 seconds in UTC; finer fractions are truncated.
StatusOr<Clock::WallTime> ParseMicroTime(std::string_view text);

}  // namespace osbx::kube
