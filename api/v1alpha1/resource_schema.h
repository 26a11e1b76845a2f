#pragma once
// Compiles the openAPIV3Schema embedded in a generated CRD (crds_generated.h) once per process.
// The CRDs are generated from the same source as the code, so a compile failure is a build defect:
// it aborts at first use with the reason, never at an arbitrary later point.

#include <string_view>

#include "pkg/kube/schema/schema.h"

namespace osbx::api::v1alpha1::internal {

// The compiled schema of `crd_json` (a CustomResourceDefinition with one version).
const kube::schema::Schema& CompileCrdSchemaOrDie(std::string_view crd_json);

}  // namespace osbx::api::v1alpha1::internal
