#pragma once
// The permissions a Role or ClusterRole manifest grants, flattened to (group, resource, verb)
// triples, read from the YAML files under config/rbac.

#include <set>
#include <string>
#include <tuple>

#include "internal/utils/status.h"

namespace osbx::rbac {

struct Grant {
  std::string group;
  std::string resource;  // with "/subresource" when the rule names one
  std::string verb;
  auto operator<=>(const Grant&) const = default;
};

struct RoleGrants {
  std::string kind;  // Role or ClusterRole
  std::string name;
  std::set<Grant> grants;
  bool wildcard = false;  // a "*" in apiGroups, resources or verbs
};

// Reads one Role/ClusterRole manifest (a single YAML document).
[[nodiscard]] StatusOr<RoleGrants> LoadRole(const std::string& path);

std::string ToString(const Grant& grant);

}  // namespace osbx::rbac
