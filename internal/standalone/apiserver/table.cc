#include "internal/standalone/apiserver/table.h"

#include <cmath>

#include <fmt/format.h>

#include "internal/standalone/apiserver/wire_json.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::standalone {
namespace {

constexpr std::string_view kNameDescription =
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
constexpr std::string_view kAgeDescription =
    "CreationTimestamp is a timestamp representing the server time when this object was created. "
    "It is not guaranteed to be set in happens-before order across separate operations. Clients "
    "may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the "
    "system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata";

OrderedJson Column(std::string_view name, std::string_view type, std::string_view format,
                   std::string_view description, int priority) {
  OrderedJson c = OrderedJson::object();
  c["name"] = name;
  c["type"] = type;
  c["format"] = format;
  c["description"] = description;
  c["priority"] = priority;
  return c;
}

OrderedJson NameColumn() { return Column("Name", "string", "name", kNameDescription, 0); }

const Json& At(const Json& object, std::initializer_list<const char*> path) {
  static const Json kNull;
  const Json* cur = &object;
  for (const char* key : path) {
    if (!cur->is_object()) return kNull;
    auto it = cur->find(key);
    if (it == cur->end()) return kNull;
    cur = &*it;
  }
  return *cur;
}

std::string Str(const Json& v, std::string_view fallback = "") {
  return v.is_string() ? v.get<std::string>() : std::string(fallback);
}

std::string Age(const Json& timestamp, std::chrono::system_clock::time_point now) {
  if (!timestamp.is_string()) return "<unknown>";
  StatusOr<kube::Time> t = kube::ParseTime(timestamp.get<std::string>());
  if (!t.ok()) return "<unknown>";
  return HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
}

OrderedJson CellForJson(const std::string& type, const Json& value,
                        std::chrono::system_clock::time_point now) {
  if (type == "integer") {
    if (value.is_number_integer()) return value.get<int64_t>();
    if (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>()) {
      return static_cast<int64_t>(value.get<double>());
    }
    return nullptr;
  }
  if (type == "number") return value.is_number() ? ToOrdered(value) : OrderedJson(nullptr);
  if (type == "boolean") return value.is_boolean() ? OrderedJson(value.get<bool>()) : nullptr;
  if (type == "date") {
    if (!value.is_string()) return nullptr;
    StatusOr<kube::Time> t = kube::ParseTime(value.get<std::string>());
    if (!t.ok()) return nullptr;
    return HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
  }
  if (type == "string") {
    if (value.is_string()) return value.get<std::string>();
    return GoJson(value);
  }
  return nullptr;
}

OrderedJson CustomCell(const PrinterColumn& column, const Json& object,
                       std::chrono::system_clock::time_point now) {
  std::vector<Json> results = EvaluateJsonPath(object, column.json_path);
  if (results.empty()) return nullptr;
  if (results.size() == 1) return CellForJson(column.type, results[0], now);
  if (column.type != "string") return nullptr;
  std::string joined = "[";
  for (size_t i = 0; i < results.size(); ++i) {
    if (i > 0) joined += " ";
    joined += results[i].is_string() ? results[i].get<std::string>() : results[i].dump();
  }
  return joined + "]";
}

struct PodSummary {
  std::string ready;
  std::string status;
  std::string restarts;
};

PodSummary SummarizePod(const Json& pod, std::chrono::system_clock::time_point now) {
  const Json& status = At(pod, {"status"});
  int total = 0;
  if (At(pod, {"spec", "containers"}).is_array()) {
    total = static_cast<int>(At(pod, {"spec", "containers"}).size());
  }
  int ready = 0;
  int64_t restarts = 0;
  std::optional<kube::Time> last_restart;
  std::string reason = Str(At(status, {"phase"}));
  if (!Str(At(status, {"reason"})).empty()) reason = Str(At(status, {"reason"}));
  bool has_running = false;
  const Json& statuses = At(status, {"containerStatuses"});
  if (statuses.is_array()) {
    for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
      const Json& c = *it;
      if (At(c, {"restartCount"}).is_number_integer()) {
        restarts += At(c, {"restartCount"}).get<int64_t>();
      }
      const Json& finished = At(c, {"lastState", "terminated", "finishedAt"});
      if (finished.is_string()) {
        StatusOr<kube::Time> t = kube::ParseTime(finished.get<std::string>());
        if (t.ok() && (!last_restart || *t > *last_restart)) last_restart = *t;
      }
      const Json& waiting = At(c, {"state", "waiting"});
      const Json& terminated = At(c, {"state", "terminated"});
      if (waiting.is_object() && !Str(At(waiting, {"reason"})).empty()) {
        reason = Str(At(waiting, {"reason"}));
      } else if (terminated.is_object() && !Str(At(terminated, {"reason"})).empty()) {
        reason = Str(At(terminated, {"reason"}));
      } else if (terminated.is_object()) {
        int64_t signal =
            At(terminated, {"signal"}).is_number() ? At(terminated, {"signal"}).get<int64_t>() : 0;
        int64_t code = At(terminated, {"exitCode"}).is_number()
                           ? At(terminated, {"exitCode"}).get<int64_t>()
                           : 0;
        reason = signal != 0 ? fmt::format("Signal:{}", signal) : fmt::format("ExitCode:{}", code);
      } else if (At(c, {"ready"}).is_boolean() && At(c, {"ready"}).get<bool>() &&
                 At(c, {"state", "running"}).is_object()) {
        has_running = true;
        ++ready;
      }
    }
  }
  if (reason == "Completed" && has_running) {
    bool pod_ready = false;
    const Json& conditions = At(status, {"conditions"});
    if (conditions.is_array()) {
      for (const Json& cond : conditions) {
        if (Str(At(cond, {"type"})) == "Ready" && Str(At(cond, {"status"})) == "True") {
          pod_ready = true;
        }
      }
    }
    reason = pod_ready ? "Running" : "NotReady";
  }
  if (At(pod, {"metadata", "deletionTimestamp"}).is_string()) {
    reason = Str(At(status, {"reason"})) == "NodeLost" ? "Unknown" : "Terminating";
  }
  PodSummary out;
  out.ready = fmt::format("{}/{}", ready, total);
  out.status = reason;
  out.restarts = std::to_string(restarts);
  if (last_restart) {
    out.restarts += fmt::format(
        " ({} ago)",
        HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - *last_restart)));
  }
  return out;
}

