#include "pkg/kube/client/paths.h"

namespace osbx::kube {

std::string ResourcePath(const ResourceRef& resource, std::string_view ns, std::string_view name,
                         std::string_view subresource) {
  std::string path = resource.group.empty() ? "/api/" + resource.version
                                            : "/apis/" + resource.group + "/" + resource.version;
  if (resource.namespaced && !ns.empty()) {
    path += "/namespaces/";
    path += QueryEscape(ns);
  }
  path += "/";
  path += resource.resource;
  if (!name.empty()) {
    path += "/";
    path += QueryEscape(name);
    if (!subresource.empty()) {
      path += "/";
      path += subresource;
    }
  }
  return path;
}

std::string QueryEscape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string EncodeQuery(const Query& query) {
  std::string out;
  for (const auto& [key, value] : query) {
    out += out.empty() ? "?" : "&";
    out += QueryEscape(key);
    out += "=";
    out += QueryEscape(value);
  }
  return out;
}

Query ListQuery(const ListOptions& options, bool watch) {
  Query q;
  if (watch) q.emplace_back("watch", "1");
  if (!options.label_selector.empty()) q.emplace_back("labelSelector", options.label_selector);
  if (!options.field_selector.empty()) q.emplace_back("fieldSelector", options.field_selector);
  if (!options.resource_version.empty()) {
    q.emplace_back("resourceVersion", options.resource_version);
  }
  if (!options.resource_version_match.empty()) {
    q.emplace_back("resourceVersionMatch", options.resource_version_match);
  }
  if (options.limit > 0) q.emplace_back("limit", std::to_string(options.limit));
  if (!options.continue_token.empty()) q.emplace_back("continue", options.continue_token);
  if (watch && options.allow_watch_bookmarks) q.emplace_back("allowWatchBookmarks", "true");
  if (watch && options.send_initial_events) q.emplace_back("sendInitialEvents", "true");
  if (options.timeout_seconds) {
    q.emplace_back("timeoutSeconds", std::to_string(*options.timeout_seconds));
  }
  return q;
}

std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  size_t slash = rest.find('/');
  return std::string(rest.substr(0, slash));
}

}  // namespace osbx::kube
