#pragma once
// Builds apiextensions.k8s.io/v1 CustomResourceDefinitions from the API's schema source
// (api/v1alpha1/schema.yaml): one CRD per resource, with the generator-only `x-cpp-*` keys removed.

#include <string>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::crdgen {

// One generated CRD and the file name it is written under in config/crd/bases.
struct GeneratedCrd {
  std::string kind;       // e.g. "BatchSandbox"
  std::string file_name;  // e.g. "sandbox.opensandbox.io_batchsandboxes.yaml"
  OrderedJson crd;        // the CustomResourceDefinition object
};

// Builds every CRD the schema source declares, in declaration order.
[[nodiscard]] StatusOr<std::vector<GeneratedCrd>> BuildCrds(const OrderedJson& source);

// `doc` without any object key starting with "x-cpp-", at any depth.
[[nodiscard]] OrderedJson StripGeneratorKeys(const OrderedJson& doc);

// The YAML text written for a CRD: a header naming the generator, then the object.
[[nodiscard]] std::string CrdFileText(const GeneratedCrd& crd);

}  // namespace osbx::crdgen
