#pragma once
// RestSimNode: the simulated node wired to an API server over the REST client, as the
// standalone binary runs it: one call builds the client (without client-side rate limiting, so
// the node keeps up with 100,000 pods; the server still counts and limits its requests like
// anyone's; each request gets a 30 s deadline unless the config sets one), the REST-backed
// KubeletApi and the SimNode, and owns all three.

#include <memory>
#include <string>

#include "internal/standalone/node/rest_kubelet_api.h"
#include "internal/standalone/node/sim_node.h"
#include "pkg/kube/client/config.h"
#include "pkg/kube/client/rest_client.h"

namespace osbx::standalone {

class RestSimNode {
 public:
  // `config` addresses the API server (e.g. the standalone server's loopback URL and token).
  [[nodiscard]] static StatusOr<std::unique_ptr<RestSimNode>> New(kube::RestConfig config,
                                                                  SimNodeOptions options);
  ~RestSimNode();

  [[nodiscard]] Status Start() { return node_->Start(); }
  void Stop() { node_->Stop(); }
  SimNode& node() { return *node_; }
  const RestKubeletApi& api() const { return *api_; }
  SimNodeMetrics Metrics() const { return node_->Metrics(); }

 private:
  RestSimNode() = default;

  std::unique_ptr<kube::RestClient> client_;
  std::unique_ptr<RestKubeletApi> api_;
  std::unique_ptr<SimNode> node_;  // declared last: stopped and destroyed first
};

// The counters as one log-friendly line ("pods_bound=3 pods_started=3 ...").
std::string FormatMetrics(const SimNodeMetrics& metrics);

}  // namespace osbx::standalone
