#pragma once
// What an API path addresses: /api/v1/..., /apis/<group>/<version>/..., namespaced or not,
// collection or item, and a subresource, parsed as kube-apiserver's RequestInfo does.

#include <optional>
#include <string>
#include <string_view>

namespace osbx::standalone {

struct RequestInfo {
  std::string group;  // "" for /api
  std::string version;
  std::string namespace_;   // from /namespaces/<ns>/<resource>...; empty otherwise
  bool namespaced = false;  // the path had a namespace segment
  std::string resource;     // plural; empty for /api/v1 and /apis/<g>/<v> themselves
  std::string name;         // empty for a collection
  std::string subresource;  // "status", "log", ...
};

// Parses a resource path. nullopt for paths outside /api/v1/... and /apis/<g>/<v>/... or with
// too many segments.
std::optional<RequestInfo> ParseResourcePath(std::string_view path);

}  // namespace osbx::standalone
