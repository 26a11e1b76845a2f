#pragma once
// What every top-level kind of v1alpha1 (BatchSandbox, Pool) does the same way: decoding and
// encoding a whole object through its generated codec, and compiling the openAPIV3Schema embedded
// in its generated CRD (crds_generated.h) once per process. The CRDs are generated from the same
// source as the code, so a compile failure is a build defect: it aborts at first use with the
// reason, never at an arbitrary later point.

#include <string_view>

#include "api/v1alpha1/crds_generated.h"
#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/schema/schema.h"

namespace osbx::api::v1alpha1::internal {

// The compiled schema of `crd_json` (a CustomResourceDefinition with one version).
const kube::schema::Schema& CompileCrdSchemaOrDie(std::string_view crd_json);

// The typed view of a whole object of top-level type T (its generated DecodeJson).
template <typename T>
[[nodiscard]] StatusOr<T> DecodeObject(const Json& object) {
  T out;
  OSBX_RETURN_IF_ERROR(DecodeJson(object, "", &out));
  return out;
}

// The JSON object of a typed top-level object; apiVersion and `kind` are filled in when unset.
template <typename T>
[[nodiscard]] Json EncodeObject(const T& object, std::string_view kind) {
  Json out = EncodeJson(object);
  if (!object.api_version) out["apiVersion"] = kApiVersion;
  if (!object.kind) out["kind"] = kind;
  return out;
}

}  // namespace osbx::api::v1alpha1::internal
