#include "internal/standalone/node/fake_kubelet_api.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "pkg/kube/meta/object.h"
#include "pkg/kube/meta/timestamp.h"
#include "pkg/kube/patch/merge_patch.h"

namespace osbx::standalone {
namespace {

// History kept for watches that resume from an older resourceVersion.
constexpr size_t kMaxHistory = 200'000;

std::string Key(std::string_view ns, std::string_view name) {
  return ns.empty() ? std::string(name) : fmt::format("{}/{}", ns, name);
}

Status PodNotFound(std::string_view name) {
  return NotFoundError(fmt::format("pods \"{}\" not found", name));
}

Status UidMismatch(std::string_view want, std::string_view have) {
  return ConflictError(fmt::format(
      "Precondition failed: UID in precondition: {}, UID in object meta: {}", want, have));
}

// The uid a patch names as its precondition, or "".
std::string PatchUid(const Json& patch) {
  auto meta = patch.find("metadata");
  if (meta == patch.end() || !meta->is_object()) return {};
  return meta->value("uid", "");
}

}  // namespace

// One watch stream. delivery_mu is held while a callback runs, so Stop() waits for a running
// callback and none starts afterwards.
class FakeKubeletApi::Stream {
 public:
  Stream(Kind kind, kube::WatchCallbacks callbacks)
      : kind_(kind), callbacks_(std::move(callbacks)) {}
  void Stop() {
    std::lock_guard<std::mutex> lock(delivery_mu_);
    stopped_ = true;
  }
  // Delivers one event unless stopped; false once stopped.
  bool Deliver(const Event& event) {
    std::lock_guard<std::mutex> lock(delivery_mu_);
    if (stopped_) return false;
    if (event.kind == kind_) callbacks_.on_event(kube::WatchEvent{event.type, event.object});
    return true;
  }

 private:
  const Kind kind_;
  kube::WatchCallbacks callbacks_;
  std::mutex delivery_mu_;
  bool stopped_ = false;  // guarded by delivery_mu_
};

// A ListerWatcher over one kind of the fake's store.
class FakeKubeletApi::Lister final : public kube::ListerWatcher {
 public:
  Lister(FakeKubeletApi& api, Kind kind) : api_(api), kind_(kind) {}
  StatusOr<kube::ListResult> List(const kube::ListOptions&) override { return api_.ListFor(kind_); }
  StatusOr<std::unique_ptr<kube::WatchHandle>> Watch(const kube::ListOptions& options,
                                                     kube::WatchCallbacks callbacks) override {
    return api_.WatchFor(kind_, options, std::move(callbacks));
  }

 private:
  FakeKubeletApi& api_;
  const Kind kind_;
};

namespace {

// The handle a watch caller owns; stopping (or dropping) it stops the shared stream.
class StreamHandle final : public kube::WatchHandle {
 public:
  explicit StreamHandle(std::shared_ptr<FakeKubeletApi::Stream> stream)
      : stream_(std::move(stream)) {}
  ~StreamHandle() override { Stop(); }
  void Stop() override { stream_->Stop(); }

 private:
  std::shared_ptr<FakeKubeletApi::Stream> stream_;
};

}  // namespace

FakeKubeletApi::FakeKubeletApi(const Clock& clock) : clock_(clock) {}
FakeKubeletApi::~FakeKubeletApi() = default;

std::unique_ptr<kube::ListerWatcher> FakeKubeletApi::PodListerWatcher() {
  return std::make_unique<Lister>(*this, Kind::kPod);
}

std::unique_ptr<kube::ListerWatcher> FakeKubeletApi::NodeListerWatcher() {
  return std::make_unique<Lister>(*this, Kind::kNode);
}

StatusOr<kube::ListResult> FakeKubeletApi::ListFor(Kind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  kube::ListResult result;
  for (const auto& [key, obj] : StoreLocked(kind)) result.items.push_back(obj);
  result.resource_version = std::to_string(rv_);
  return result;
}

StatusOr<std::unique_ptr<kube::WatchHandle>> FakeKubeletApi::WatchFor(
    Kind kind, const kube::ListOptions& options, kube::WatchCallbacks callbacks) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t from = rv_;
  if (!options.resource_version.empty() && options.resource_version != "0") {
    from = std::stoull(options.resource_version);
  }
  if (!history_.empty() && from + 1 < history_.front().rv) {
    return GoneError(fmt::format("too old resource version: {}", from));
  }
  auto stream = std::make_shared<Stream>(kind, std::move(callbacks));
  for (const Event& event : history_) {
    if (event.rv > from) stream->Deliver(event);
  }
  streams_.push_back(stream);
  return std::unique_ptr<kube::WatchHandle>(std::make_unique<StreamHandle>(stream));
}

