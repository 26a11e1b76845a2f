#pragma once
// Generates the C++ typed views of the API from its schema source: one struct per object schema
// named by `x-cpp-type`, string constants per `x-cpp-enum`, a JSON codec (DecodeJson/EncodeJson
// overloads) and the CRDs embedded as JSON text. The generated code includes
// api/v1alpha1/codec.h for the scalar codecs and IntOrString.

#include <map>
#include <string>
#include <vector>

#include "hack/crdgen/crd.h"
#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::crdgen {

// Generated sources keyed by file name (e.g. "types_generated.h").
using GeneratedFiles = std::map<std::string, std::string>;

// Generates the typed views and the embedded CRDs. `crds` are the CRDs BuildCrds made from the
// same source; they are embedded byte for byte (as compact JSON).
[[nodiscard]] StatusOr<GeneratedFiles> GenerateCpp(const OrderedJson& source,
                                                   const std::vector<GeneratedCrd>& crds);

// "observedGeneration" -> "observed_generation".
[[nodiscard]] std::string SnakeCase(const std::string& camel);

}  // namespace osbx::crdgen
