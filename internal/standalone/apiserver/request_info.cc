#include "internal/standalone/apiserver/request_info.h"

#include <vector>

namespace osbx::standalone {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

}  // namespace

std::optional<RequestInfo> ParseResourcePath(std::string_view path) {
  std::vector<std::string> parts = Split(path);
  RequestInfo info;
  size_t pos = 0;
  if (parts.size() >= 2 && parts[0] == "api") {
    info.version = parts[1];
    pos = 2;
  } else if (parts.size() >= 3 && parts[0] == "apis") {
    info.group = parts[1];
    info.version = parts[2];
    pos = 3;
  } else {
    return std::nullopt;
  }
  std::vector<std::string> rest(parts.begin() + static_cast<long>(pos), parts.end());
  if (rest.size() >= 3 && rest[0] == "namespaces") {
    info.namespaced = true;
    info.namespace_ = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.size() > 3) return std::nullopt;
  if (!rest.empty()) info.resource = rest[0];
  if (rest.size() >= 2) info.name = rest[1];
  if (rest.size() == 3) info.subresource = rest[2];
  return info;
}

}  // namespace osbx::standalone
