#pragma once
// Exception-free reads of the object metadata that stores, indexers and predicates need: the
// cache key ("ns/name"), name, namespace, uid, resourceVersion, generation, labels, annotations
// and owner references. A missing or mistyped field reads as empty, never throws.

#include <cstdint>
#include <string>
#include <string_view>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::kube {

// metadata.<field> as a string, or "" when absent or not a string.
std::string_view MetaString(const Json& obj, std::string_view field);
// metadata.generation, or 0.
int64_t MetaGeneration(const Json& obj);
// metadata.<field> (labels, annotations) when it is an object, else nullptr.
const Json* MetaMap(const Json& obj, std::string_view field);
// The key an object is cached under: "namespace/name", or "name" for cluster-scoped objects.
// Invalid when metadata.name is missing.
StatusOr<std::string> ObjectKey(const Json& obj);

}  // namespace osbx::kube
