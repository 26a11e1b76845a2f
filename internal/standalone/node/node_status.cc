#include "internal/standalone/node/node_status.h"

#include <array>

namespace osbx::standalone {
namespace {

struct ConditionSpec {
  const char* type;
  const char* healthy_status;
  const char* reason;
  const char* message;
};

constexpr std::array<ConditionSpec, 4> kConditions = {{
    {"MemoryPressure", "False", "KubeletHasSufficientMemory",
     "kubelet has sufficient memory available"},
    {"DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"},
    {"PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"},
    {"Ready", "True", "KubeletReady", "kubelet is posting ready status"},
}};

const Json* FindCondition(const Json& status, const char* type) {
  auto conds = status.find("conditions");
  if (conds == status.end() || !conds->is_array()) return nullptr;
  for (const Json& c : *conds) {
    if (c.is_object() && c.value("type", "") == type) return &c;
  }
  return nullptr;
}

Json Condition(const ConditionSpec& spec, const Json* current, bool lost, kube::Time heartbeat,
               const std::string& now) {
  std::string status = lost ? "Unknown" : spec.healthy_status;
  Json cond = {{"type", spec.type}, {"status", status}};
  if (lost) {
    cond["reason"] = "NodeStatusUnknown";
    cond["message"] = "Kubelet stopped posting node status.";
  } else {
    cond["reason"] = spec.reason;
    cond["message"] = spec.message;
  }
  std::string last_heartbeat = kube::FormatTime(heartbeat);
  std::string since = now;
  if (current != nullptr) {
    if (current->value("status", "") == status) since = current->value("lastTransitionTime", now);
    if (lost) last_heartbeat = current->value("lastHeartbeatTime", last_heartbeat);
  }
  cond["lastHeartbeatTime"] = last_heartbeat;
  cond["lastTransitionTime"] = since;
  return cond;
}

Json Resources(const NodeConfig& config) {
  return {{"cpu", config.cpu},
          {"memory", config.memory},
          {"ephemeral-storage", config.ephemeral_storage},
          {"pods", config.pods}};
}

}  // namespace

Json NodeLabels(const NodeConfig& config) {
  return {{"kubernetes.io/hostname", config.name},
          {"kubernetes.io/os", "linux"},
          {"kubernetes.io/arch", "amd64"},
          {kSimulatedNodeLabel, "true"}};
}

Json NodeManifest(const NodeConfig& config) {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", config.name}, {"labels", NodeLabels(config)}}},
          {"spec", Json::object()}};
}

Json DesiredNodeStatus(const NodeConfig& config, const Json& current_status, bool lost,
                       kube::Time heartbeat, kube::Time now) {
  Json status = current_status.is_object() ? current_status : Json::object();
  std::string now_text = kube::FormatTime(now);
  Json conditions = Json::array();
  for (const ConditionSpec& spec : kConditions) {
    conditions.push_back(
        Condition(spec, FindCondition(status, spec.type), lost, heartbeat, now_text));
  }
  status["conditions"] = std::move(conditions);
  status["addresses"] = Json::array({{{"type", "InternalIP"}, {"address", config.internal_ip}},
                                     {{"type", "Hostname"}, {"address", config.name}}});
  status["capacity"] = Resources(config);
  status["allocatable"] = Resources(config);
  status["daemonEndpoints"] = {{"kubeletEndpoint", {{"Port", 10250}}}};
  status["nodeInfo"] = {{"machineID", "opensandbox-sim"},
                        {"systemUUID", "opensandbox-sim"},
                        {"bootID", "opensandbox-sim"},
                        {"kernelVersion", "simulated"},
                        {"osImage", "OpenSandbox simulated node"},
                        {"containerRuntimeVersion", "sim://1.0.0"},
                        {"kubeletVersion", config.kubelet_version},
                        {"operatingSystem", "linux"},
                        {"architecture", "amd64"}};
  return status;
}

}  // namespace osbx::standalone