std::string OrNone(const Json& v) {
  std::string s = Str(v);
  return s.empty() ? "<none>" : s;
}

OrderedJson BuiltinCells(const ResourceInfo& resource, const Json& object,
                         std::chrono::system_clock::time_point now) {
  OrderedJson cells = OrderedJson::array();
  cells.push_back(Str(At(object, {"metadata", "name"})));
  std::string age = Age(At(object, {"metadata", "creationTimestamp"}), now);
  switch (resource.printer) {
    case Printer::kPod: {
      PodSummary s = SummarizePod(object, now);
      cells.push_back(s.ready);
      cells.push_back(s.status);
      cells.push_back(s.restarts);
      cells.push_back(age);
      cells.push_back(OrNone(At(object, {"status", "podIP"})));
      cells.push_back(OrNone(At(object, {"spec", "nodeName"})));
      cells.push_back(OrNone(At(object, {"status", "nominatedNodeName"})));
      const Json& gates = At(object, {"spec", "readinessGates"});
      cells.push_back(gates.is_array() && !gates.empty() ? fmt::format("0/{}", gates.size())
                                                         : "<none>");
      break;
    }
    case Printer::kNamespace:
      cells.push_back(Str(At(object, {"status", "phase"}), "Active"));
      cells.push_back(age);
      break;
    case Printer::kNode: {
      std::string ready = "Unknown";
      const Json& conditions = At(object, {"status", "conditions"});
      if (conditions.is_array()) {
        for (const Json& c : conditions) {
          if (Str(At(c, {"type"})) == "Ready") {
            ready = Str(At(c, {"status"})) == "True" ? "Ready" : "NotReady";
          }
        }
      }
      cells.push_back(ready);
      cells.push_back("<none>");
      cells.push_back(age);
      cells.push_back(Str(At(object, {"status", "nodeInfo", "kubeletVersion"})));
      break;
    }
    case Printer::kEvent: {
      cells[0] = Age(At(object, {"lastTimestamp"}).is_string()
                         ? At(object, {"lastTimestamp"})
                         : At(object, {"metadata", "creationTimestamp"}),
                     now);
      cells.push_back(Str(At(object, {"type"})));
      cells.push_back(Str(At(object, {"reason"})));
      cells.push_back(fmt::format(
          "{}/{}",
          [&] {
            std::string kind = Str(At(object, {"involvedObject", "kind"}));
            for (char& ch : kind)
              ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            return kind;
          }(),
          Str(At(object, {"involvedObject", "name"}))));
      cells.push_back(Str(At(object, {"message"})));
      break;
    }
    case Printer::kLease:
      cells.push_back(Str(At(object, {"spec", "holderIdentity"})));
      cells.push_back(age);
      break;
    case Printer::kCrd:
      cells.push_back(Str(At(object, {"metadata", "creationTimestamp"})));
      break;
    case Printer::kCustom:
      cells.push_back(age);
      break;
  }
  return cells;
}

}  // namespace

