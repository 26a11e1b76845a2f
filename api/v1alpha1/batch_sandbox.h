#pragma once
// The BatchSandbox resource of sandbox.opensandbox.io/v1alpha1: its typed view and codec (generated
// from schema.yaml into types_generated.h), and defaulting and validation with the very schema
// of the generated CRD, so this process and any API server serving that CRD agree on every rule.

#include <vector>

#include "api/v1alpha1/crds_generated.h"
#include "api/v1alpha1/types_generated.h"
#include "pkg/kube/schema/schema.h"

namespace osbx::api::v1alpha1 {

using kube::schema::FieldError;

// The typed view of a BatchSandbox object. Invalid when a declared field has the wrong type or a
// required field is missing (defaults are not applied; see DefaultBatchSandbox).
[[nodiscard]] StatusOr<BatchSandbox> DecodeBatchSandbox(const Json& object);

// The JSON object of a typed BatchSandbox; apiVersion and kind are filled in when unset.
[[nodiscard]] Json Encode(const BatchSandbox& object);

// The compiled openAPIV3Schema of the BatchSandbox CRD (built once, shared by all threads).
const kube::schema::Schema& BatchSandboxSchema();

// Every field error of `object` against the CRD schema, CEL rules included; `old` (nullable) is
// the stored object on update and enables the transition rules.
[[nodiscard]] std::vector<FieldError> ValidateBatchSandbox(const Json& object, const Json* old);

// Applies the CRD's defaults in place, as the API server does on create and read.
void DefaultBatchSandbox(Json& object);

}  // namespace osbx::api::v1alpha1
