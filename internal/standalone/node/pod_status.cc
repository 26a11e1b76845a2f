#include "internal/standalone/node/pod_status.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

namespace osbx::standalone {
namespace {

using std::chrono::seconds;

const Json& Field(const Json& obj, const char* key) {
  static const Json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string StringField(const Json& obj, const char* key) {
  const Json& v = Field(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

int IntField(const Json& obj, const char* key) {
  const Json& v = Field(obj, key);
  return v.is_number_integer() ? v.get<int>() : 0;
}

// The status entry of container `name` in a containerStatuses array, or null.
const Json& FindStatus(const Json& statuses, std::string_view name) {
  static const Json kNull;
  if (!statuses.is_array()) return kNull;
  for (const Json& s : statuses) {
    if (s.is_object() && s.value("name", "") == name) return s;
  }
  return kNull;
}

// A stable, realistic-looking digest for an image name (the node pulls nothing).
std::string ImageId(const std::string& image) {
  if (image.find("@sha256:") != std::string::npos) return image;
  uint64_t h = 1469598103934665603ULL;
  std::string digest;
  for (int round = 0; round < 4; ++round) {
    for (char c : image) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    h = (h ^ static_cast<uint64_t>(round)) * 1099511628211ULL;
    digest += fmt::format("{:016x}", h);
  }
  return image + "@sha256:" + digest;
}

Json Running(const std::string& started_at) { return {{"running", {{"startedAt", started_at}}}}; }

Json Waiting(std::string_view reason, const std::string& message) {
  return {{"waiting", {{"reason", reason}, {"message", message}}}};
}

Json Terminated(int exit_code, std::string_view reason, const std::string& started_at,
                const std::string& finished_at) {
  // A container that never ran is reported as having started when it ended.
  return {{"terminated",
           {{"exitCode", exit_code},
            {"reason", reason},
            {"startedAt", started_at.empty() ? finished_at : started_at},
            {"finishedAt", finished_at}}}};
}

// Everything one container's status is computed from.
struct ContainerCtx {
  const Json& spec;
  const Json& current;  // its current status entry, or null
  bool first = false;
};

class StatusBuilder {
 public:
  StatusBuilder(const Json& pod, const PodFaults& faults, const PodStatusInputs& in)
      : pod_(pod), faults_(faults), in_(in), now_(kube::FormatTime(in.now)) {
    const Json& status = Field(pod, "status");
    status_ = status.is_object() ? status : Json::object();
    uid_ = StringField(Field(pod, "metadata"), "uid");
    started_ = PodStarted(pod);
  }

  Json Build() {
    const Json& spec = Field(pod_, "spec");
    Json statuses = Json::array();
    const Json& containers = Field(spec, "containers");
    if (containers.is_array()) {
      for (size_t i = 0; i < containers.size(); ++i) {
        ContainerCtx ctx{
            containers[i],
            FindStatus(Field(status_, "containerStatuses"), StringField(containers[i], "name")),
            i == 0};
        statuses.push_back(Container(ctx));
      }
    }
    BuildInitContainers(Field(spec, "initContainers"));
    status_["containerStatuses"] = std::move(statuses);
    status_["phase"] = Phase();
    BuildConditions();
    BuildAddresses();
    if (faults_.loss == PodLoss::kFailed) {
      status_["reason"] = "NodeLost";
      status_["message"] = "The simulated node lost this pod";
    }
    return std::move(status_);
  }

 private:
  bool PullFails(const Json& spec) const {
    return !faults_.image_pull_reason.empty() || ImageFailsToPull(StringField(spec, "image"));
  }
  std::string PullReason() const {
    return faults_.image_pull_reason.empty() ? "ImagePullBackOff" : faults_.image_pull_reason;
  }

  Json Container(const ContainerCtx& c) {
    std::string name = StringField(c.spec, "name");
    std::string image = StringField(c.spec, "image");
    Json out = {{"name", name},
                {"image", image},
                {"imageID", ImageId(image)},
                {"containerID", SimContainerId(uid_, name)}};
    int restarts = IntField(c.current, "restartCount");
    Json last = Field(c.current, "lastState");
    if (!last.is_object()) last = Json::object();
    const Json& state = Field(c.current, "state");
    std::string running_since = StringField(Field(state, "running"), "startedAt");
    bool ready = false;
    Json next_state;
    if (faults_.loss == PodLoss::kFailed || in_.terminating) {
      bool failed = faults_.loss == PodLoss::kFailed;
      next_state =
          state.contains("terminated")
              ? state
              : Terminated(failed ? 137 : 0, failed ? "Error" : "Completed", running_since, now_);
    } else if (!started_ && PullFails(c.spec)) {
      std::string reason = PullReason();
      waiting_for_image_ = true;
      next_state = Waiting(reason, fmt::format("Back-off pulling image \"{}\"", image));
      if (reason == "ErrImagePull") {
        next_state = Waiting(reason, fmt::format("failed to pull image \"{}\"", image));
      }
    } else if (faults_.crash_loop) {
      next_state = CrashLoop(state, running_since, name, restarts, last);
    } else {
      next_state = running_since.empty() ? Running(now_) : state;
      if (c.first && in_.new_oom_kills > 0) {
        restarts += in_.new_oom_kills;
        last = Terminated(137, "OOMKilled", running_since, now_);
        next_state = Running(now_);
      }
      ready = !faults_.not_ready;
    }
    bool running = next_state.contains("running");
    if (!ready) unready_.push_back(name);
    out["ready"] = ready;
    out["started"] = running;
    out["restartCount"] = restarts;
    out["state"] = std::move(next_state);
    out["lastState"] = std::move(last);
    return out;
  }

  Json CrashLoop(const Json& state, const std::string& running_since, const std::string& name,
                 int& restarts, Json& last) {
    const Json& waiting = Field(state, "waiting");
    bool backing_off = StringField(waiting, "reason") == "CrashLoopBackOff";
    if (backing_off && !in_.crash_restart_due) return state;
    std::string started = backing_off ? now_ : running_since;
    ++restarts;
    last = Terminated(1, "Error", started, now_);
    auto backoff = std::chrono::duration_cast<seconds>(CrashLoopBackOff(restarts)).count();
    return Waiting("CrashLoopBackOff",
                   fmt::format("back-off {}s restarting failed container={} pod={}_{}({})", backoff,
                               name, StringField(Field(pod_, "metadata"), "name"),
                               StringField(Field(pod_, "metadata"), "namespace"), uid_));
  }

  void BuildInitContainers(const Json& inits) {
    if (!inits.is_array() || inits.empty()) return;
    Json statuses = Json::array();
    for (const Json& spec : inits) {
      std::string name = StringField(spec, "name");
      std::string image = StringField(spec, "image");
      const Json& current = FindStatus(Field(status_, "initContainerStatuses"), name);
      const Json& state = Field(current, "state");
      Json done = state.contains("terminated") ? state : Terminated(0, "Completed", "", now_);
      statuses.push_back({{"name", name},
                          {"image", image},
                          {"imageID", ImageId(image)},
                          {"containerID", SimContainerId(uid_, name)},
                          {"ready", true},
                          {"started", false},
                          {"restartCount", IntField(current, "restartCount")},
                          {"state", std::move(done)},
                          {"lastState", Json::object()}});
    }
    status_["initContainerStatuses"] = std::move(statuses);
  }

  std::string Phase() const {
    if (faults_.loss == PodLoss::kFailed) return "Failed";
    if (in_.terminating) return "Succeeded";
    if (waiting_for_image_) return "Pending";
    return "Running";
  }

  // Sets condition `type` in `out`, keeping lastTransitionTime when the status is unchanged.
  void AddCondition(Json& out, std::string_view type, bool value, std::string_view reason = {},
                    const std::string& message = {}) const {
    std::string status = value ? "True" : "False";
    Json cond = {{"type", type}, {"status", status}};
    std::string since = now_;
    const Json& conds = Field(status_, "conditions");
    if (conds.is_array()) {
      for (const Json& c : conds) {
        if (c.is_object() && c.value("type", "") == type && c.value("status", "") == status) {
          since = StringField(c, "lastTransitionTime");
        }
      }
    }
    cond["lastTransitionTime"] = since.empty() ? now_ : since;
    if (!value && !reason.empty()) cond["reason"] = reason;
    if (!value && !message.empty()) cond["message"] = message;
    out.push_back(std::move(cond));
  }

  void BuildConditions() {
    static constexpr std::array<std::string_view, 5> kOwned = {
        "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"};
    bool ended = faults_.loss == PodLoss::kFailed || in_.terminating;
    std::string_view ended_reason = faults_.loss == PodLoss::kFailed ? "PodFailed" : "PodCompleted";
    std::string unready =
        fmt::format("containers with unready status: [{}]", fmt::join(unready_, " "));
    bool containers_ready = unready_.empty();
    std::string_view reason = ended ? ended_reason : "ContainersNotReady";
    Json out = Json::array();
    AddCondition(out, "PodReadyToStartContainers", !ended);
    AddCondition(out, "Initialized", true);
    if (in_.node_lost && !ended) {
      AddCondition(out, "Ready", false, "NodeLost", "The simulated node is lost");
    } else {
      AddCondition(out, "Ready", containers_ready, reason, ended ? "" : unready);
    }
    AddCondition(out, "ContainersReady", containers_ready, reason, ended ? "" : unready);
    AddCondition(out, "PodScheduled", true);
    const Json& conds = Field(status_, "conditions");
    if (conds.is_array()) {
      for (const Json& c : conds) {
        std::string type = StringField(c, "type");
        if (std::find(kOwned.begin(), kOwned.end(), type) == kOwned.end()) out.push_back(c);
      }
    }
    status_["conditions"] = std::move(out);
  }

  void BuildAddresses() {
    status_["hostIP"] = in_.host_ip;
    status_["hostIPs"] = Json::array({{{"ip", in_.host_ip}}});
    if (!in_.pod_ip.empty()) {
      status_["podIP"] = in_.pod_ip;
      status_["podIPs"] = Json::array({{{"ip", in_.pod_ip}}});
    }
    if (!Field(status_, "startTime").is_string()) status_["startTime"] = now_;
  }

  const Json& pod_;
  const PodFaults& faults_;
  const PodStatusInputs& in_;
  const std::string now_;
  Json status_;
  std::string uid_;
  bool started_ = false;
  bool waiting_for_image_ = false;
  std::vector<std::string> unready_;  // names of containers that are not ready
};

}  // namespace

Json DesiredPodStatus(const Json& pod, const PodFaults& faults, const PodStatusInputs& in) {
  return StatusBuilder(pod, faults, in).Build();
}

Clock::Duration CrashLoopBackOff(int restarts) {
  int doublings = std::clamp(restarts - 1, 0, 5);
  return std::min<Clock::Duration>(seconds(10) * (1 << doublings), seconds(300));
}

std::optional<kube::Time> NextCrashAt(const Json& pod) {
  const Json& statuses = Field(Field(pod, "status"), "containerStatuses");
  if (!statuses.is_array()) return std::nullopt;
  for (const Json& s : statuses) {
    if (StringField(Field(Field(s, "state"), "waiting"), "reason") != "CrashLoopBackOff") continue;
    auto finished =
        kube::ParseTime(StringField(Field(Field(s, "lastState"), "terminated"), "finishedAt"));
    if (!finished.ok()) return kube::Time{};  // no usable time: due at once
    return *finished + std::chrono::duration_cast<kube::Time::duration>(
                           CrashLoopBackOff(IntField(s, "restartCount")));
  }
  return std::nullopt;
}

bool IsTerminalPhase(std::string_view phase) { return phase == "Succeeded" || phase == "Failed"; }

bool PodStarted(const Json& pod) {
  std::string phase = StringField(Field(pod, "status"), "phase");
  return phase == "Running" || IsTerminalPhase(phase);
}

std::string SimContainerId(std::string_view pod_uid, std::string_view container) {
  return fmt::format("sim://{}/{}", pod_uid, container);
}

}  // namespace osbx::standalone
