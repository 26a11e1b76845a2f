#pragma once
// Condition list helpers for BatchSandbox and Pool status (the list is keyed by `type`).
//
// Unlike the original controller, setting a condition to False keeps it in the list (a recovered
// sandbox reports Ready=False -> True, never a vanished condition), and lastTransitionTime moves
// only when the status itself changes, so an unchanged condition never causes a status write.

#include <string_view>
#include <vector>

#include "api/v1alpha1/types_generated.h"

namespace osbx::api::v1alpha1 {

// The condition of `type`, or nullptr.
const Condition* FindCondition(const std::vector<Condition>& conditions, std::string_view type);

// True when the condition of `type` exists with status "True".
bool IsConditionTrue(const std::vector<Condition>& conditions, std::string_view type);

// Adds or updates the condition of `condition.type`. `now` (RFC 3339) becomes its
// lastTransitionTime when it is new or its status changed; otherwise the old time is kept.
// Returns true when the list changed.
bool SetCondition(std::vector<Condition>& conditions, Condition condition, std::string_view now);

// Removes the condition of `type`; returns true when there was one.
bool RemoveCondition(std::vector<Condition>& conditions, std::string_view type);

}  // namespace osbx::api::v1alpha1
