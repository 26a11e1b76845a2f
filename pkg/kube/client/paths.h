#pragma once
// URL paths and query strings of the Kubernetes REST API: /api/v1/... for the core group,
// /apis/<group>/<version>/... otherwise; namespaces/<ns>/ for namespaced resources; list and
// watch options as query parameters (metav1.ListOptions).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pkg/kube/client/resource.h"

namespace osbx::kube {

// Ordered query parameters; values are encoded by EncodeQuery.
using Query = std::vector<std::pair<std::string, std::string>>;

// The path of a collection (name empty) or of one object (optionally a subresource). An empty
// namespace on a namespaced resource addresses all namespaces (lists and watches only).
std::string ResourcePath(const ResourceRef& resource, std::string_view ns,
                         std::string_view name = {}, std::string_view subresource = {});

// Percent-encodes one query component (RFC 3986 unreserved characters stay as they are).
std::string QueryEscape(std::string_view value);

// "?a=1&b=2", or "" for an empty query.
std::string EncodeQuery(const Query& query);

// The query of a list (watch = false) or watch request.
Query ListQuery(const ListOptions& options, bool watch);

// Scheme, host and port of a URL ("https://h:6443/x" -> "h:6443"), for metrics labels.
std::string UrlHost(std::string_view url);

}  // namespace osbx::kube
