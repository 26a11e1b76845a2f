#pragma once
// Encoding of request bodies and query parameters, and decoding of response bodies, for the REST
// client: JSON parsing without exceptions, list pages, DeleteOptions, object addressing checks.

#include <optional>
#include <string>
#include <string_view>

#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/client/paths.h"
#include "pkg/kube/client/resource.h"

namespace osbx::kube {

struct DeleteOptions;

// Parses a response body; a body that is not JSON is kInternal naming the problem.
[[nodiscard]] StatusOr<Json> ParseJsonBody(std::string_view body);

// Decodes a list answer into a page. Items missing apiVersion/kind (built-in lists) get the
// resource's, so every cached object is self-describing.
[[nodiscard]] StatusOr<ListResult> ParseListBody(std::string_view body,
                                                 const ResourceRef& resource);

// Serialises a body; invalid UTF-8 in strings is replaced rather than thrown on.
std::string DumpJson(const Json& value);

// metadata.name / metadata.namespace of an object, or "".
std::string ObjectName(const Json& object);
std::string ObjectNamespace(const Json& object);

// Fails when a call on one object lacks its name, or its namespace for a namespaced resource.
[[nodiscard]] Status CheckObjectAddress(const ResourceRef& resource, std::string_view ns,
                                        std::string_view name);

// fieldManager and dryRun query parameters of write calls.
Query WriteQuery(const std::string& field_manager, bool dry_run);

// The DeleteOptions body of a delete, or nullopt when every option is at its default.
std::optional<Json> DeleteOptionsBody(const DeleteOptions& options);

}  // namespace osbx::kube
