#include "test/rbac/rbac_rules.h"

#include <yaml-cpp/yaml.h>

namespace osbx::rbac {

StatusOr<RoleGrants> LoadRole(const std::string& path) {
  try {
    YAML::Node doc = YAML::LoadFile(path);
    RoleGrants role;
    role.kind = doc["kind"].as<std::string>("");
    role.name = doc["metadata"]["name"].as<std::string>("");
    if (role.kind != "Role" && role.kind != "ClusterRole") {
      return InvalidError(path + ": not a Role or ClusterRole");
    }
    for (const YAML::Node& rule : doc["rules"]) {
      for (const YAML::Node& g : rule["apiGroups"]) {
        for (const YAML::Node& r : rule["resources"]) {
          for (const YAML::Node& v : rule["verbs"]) {
            Grant grant{g.as<std::string>(), r.as<std::string>(), v.as<std::string>()};
            role.wildcard =
                role.wildcard || grant.group == "*" || grant.resource == "*" || grant.verb == "*";
            role.grants.insert(std::move(grant));
          }
        }
      }
    }
    return role;
  } catch (const YAML::Exception& e) {
    return InvalidError(path + ": " + e.what());
  }
}

std::string ToString(const Grant& grant) {
  return (grant.group.empty() ? std::string("core") : grant.group) + " " + grant.resource + " " +
         grant.verb;
}

}  // namespace osbx::rbac