std::string HumanDuration(std::chrono::seconds d) {
  int64_t seconds = d.count();
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return fmt::format("{}s", seconds);
  int64_t minutes = seconds / 60;
  if (minutes < 10) {
    int64_t s = seconds % 60;
    return s == 0 ? fmt::format("{}m", minutes) : fmt::format("{}m{}s", minutes, s);
  }
  if (minutes < 60 * 3) return fmt::format("{}m", minutes);
  int64_t hours = seconds / 3600;
  if (hours < 8) {
    int64_t m = minutes % 60;
    return m == 0 ? fmt::format("{}h", hours) : fmt::format("{}h{}m", hours, m);
  }
  if (hours < 48) return fmt::format("{}h", hours);
  if (hours < 24 * 8) {
    int64_t h = hours % 24;
    return h == 0 ? fmt::format("{}d", hours / 24) : fmt::format("{}d{}h", hours / 24, h);
  }
  if (hours < 24 * 365 * 2) return fmt::format("{}d", hours / 24);
  if (hours < 24 * 365 * 8) {
    int64_t dy = (hours / 24) % 365;
    return dy == 0 ? fmt::format("{}y", hours / 24 / 365)
                   : fmt::format("{}y{}d", hours / 24 / 365, dy);
  }
  return fmt::format("{}y", hours / 24 / 365);
}

std::vector<Json> EvaluateJsonPath(const Json& object, std::string_view path) {
  std::vector<Json> current = {object};
  size_t i = 0;
  if (!path.empty() && path.front() == '{' && path.back() == '}')
    path = path.substr(1, path.size() - 2);
  while (i < path.size()) {
    std::vector<Json> next;
    if (path[i] == '.') {
      size_t j = i + 1;
      while (j < path.size() && path[j] != '.' && path[j] != '[') ++j;
      std::string key(path.substr(i + 1, j - i - 1));
      for (const Json& v : current) {
        if (v.is_object() && v.contains(key)) next.push_back(v[key]);
      }
      i = j;
    } else if (path[i] == '[') {
      size_t j = path.find(']', i);
      if (j == std::string_view::npos) return {};
      std::string index(path.substr(i + 1, j - i - 1));
      for (const Json& v : current) {
        if (!v.is_array()) continue;
        if (index == "*") {
          for (const Json& item : v) next.push_back(item);
        } else {
          char* end = nullptr;
          long n = std::strtol(index.c_str(), &end, 10);
          if (end == index.c_str() || *end != '\0') return {};
          if (n < 0) n += static_cast<long>(v.size());
          if (n >= 0 && static_cast<size_t>(n) < v.size())
            next.push_back(v[static_cast<size_t>(n)]);
        }
      }
      i = j + 1;
    } else {
      return {};
    }
    current = std::move(next);
  }
  return current;
}