void FakeKubeletApi::PublishLocked(Event event) {
  std::erase_if(streams_, [&](const std::shared_ptr<Stream>& s) { return !s->Deliver(event); });
  history_.push_back(std::move(event));
  if (history_.size() > kMaxHistory) history_.pop_front();
  ++changes_;
  changed_cv_.notify_all();
}

Json FakeKubeletApi::PutLocked(Kind kind, const std::string& key, Json obj,
                               kube::WatchEventType type) {
  obj["metadata"]["resourceVersion"] = std::to_string(++rv_);
  StoreLocked(kind)[key] = obj;
  PublishLocked(Event{kind, rv_, type, obj});
  return obj;
}

void FakeKubeletApi::RemoveLocked(Kind kind, const std::string& key) {
  Objects& store = StoreLocked(kind);
  auto it = store.find(key);
  if (it == store.end()) return;
  Json obj = std::move(it->second);
  store.erase(it);
  obj["metadata"]["resourceVersion"] = std::to_string(++rv_);
  PublishLocked(Event{kind, rv_, kube::WatchEventType::kDeleted, std::move(obj)});
}

Status FakeKubeletApi::TakeFailureLocked(Verb verb) {
  auto it = failures_.find(verb);
  if (it == failures_.end()) return Status::Ok();
  Status status = it->second;
  failures_.erase(it);
  return status;
}

void FakeKubeletApi::FailNext(Verb verb, Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.emplace(verb, std::move(status));
}

FakeKubeletApi::Counts FakeKubeletApi::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

Json FakeKubeletApi::AddPod(Json pod) {
  std::lock_guard<std::mutex> lock(mu_);
  Json& meta = pod["metadata"];
  if (!meta.contains("namespace")) meta["namespace"] = "default";
  meta["uid"] = fmt::format("00000000-0000-4000-8000-{:012d}", next_uid_++);
  meta["creationTimestamp"] = kube::FormatTime(clock_.WallNow());
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  pod["status"] = {{"phase", "Pending"}, {"qosClass", "BestEffort"}};
  std::string key = Key(meta["namespace"].get<std::string>(), meta["name"].get<std::string>());
  return PutLocked(Kind::kPod, key, std::move(pod), kube::WatchEventType::kAdded);
}

Status FakeKubeletApi::RequestDeletion(const std::string& ns, const std::string& name,
                                       int64_t grace_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pods_.find(Key(ns, name));
  if (it == pods_.end()) return PodNotFound(name);
  Json pod = it->second;
  bool bound = !pod["spec"].value("nodeName", "").empty();
  if (!bound && kube::GetFinalizers(pod).empty()) {
    RemoveLocked(Kind::kPod, it->first);
    return Status::Ok();
  }
  if (kube::IsBeingDeleted(pod)) return Status::Ok();
  int64_t grace = bound ? grace_seconds : 0;
  pod["metadata"]["deletionTimestamp"] =
      kube::FormatTime(clock_.WallNow() + std::chrono::seconds(grace));
  pod["metadata"]["deletionGracePeriodSeconds"] = grace;
  PutLocked(Kind::kPod, it->first, std::move(pod), kube::WatchEventType::kModified);
  return Status::Ok();
}

