#pragma once
// The project's JSON object model. Kubernetes objects are held as nlohmann::json documents so that
// fields the code does not know survive every round trip; typed views (api/v1alpha1) are decoded
// from them where business logic needs plain structs.

#include <nlohmann/json.hpp>

namespace osbx {

using Json = nlohmann::json;
// Keeps keys in insertion order; used where output order matters (built-in object encodings).
using OrderedJson = nlohmann::ordered_json;

}  // namespace osbx
