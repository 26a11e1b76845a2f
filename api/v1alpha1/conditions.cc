#include "api/v1alpha1/conditions.h"

#include <algorithm>
#include <string>
#include <utility>

namespace osbx::api::v1alpha1 {

const Condition* FindCondition(const std::vector<Condition>& conditions, std::string_view type) {
  for (const auto& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

bool IsConditionTrue(const std::vector<Condition>& conditions, std::string_view type) {
  const Condition* c = FindCondition(conditions, type);
  return c != nullptr && c->status == kConditionStatusTrue;
}

bool SetCondition(std::vector<Condition>& conditions, Condition condition, std::string_view now) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& c) { return c.type == condition.type; });
  if (it == conditions.end()) {
    condition.last_transition_time = std::string(now);
    conditions.push_back(std::move(condition));
    return true;
  }
  condition.last_transition_time =
      it->status == condition.status ? it->last_transition_time : std::string(now);
  if (*it == condition) return false;
  *it = std::move(condition);
  return true;
}

bool RemoveCondition(std::vector<Condition>& conditions, std::string_view type) {
  auto it = std::remove_if(conditions.begin(), conditions.end(),
                           [&](const Condition& c) { return c.type == type; });
  if (it == conditions.end()) return false;
  conditions.erase(it, conditions.end());
  return true;
}

}  // namespace osbx::api::v1alpha1
