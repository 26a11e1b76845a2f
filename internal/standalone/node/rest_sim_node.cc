#include "internal/standalone/node/rest_sim_node.h"

#include <fmt/format.h>

namespace osbx::standalone {

StatusOr<std::unique_ptr<RestSimNode>> RestSimNode::New(kube::RestConfig config,
                                                        SimNodeOptions options) {
  config.qps = 0;  // no client-side limit: the node must not be what a benchmark measures
  // A request whose answer never comes must not hold a worker (or Stop) forever: it fails and
  // the pod is retried.
  if (config.timeout.count() == 0) config.timeout = std::chrono::seconds(30);
  config.user_agent = "opensandbox-sim-node/0.1.0";
  kube::RestClientOptions client_options;
  client_options.clock = options.clock;
  OSBX_ASSIGN_OR_RETURN(auto client, kube::RestClient::New(config, client_options));
  std::unique_ptr<RestSimNode> out(new RestSimNode());
  out->client_ = std::move(client);
  out->api_ = std::make_unique<RestKubeletApi>(*out->client_);
  OSBX_ASSIGN_OR_RETURN(out->node_, SimNode::New(*out->api_, std::move(options)));
  return out;
}

RestSimNode::~RestSimNode() {
  if (node_) node_->Stop();
}

std::string FormatMetrics(const SimNodeMetrics& m) {
  return fmt::format(
      "pods_bound={} pods_started={} pods_deleted={} bind_writes={} status_writes={} "
      "delete_writes={} node_writes={} conflicts={} errors={} pods_tracked={}",
      m.pods_bound, m.pods_started, m.pods_deleted, m.bind_writes, m.status_writes, m.delete_writes,
      m.node_writes, m.conflicts, m.errors, m.pods_tracked);
}

}  // namespace osbx::standalone
