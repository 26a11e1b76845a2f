#pragma once
// Conversions between YAML text and JSON documents for the CRD generator.
//
// YamlToJson resolves plain scalars with the YAML 1.2 core schema (null, booleans, integers,
// floats); quoted scalars always stay strings. EmitYaml writes a JSON document as block-style YAML
// whose bytes depend only on the document (key order is kept), so generated manifests are stable
// and diffable.

#include <string>
#include <string_view>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::crdgen {

// Parses YAML text (one document) into an order-preserving JSON document.
[[nodiscard]] StatusOr<OrderedJson> YamlToJson(std::string_view yaml_text);

// Writes `doc` as block-style YAML ending with a newline.
[[nodiscard]] std::string EmitYaml(const OrderedJson& doc);

// True when `s` may be written as a plain YAML scalar and still reads back as the same string.
[[nodiscard]] bool IsPlainSafe(std::string_view s);

}  // namespace osbx::crdgen