Status FakeKubeletApi::AnnotatePod(const std::string& ns, const std::string& name,
                                   const std::string& key, std::optional<std::string> value) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pods_.find(Key(ns, name));
  if (it == pods_.end()) return PodNotFound(name);
  Json pod = it->second;
  if (value) {
    kube::SetAnnotation(pod, key, *value);
  } else {
    kube::RemoveAnnotation(pod, key);
  }
  PutLocked(Kind::kPod, it->first, std::move(pod), kube::WatchEventType::kModified);
  return Status::Ok();
}

Status FakeKubeletApi::AnnotateNode(const std::string& name, const std::string& key,
                                    std::optional<std::string> value) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return NotFoundError(fmt::format("nodes \"{}\" not found", name));
  Json node = it->second;
  if (value) {
    kube::SetAnnotation(node, key, *value);
  } else {
    kube::RemoveAnnotation(node, key);
  }
  PutLocked(Kind::kNode, name, std::move(node), kube::WatchEventType::kModified);
  return Status::Ok();
}

Status FakeKubeletApi::ClearFinalizers(const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pods_.find(Key(ns, name));
  if (it == pods_.end()) return PodNotFound(name);
  if (kube::IsBeingDeleted(it->second) &&
      it->second["metadata"].value("deletionGracePeriodSeconds", 1) == 0) {
    RemoveLocked(Kind::kPod, it->first);
    return Status::Ok();
  }
  Json pod = it->second;
  pod["metadata"].erase("finalizers");
  PutLocked(Kind::kPod, it->first, std::move(pod), kube::WatchEventType::kModified);
  return Status::Ok();
}

std::optional<Json> FakeKubeletApi::Pod(const std::string& ns, const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pods_.find(Key(ns, name));
  if (it == pods_.end()) return std::nullopt;
  return it->second;
}

std::optional<Json> FakeKubeletApi::Node(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return std::nullopt;
  return it->second;
}

std::vector<Json> FakeKubeletApi::Pods() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Json> out;
  for (const auto& [key, pod] : pods_) out.push_back(pod);
  return out;
}

bool FakeKubeletApi::WaitFor(const std::function<bool()>& predicate,
                             std::chrono::milliseconds timeout) {
  // Predicates may also read state outside the store (the node's metrics), which changes
  // without notice: those are re-checked every few milliseconds.
  constexpr auto kRecheck = std::chrono::milliseconds(5);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    uint64_t seen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen = changes_;
    }
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::unique_lock<std::mutex> lock(mu_);
    changed_cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + kRecheck),
                           [&] { return changes_ != seen; });
  }
}

StatusOr<Json> FakeKubeletApi::GetPod(std::string_view ns, std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.get_pod;
  OSBX_RETURN_IF_ERROR(TakeFailureLocked(Verb::kGetPod));
  auto it = pods_.find(Key(ns, name));
  if (it == pods_.end()) return PodNotFound(name);
  return it->second;
}

Status FakeKubeletApi::BindPod(std::string_view ns, std::string_view name, std::string_view uid,
                               std::string_view node) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.bind;
  OSBX_RETURN_IF_ERROR(TakeFailureLocked(Verb::kBind));
  auto it = pods_.find(Key(ns, name));
  if (it == pods_.end()) return PodNotFound(name);
  Json pod = it->second;
  if (kube::GetUid(pod) != uid) return UidMismatch(uid, kube::GetUid(pod));
  std::string bound = pod["spec"].value("nodeName", "");
  if (!bound.empty()) {
    return ConflictError(fmt::format("pod {} is already assigned to node \"{}\"", name, bound));
  }
  pod["spec"]["nodeName"] = node;
  Json& conds = pod["status"]["conditions"];
  if (!conds.is_array()) conds = Json::array();
  conds.push_back({{"type", "PodScheduled"},
                   {"status", "True"},
                   {"lastTransitionTime", kube::FormatTime(clock_.WallNow())}});
  PutLocked(Kind::kPod, it->first, std::move(pod), kube::WatchEventType::kModified);
  return Status::Ok();
}

