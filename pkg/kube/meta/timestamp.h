#pragma once
// Timestamps of the Kubernetes API. `Time` fields (creationTimestamp, deletionTimestamp,
// lastTransitionTime) are RFC 3339 in UTC with second precision ("2026-11-29T18:04:28Z");
// `MicroTime` fields (a Lease's renewTime, an Event's eventTime) carry exactly six fraction digits
// ("2026-11-29T18:00:01.500000Z"). Parsing follows Go's time.Parse for the same layouts, errors
// included, because kube-apiserver reports them verbatim.

#include <chrono>
#include <string>
#include <string_view>

#include "internal/utils/status.h"

namespace osbx::kube {

using Time = std::chrono::system_clock::time_point;

// "2006-01-02T15:04:05Z": UTC, fraction truncated.
std::string FormatTime(Time t);
// "2006-01-02T15:04:05.000000Z": UTC, microseconds.
std::string FormatMicroTime(Time t);

// Parses RFC 3339 as metav1.Time does: a numeric offset or "Z", optional fraction of a second.
// Errors are kBadRequest reading like Go's (`parsing time "x" as "2006-01-02T15:04:05Z07:00":
// cannot parse "x" as "2006"`).
[[nodiscard]] StatusOr<Time> ParseTime(std::string_view text);
// Parses as metav1.MicroTime does: exactly six fraction digits are required.
[[nodiscard]] StatusOr<Time> ParseMicroTime(std::string_view text);

// Truncates to whole seconds, the precision a Time field keeps once written.
Time TruncateToSeconds(Time t);

}  // namespace osbx::kube
