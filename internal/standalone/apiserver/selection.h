#pragma once
// Which objects a list or watch selects: namespace, `labelSelector` and `fieldSelector` (only
// the fields kube-apiserver supports for the resource; others answer 400 "field label not
// supported"), parsed with kube's error messages.

#include <string>

#include "internal/standalone/apiserver/api_error.h"
#include "internal/standalone/apiserver/registry.h"
#include "internal/standalone/store/store.h"
#include "internal/utils/json.h"
#include "pkg/http/request.h"
#include "pkg/kube/meta/field_selector.h"
#include "pkg/kube/meta/label_selector.h"

namespace osbx::standalone {

struct Selection {
  kube::LabelSelector labels = kube::LabelSelector::Everything();
  kube::FieldSelector fields = kube::FieldSelector::Everything();

  bool Matches(const Json& object) const;
};

[[nodiscard]] ApiOr<Selection> ParseSelection(const ResourceInfo& resource,
                                              const http::QueryParams& query);

// A store list of everything under `prefix` at the current RV.
inline ListRequest ListAll(std::string prefix) {
  ListRequest request;
  request.prefix = std::move(prefix);
  return request;
}

// The store prefix of a list or watch in namespace `ns` ("" = all namespaces).
std::string ListPrefix(const ResourceInfo& resource, const std::string& ns);

}  // namespace osbx::standalone