StatusOr<Json> FakeKubeletApi::PatchPodStatus(std::string_view ns, std::string_view name,
                                              const Json& patch) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.patch_pod_status;
  OSBX_RETURN_IF_ERROR(TakeFailureLocked(Verb::kPatchPodStatus));
  auto it = pods_.find(Key(ns, name));
  if (it == pods_.end()) return PodNotFound(name);
  std::string want = PatchUid(patch);
  if (!want.empty() && want != kube::GetUid(it->second)) {
    return UidMismatch(want, kube::GetUid(it->second));
  }
  Json pod = it->second;
  pod["status"] = kube::patch::ApplyMergePatch(pod.value("status", Json::object()),
                                               patch.value("status", Json::object()));
  if (pod == it->second) return pod;  // a no-op: nothing written, no event
  return PutLocked(Kind::kPod, it->first, std::move(pod), kube::WatchEventType::kModified);
}

Status FakeKubeletApi::DeletePod(std::string_view ns, std::string_view name, std::string_view uid) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.delete_pod;
  OSBX_RETURN_IF_ERROR(TakeFailureLocked(Verb::kDeletePod));
  auto it = pods_.find(Key(ns, name));
  if (it == pods_.end()) return PodNotFound(name);
  if (!uid.empty() && uid != kube::GetUid(it->second)) {
    return UidMismatch(uid, kube::GetUid(it->second));
  }
  if (kube::GetFinalizers(it->second).empty()) {
    RemoveLocked(Kind::kPod, it->first);
    return Status::Ok();
  }
  Json pod = it->second;
  if (!kube::IsBeingDeleted(pod)) {
    pod["metadata"]["deletionTimestamp"] = kube::FormatTime(clock_.WallNow());
  }
  pod["metadata"]["deletionGracePeriodSeconds"] = 0;
  if (pod != it->second) {
    PutLocked(Kind::kPod, it->first, std::move(pod), kube::WatchEventType::kModified);
  }
  return Status::Ok();
}

StatusOr<Json> FakeKubeletApi::GetNode(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.get_node;
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return NotFoundError(fmt::format("nodes \"{}\" not found", name));
  return it->second;
}

StatusOr<Json> FakeKubeletApi::CreateNode(const Json& node) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.create_node;
  OSBX_RETURN_IF_ERROR(TakeFailureLocked(Verb::kCreateNode));
  std::string name(kube::GetName(node));
  if (nodes_.count(name) != 0) {
    return AlreadyExistsError(fmt::format("nodes \"{}\" already exists", name));
  }
  Json stored = node;
  stored["metadata"]["uid"] = fmt::format("00000000-0000-4000-9000-{:012d}", next_uid_++);
  stored["metadata"]["creationTimestamp"] = kube::FormatTime(clock_.WallNow());
  return PutLocked(Kind::kNode, name, std::move(stored), kube::WatchEventType::kAdded);
}

StatusOr<Json> FakeKubeletApi::PatchNode(std::string_view name, const Json& patch) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.patch_node;
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return NotFoundError(fmt::format("nodes \"{}\" not found", name));
  Json without_status = patch;
  without_status.erase("status");
  Json node = kube::patch::ApplyMergePatch(it->second, without_status);
  if (node == it->second) return node;
  return PutLocked(Kind::kNode, it->first, std::move(node), kube::WatchEventType::kModified);
}

StatusOr<Json> FakeKubeletApi::PatchNodeStatus(std::string_view name, const Json& patch) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.patch_node_status;
  OSBX_RETURN_IF_ERROR(TakeFailureLocked(Verb::kPatchNodeStatus));
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return NotFoundError(fmt::format("nodes \"{}\" not found", name));
  Json node = it->second;
  node["status"] = kube::patch::ApplyMergePatch(node.value("status", Json::object()),
                                                patch.value("status", Json::object()));
  if (node == it->second) return node;
  return PutLocked(Kind::kNode, it->first, std::move(node), kube::WatchEventType::kModified);
}

}  // namespace osbx::standalone
