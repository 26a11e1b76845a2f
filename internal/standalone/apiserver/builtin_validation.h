#pragma once
// Validation of the built-in kinds the server serves, the subset of kube-apiserver's rules that
// clients depend on: a Pod needs containers, each (init) container a DNS-1123 label name that is
// unique within the pod and an image, and a known restartPolicy; a Namespace's name is a DNS-1123
// label. Causes carry kube's reasons, fields and wording so that the 422 Invalid answers match a
// real server. Fields the rules do not cover are accepted as they are.

#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::standalone {

// The problems with metadata.name / metadata.generateName of a `resource` object of the core
// group: DNS-1123 labels for namespaces, DNS-1123 subdomains for every other kind.
[[nodiscard]] std::vector<StatusCause> ValidateBuiltinName(std::string_view group,
                                                           std::string_view resource,
                                                           const Json& object);

// The problems with the spec of a built-in object about to be stored by a create, an update or a
// patch of the main resource (not of a subresource). Empty when valid or not a checked kind.
[[nodiscard]] std::vector<StatusCause> ValidateBuiltinSpec(std::string_view group,
                                                           std::string_view resource,
                                                           const Json& object);

}  // namespace osbx::standalone
