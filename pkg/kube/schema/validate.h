#pragma once
// The three validation passes kube-apiserver runs on a custom resource, in its order: OpenAPI
// keywords, list-type invariants (sets and maps), then x-kubernetes-validations rules.

#include <vector>

#include "internal/utils/json.h"
#include "pkg/kube/schema/node.h"
#include "pkg/kube/schema/schema.h"

namespace osbx::kube::schema {

// OpenAPI keyword errors; paths use the validator's dotted form ("spec.labels.app").
void ValidateKeywords(const Node& root, const Json& object, bool resource_root,
                      std::vector<FieldError>& errors);

// Duplicate entries of x-kubernetes-list-type set/map lists and missing map keys.
void ValidateListTypes(const Node& root, const Json& object, std::vector<FieldError>& errors);

// x-kubernetes-validations rules; `old_object` (nullable) enables transition rules.
void ValidateRules(const Node& root, const Json& object, const Json* old_object,
                   std::vector<FieldError>& errors);

}  // namespace osbx::kube::schema
