#pragma once
// OpenAPI v3 publishing: the /openapi/v3 index (one entry per served group-version, each with
// the hash of its document) and the per-group-version documents, whose paths carry the
// operations kubectl inspects (the PATCH operation with its fieldValidation parameter and
// x-kubernetes-group-version-kind) and whose components hold the CRD schemas in full (built-in
// kinds get minimal schemas).

#include <string>

#include "internal/standalone/apiserver/registry.h"
#include "internal/utils/json.h"

namespace osbx::standalone {

// The document of one group-version ("" group = core), compact JSON without trailing newline;
// empty when the group-version is not served.
std::string OpenApiDocument(const Registry& registry, const std::string& group,
                            const std::string& version);

// The index: {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=..."},...}}.
std::string OpenApiIndex(const Registry& registry);

// Uppercase SHA-512 hex (no quotes) of a document.
std::string OpenApiHash(const std::string& document);

// The schema name kube publishes for a kind ("io.opensandbox.sandbox.v1alpha1.BatchSandbox").
std::string SchemaName(const ResourceInfo& resource);

}  // namespace osbx::standalone
