#include "internal/standalone/node/node_registration.h"

#include "pkg/kube/patch/merge_patch.h"

namespace osbx::standalone {
namespace {

Json StatusOf(const Json& node) {
  auto it = node.find("status");
  return it != node.end() && it->is_object() ? *it : Json::object();
}

}  // namespace

NodeRegistration::NodeRegistration(KubeletApi& api, const Clock& clock, NodeConfig config,
                                   Clock::Duration heartbeat_period)
    : api_(api), clock_(clock), config_(std::move(config)), heartbeat_period_(heartbeat_period) {}

Status NodeRegistration::Register() {
  auto created = api_.CreateNode(NodeManifest(config_));
  if (created.ok()) {
    ++writes_;
    status_ = StatusOf(*created);
  } else if (created.status().IsAlreadyExists()) {
    OSBX_ASSIGN_OR_RETURN(Json node, api_.GetNode(config_.name));
    OSBX_RETURN_IF_ERROR(EnsureLabels(node));
    status_ = StatusOf(node);
  } else {
    return created.status();
  }
  registered_ = true;
  next_heartbeat_ = clock_.Now();  // the first status write is due at once
  return Status::Ok();
}

Status NodeRegistration::EnsureLabels(const Json& node) {
  Json labels =
      node.contains("metadata") ? node["metadata"].value("labels", Json::object()) : Json::object();
  Json wanted = labels;
  wanted.update(NodeLabels(config_));
  if (wanted == labels) return Status::Ok();
  OSBX_RETURN_IF_ERROR(
      api_.PatchNode(config_.name, {{"metadata", {{"labels", NodeLabels(config_)}}}}).status());
  ++writes_;
  return Status::Ok();
}

StatusOr<Clock::Duration> NodeRegistration::Sync(bool lost) {
  if (!registered_) OSBX_RETURN_IF_ERROR(Register());
  Clock::TimePoint now = clock_.Now();
  bool beat = !lost && now >= next_heartbeat_;
  if (beat) heartbeat_ = clock_.WallNow();
  Json desired = DesiredNodeStatus(config_, status_, lost, heartbeat_, clock_.WallNow());
  Json patch = kube::patch::CreateMergePatch(status_, desired);
  if (!patch.empty()) {
    auto node = api_.PatchNodeStatus(config_.name, {{"status", std::move(patch)}});
    if (node.status().IsNotFound()) registered_ = false;  // deleted behind our back: re-create
    if (!node.ok()) return node.status();
    ++writes_;
    status_ = StatusOf(*node);
  }
  if (beat) next_heartbeat_ = now + heartbeat_period_;
  return next_heartbeat_ > now ? next_heartbeat_ - now : heartbeat_period_;
}

}  // namespace osbx::standalone