OrderedJson ColumnDefinitions(const ResourceInfo& resource) {
  OrderedJson cols = OrderedJson::array();
  auto add = [&](std::string_view name, std::string_view description, int priority = 0) {
    cols.push_back(Column(name, "string", "", description, priority));
  };
  switch (resource.printer) {
    case Printer::kCustom:
      cols.push_back(NameColumn());
      if (resource.columns.empty()) {
        cols.push_back(Column("Age", "date", "", kAgeDescription, 0));
      }
      for (const PrinterColumn& c : resource.columns) {
        cols.push_back(Column(c.name, c.type, c.format, c.description, c.priority));
      }
      break;
    case Printer::kPod:
      cols.push_back(NameColumn());
      add("Ready", "The aggregate readiness state of this pod for accepting traffic.");
      add("Status", "The aggregate status of the containers in this pod.");
      add("Restarts",
          "The number of times the containers in this pod have been restarted and when the last "
          "container in this pod has restarted.");
      add("Age", kAgeDescription);
      add("IP",
          "podIP address allocated to the pod. Routable at least within the cluster. Empty if "
          "not yet allocated.",
          1);
      add("Node",
          "NodeName indicates in which node this pod is scheduled. If empty, this pod is a "
          "candidate for scheduling by the scheduler defined in schedulerName. Once this field is "
          "set, the kubelet for this node becomes responsible for the lifecycle of this pod. This "
          "field should not be used to express a desire for the pod to be scheduled on a specific "
          "node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/"
          "#nodename",
          1);
      add("Nominated Node",
          "nominatedNodeName is set only when this pod preempts other pods on the node, but it "
          "cannot be scheduled right away as preemption victims receive their graceful "
          "termination periods. This field does not guarantee that the pod will be scheduled on "
          "this node. Scheduler may decide to place the pod elsewhere if other nodes become "
          "available sooner. Scheduler may also decide to give the resources on this node to a "
          "higher priority pod that is created after preemption. As a result, this field may be "
          "different than PodSpec.nodeName when the pod is scheduled.",
          1);
      add("Readiness Gates",
          "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready "
          "when all its containers are ready AND all conditions specified in the readiness gates "
          "have status equal to \"True\" More info: "
          "https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
          1);
      break;
    case Printer::kNamespace:
      cols.push_back(NameColumn());
      add("Status", "The status of the namespace");
      add("Age", kAgeDescription);
      break;
    case Printer::kNode:
      cols.push_back(NameColumn());
      add("Status", "The status of the node");
      add("Roles", "The roles of the node");
      add("Age", kAgeDescription);
      add("Version", "Kubelet Version reported by the node.");
      break;
    case Printer::kEvent:
      cols.clear();
      add("Last Seen", "The time at which the most recent occurrence of this event was recorded.");
      add("Type", "Type of this event (Normal, Warning), new types could be added in the future.");
      add("Reason",
          "This should be a short, machine understandable string that gives the reason "
          "for this event being generated.");
      add("Object", "The object that this event is about.");
      add("Message", "A human-readable description of the status of this operation.");
      break;
    case Printer::kLease:
      cols.push_back(NameColumn());
      add("Holder", "The holder of the lease.");
      add("Age", kAgeDescription);
      break;
    case Printer::kCrd:
      cols.push_back(NameColumn());
      cols.push_back(Column("Created At", "date", "", kAgeDescription, 0));
      break;
  }
  return cols;
}

OrderedJson PartialObjectMetadata(const Json& object, std::string_view version) {
  OrderedJson out = OrderedJson::object();
  out["kind"] = "PartialObjectMetadata";
  out["apiVersion"] = fmt::format("meta.k8s.io/{}", version);
  out["metadata"] = OrderObjectMeta(object.value("metadata", Json::object()));
  return out;
}

OrderedJson TableRow(const ResourceInfo& resource, const Json& object,
                     const OrderedJson& wire_object, const TableOptions& options) {
  OrderedJson cells;
  if (resource.printer == Printer::kCustom && !resource.columns.empty()) {
    cells = OrderedJson::array();
    cells.push_back(At(object, {"metadata", "name"}).is_string()
                        ? OrderedJson(At(object, {"metadata", "name"}).get<std::string>())
                        : OrderedJson(""));
    for (const PrinterColumn& c : resource.columns) {
      cells.push_back(CustomCell(c, object, options.now));
    }
  } else {
    cells = BuiltinCells(resource, object, options.now);
  }
  OrderedJson row = OrderedJson::object();
  row["cells"] = std::move(cells);
  switch (options.include) {
    case IncludeObject::kNone:
      row["object"] = nullptr;
      break;
    case IncludeObject::kMetadata:
      row["object"] = PartialObjectMetadata(object, options.version);
      break;
    case IncludeObject::kObject:
      row["object"] = wire_object;
      break;
  }
  return row;
}

OrderedJson MakeTable(const ResourceInfo& resource, OrderedJson list_metadata,
                      std::vector<OrderedJson> rows, const TableOptions& options,
                      bool with_columns) {
  OrderedJson table = OrderedJson::object();
  table["kind"] = "Table";
  table["apiVersion"] = fmt::format("meta.k8s.io/{}", options.version);
  table["metadata"] = std::move(list_metadata);
  table["columnDefinitions"] = with_columns ? ColumnDefinitions(resource) : OrderedJson(nullptr);
  OrderedJson out_rows = OrderedJson::array();
  for (OrderedJson& row : rows) out_rows.push_back(std::move(row));
  table["rows"] = std::move(out_rows);
  return table;
}

}  // namespace osbx::standalone
