#include "pkg/kube/cache/transform.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace osbx::kube {
namespace {

constexpr std::string_view kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

// The members of `obj` when it is a JSON object, else nullptr. Working on the underlying map
// (rather than json iterators) keeps GCC's -O3 null-dereference analysis quiet.
Json::object_t* Members(Json& obj) { return obj.get_ptr<Json::object_t*>(); }

Json* Child(Json& obj, std::string_view key) {
  Json::object_t* members = Members(obj);
  if (members == nullptr) return nullptr;
  auto it = members->find(key);
  return it == members->end() ? nullptr : &it->second;
}

// Keeps only the listed keys of `obj` (when it is an object).
void KeepOnly(Json& obj, std::initializer_list<std::string_view> keys) {
  Json::object_t* members = Members(obj);
  if (members == nullptr) return;
  std::erase_if(*members, [&](const auto& member) {
    return std::find(keys.begin(), keys.end(), member.first) == keys.end();
  });
}

// Applies KeepOnly to every element of obj[field] (when it is an array).
void KeepOnlyInEach(Json& obj, std::string_view field,
                    std::initializer_list<std::string_view> keys) {
  Json* list = Child(obj, field);
  Json::array_t* elements = list != nullptr ? list->get_ptr<Json::array_t*>() : nullptr;
  if (elements == nullptr) return;
  for (Json& element : *elements) KeepOnly(element, keys);
}

// Keeps state.waiting.reason and state.terminated.{reason,exitCode}; drops state.running (the
// pod phase says as much) and the state itself when nothing is left.
void TrimContainerState(Json& container_status) {
  Json* state = Child(container_status, "state");
  if (state == nullptr) return;
  KeepOnly(*state, {"waiting", "terminated"});
  if (Json* waiting = Child(*state, "waiting")) KeepOnly(*waiting, {"reason"});
  if (Json* terminated = Child(*state, "terminated")) KeepOnly(*terminated, {"reason", "exitCode"});
  if (Members(*state) != nullptr && Members(*state)->empty()) {
    Members(container_status)->erase("state");
  }
}

// Keeps only the Ready condition (type, status, lastTransitionTime).
void TrimConditions(Json& status) {
  Json* conditions = Child(status, "conditions");
  Json::array_t* items = conditions != nullptr ? conditions->get_ptr<Json::array_t*>() : nullptr;
  if (items == nullptr) return;
  std::erase_if(*items, [](const Json& c) {
    const Json::object_t* m = c.get_ptr<const Json::object_t*>();
    if (m == nullptr) return true;
    auto type = m->find("type");
    return type == m->end() || type->second != "Ready";
  });
  for (Json& c : *items) KeepOnly(c, {"type", "status", "lastTransitionTime"});
}

}  // namespace

void StripManagedFields(Json& obj) {
  Json* meta = Child(obj, "metadata");
  Json::object_t* members = meta != nullptr ? Members(*meta) : nullptr;
  if (members != nullptr) members->erase("managedFields");
}

void TrimPodForCache(Json& pod) {
  KeepOnly(pod, {"metadata", "spec", "status"});
  StripManagedFields(pod);
  Json* meta = Child(pod, "metadata");
  if (Json* annotations = meta != nullptr ? Child(*meta, "annotations") : nullptr) {
    Json::object_t* members = Members(*annotations);
    if (members != nullptr) {
      members->erase(std::string(kLastApplied));
      if (members->empty()) Members(*meta)->erase("annotations");
    }
  }
  if (Json* spec = Child(pod, "spec")) KeepOnly(*spec, {"nodeName"});
  if (Json* status = Child(pod, "status")) {
    KeepOnly(*status, {"phase", "podIP", "conditions", "containerStatuses"});
    TrimConditions(*status);
    KeepOnlyInEach(*status, "containerStatuses", {"name", "restartCount", "state"});
    Json* statuses = Child(*status, "containerStatuses");
    Json::array_t* elements = statuses != nullptr ? statuses->get_ptr<Json::array_t*>() : nullptr;
    if (elements != nullptr) {
      for (Json& c : *elements) TrimContainerState(c);
    }
  }
}

}  // namespace osbx::kube
