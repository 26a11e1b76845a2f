#pragma once
// status.conditions in the metav1.Condition shape ({type, status, observedGeneration,
// lastTransitionTime, reason, message}). Setting a condition reports whether anything changed, so
// a controller writes status only when it did; lastTransitionTime moves only when status changes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "internal/utils/json.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::kube {

inline constexpr std::string_view kConditionTrue = "True";
inline constexpr std::string_view kConditionFalse = "False";
inline constexpr std::string_view kConditionUnknown = "Unknown";

struct Condition {
  std::string type;
  std::string status;  // "True", "False" or "Unknown"
  std::string reason;
  std::string message;
  int64_t observed_generation = 0;  // omitted from JSON when 0
  // Unset means "now" when the condition is added or its status changes.
  std::optional<Time> last_transition_time;

  Json ToJson() const;
  // Reads a condition; missing or mistyped fields read as empty.
  static Condition FromJson(const Json& json);
};

// The condition of `type` in a conditions array (or null), if present.
std::optional<Condition> FindCondition(const Json& conditions, std::string_view type);
// Adds or updates the condition of `condition.type` in `conditions` (null becomes an array).
// Returns true when anything changed. lastTransitionTime is set (to the given time or `now`)
// only when the condition is new or its status changed.
bool SetCondition(Json& conditions, const Condition& condition, Time now);
// Removes the condition of `type`; returns true when there was one.
bool RemoveCondition(Json& conditions, std::string_view type);
bool IsConditionTrue(const Json& conditions, std::string_view type);

// The same operations on an object's status.conditions.
std::optional<Condition> FindObjectCondition(const Json& object, std::string_view type);
bool SetObjectCondition(Json& object, const Condition& condition, Time now);
bool RemoveObjectCondition(Json& object, std::string_view type);

}  // namespace osbx::kube
