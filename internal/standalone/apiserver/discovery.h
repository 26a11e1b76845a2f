#pragma once
// Discovery documents built from the registry, in kube-apiserver's exact shapes: /version,
// /api and /apis (legacy APIVersions/APIGroupList and aggregated apidiscovery.k8s.io/v2),
// /api/v1 and /apis/<g>/<v> (APIResourceList), /apis/<g> (APIGroup).

#include <string>

#include "internal/standalone/apiserver/registry.h"
#include "internal/utils/json.h"

namespace osbx::standalone {

// The /version body (indented, as the real server writes it), reporting Kubernetes 1.32.
std::string VersionBody();
OrderedJson LegacyApiVersions(const std::string& server_address);
OrderedJson AggregatedCore(const Registry& registry);
OrderedJson LegacyGroupList(const Registry& registry);
OrderedJson AggregatedGroups(const Registry& registry);
// null when the group-version is not served.
OrderedJson ResourceList(const Registry& registry, const std::string& group,
                         const std::string& version);
// null when the group is not served.
OrderedJson GroupDocument(const Registry& registry, const std::string& group);

// The groups in discovery order: built-in groups first, then CRD groups sorted by name.
std::vector<std::string> GroupOrder(const Registry& registry);

// Quoted uppercase SHA-512 hex of a body, as the aggregated discovery Etag.
std::string DiscoveryEtag(const std::string& body);

}  // namespace osbx::standalone
