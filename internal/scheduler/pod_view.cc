#include "internal/scheduler/pod_view.h"

#include <charconv>
#include <string_view>

#include "api/v1alpha1/well_known.h"
#include "pkg/kube/meta/object.h"
#include "pkg/kube/meta/packed.h"

namespace osbx::scheduler {
namespace {

namespace v1 = ::osbx::api::v1alpha1;

const Json& Field(const Json& parent, std::string_view key) {
  static const Json kNull;
  if (!parent.is_object()) return kNull;
  auto it = parent.find(key);
  return it == parent.end() ? kNull : *it;
}

std::string StringField(const Json& parent, std::string_view key) {
  const Json& v = Field(parent, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

bool IsFailingReason(std::string_view reason) {
  for (const char* r : kFailingWaitingReasons) {
    if (reason == r) return true;
  }
  return false;
}

std::optional<int> ParseIndex(std::optional<std::string_view> text) {
  if (!text || text->empty()) return std::nullopt;
  int value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size() || value < 0) return std::nullopt;
  return value;
}

// Ready condition: status and its lastTransitionTime.
void ReadReadyCondition(const Json& status, bool* ready, std::optional<Time>* since) {
  const Json& conditions = Field(status, "conditions");
  if (!conditions.is_array()) return;
  for (const Json& c : conditions) {
    if (StringField(c, "type") != "Ready") continue;
    *ready = StringField(c, "status") == "True";
    StatusOr<Time> t = kube::ParseTime(StringField(c, "lastTransitionTime"));
    if (*ready && t.ok()) *since = *t;
  }
}

void ReadContainer(const Json& cs, PodView* view) {
  const Json& count = Field(cs, "restartCount");
  if (count.is_number_integer()) view->restarts += count.get<int>();
  const std::string name = StringField(cs, "name");
  const std::string waiting = StringField(Field(Field(cs, "state"), "waiting"), "reason");
  if (view->failing_reason.empty() && IsFailingReason(waiting)) {
    view->failing_reason = waiting;
    view->failing_container = name;
  }
  const std::string last = StringField(Field(Field(cs, "lastState"), "terminated"), "reason");
  if (!last.empty() && (view->last_termination_reason.empty() || last == "OOMKilled")) {
    view->last_termination_reason = last;
    view->last_termination_container = name;
  }
}

void ReadContainerStatuses(const Json& status, PodView* view) {
  for (const char* key : {"initContainerStatuses", "containerStatuses"}) {
    const Json& list = Field(status, key);
    if (!list.is_array()) continue;
    for (const Json& cs : list) ReadContainer(cs, view);
  }
}

}  // namespace

PodView FromPod(const Json& pod) {
  PodView view;
  view.name = std::string(kube::GetName(pod));
  view.uid = std::string(kube::GetUid(pod));
  view.terminating = kube::IsBeingDeleted(pod);
  view.created = kube::GetCreationTimestamp(pod);
  view.revision = std::string(kube::GetLabel(pod, v1::kPoolRevisionLabel).value_or(""));
  view.evict = kube::GetLabel(pod, v1::kEvictLabel).has_value();
  view.index = ParseIndex(kube::GetLabel(pod, v1::kPodIndexLabel));
  view.node_name = StringField(Field(pod, "spec"), "nodeName");
  Json unpacked;  // a cached pod keeps its status packed (internal/controller/setup.cc)
  const Json& status = kube::Unpacked(Field(pod, "status"), unpacked);
  view.phase = StringField(status, "phase");
  view.pod_ip = StringField(status, "podIP");
  view.node_lost = view.phase == "Unknown" || StringField(status, "reason") == "NodeLost";
  bool ready_condition = false;
  ReadReadyCondition(status, &ready_condition, &view.ready_since);
  view.ready = ready_condition && view.phase == "Running" && !view.terminating;
  if (!view.ready) view.ready_since.reset();
  ReadContainerStatuses(status, &view);
  return view;
}

std::vector<PodView> FromPods(const std::vector<Json>& pods) {
  std::vector<PodView> out;
  out.reserve(pods.size());
  for (const Json& p : pods) out.push_back(FromPod(p));
  return out;
}

}  // namespace osbx::scheduler
