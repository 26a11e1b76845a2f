#include "pkg/kube/meta/conditions.h"

namespace osbx::kube {
namespace {

std::string StringField(const Json& json, const char* key) {
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Json* FindConditionJson(Json& conditions, std::string_view type) {
  if (!conditions.is_array()) return nullptr;
  for (Json& c : conditions) {
    if (c.is_object() && StringField(c, "type") == type) return &c;
  }
  return nullptr;
}

// Updates one string field; returns whether it changed.
bool SetField(Json& target, const char* key, const std::string& value) {
  if (StringField(target, key) == value) return false;
  target[key] = value;
  return true;
}

}  // namespace

Json Condition::ToJson() const {
  Json j = Json::object();
  j["type"] = type;
  j["status"] = status;
  if (observed_generation != 0) j["observedGeneration"] = observed_generation;
  if (last_transition_time) j["lastTransitionTime"] = FormatTime(*last_transition_time);
  j["reason"] = reason;
  j["message"] = message;
  return j;
}

Condition Condition::FromJson(const Json& json) {
  Condition c;
  if (!json.is_object()) return c;
  c.type = StringField(json, "type");
  c.status = StringField(json, "status");
  c.reason = StringField(json, "reason");
  c.message = StringField(json, "message");
  auto gen = json.find("observedGeneration");
  if (gen != json.end() && gen->is_number_integer()) c.observed_generation = gen->get<int64_t>();
  std::string ltt = StringField(json, "lastTransitionTime");
  if (!ltt.empty()) {
    StatusOr<Time> t = ParseTime(ltt);
    if (t.ok()) c.last_transition_time = *t;
  }
  return c;
}

std::optional<Condition> FindCondition(const Json& conditions, std::string_view type) {
  if (!conditions.is_array()) return std::nullopt;
  for (const Json& c : conditions) {
    if (c.is_object() && StringField(c, "type") == type) return Condition::FromJson(c);
  }
  return std::nullopt;
}

bool SetCondition(Json& conditions, const Condition& condition, Time now) {
  if (!conditions.is_array()) conditions = Json::array();
  Json* existing = FindConditionJson(conditions, condition.type);
  if (existing == nullptr) {
    Condition added = condition;
    if (!added.last_transition_time) added.last_transition_time = now;
    conditions.push_back(added.ToJson());
    return true;
  }
  bool changed = false;
  if (StringField(*existing, "status") != condition.status) {
    (*existing)["status"] = condition.status;
    (*existing)["lastTransitionTime"] = FormatTime(condition.last_transition_time.value_or(now));
    changed = true;
  }
  changed |= SetField(*existing, "reason", condition.reason);
  changed |= SetField(*existing, "message", condition.message);
  auto gen = existing->find("observedGeneration");
  int64_t old_gen = gen != existing->end() && gen->is_number_integer() ? gen->get<int64_t>() : 0;
  if (old_gen != condition.observed_generation) {
    if (condition.observed_generation == 0) {
      existing->erase("observedGeneration");
    } else {
      (*existing)["observedGeneration"] = condition.observed_generation;
    }
    changed = true;
  }
  return changed;
}

bool RemoveCondition(Json& conditions, std::string_view type) {
  if (!conditions.is_array()) return false;
  for (auto it = conditions.begin(); it != conditions.end(); ++it) {
    if (it->is_object() && StringField(*it, "type") == type) {
      conditions.erase(it);
      return true;
    }
  }
  return false;
}

bool IsConditionTrue(const Json& conditions, std::string_view type) {
  std::optional<Condition> c = FindCondition(conditions, type);
  return c && c->status == kConditionTrue;
}

std::optional<Condition> FindObjectCondition(const Json& object, std::string_view type) {
  if (!object.is_object()) return std::nullopt;
  auto status = object.find("status");
  if (status == object.end() || !status->is_object()) return std::nullopt;
  auto conditions = status->find("conditions");
  if (conditions == status->end()) return std::nullopt;
  return FindCondition(*conditions, type);
}

bool SetObjectCondition(Json& object, const Condition& condition, Time now) {
  if (!object.is_object()) object = Json::object();
  Json& status = object["status"];
  if (!status.is_object()) status = Json::object();
  return SetCondition(status["conditions"], condition, now);
}

bool RemoveObjectCondition(Json& object, std::string_view type) {
  if (!object.is_object()) return false;
  auto status = object.find("status");
  if (status == object.end() || !status->is_object()) return false;
  auto conditions = status->find("conditions");
  if (conditions == status->end()) return false;
  return RemoveCondition(*conditions, type);
}

}  // namespace osbx::kube
