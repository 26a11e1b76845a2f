#pragma once
// Wire encoding of JSON the way kube-apiserver writes it: compact, with `<`, `>`, `&`, U+2028 and
// U+2029 escaped as Go's encoder does, and with built-in objects in Go struct field order
// (kind, apiVersion, metadata, spec, status; ObjectMeta in its declared order) while custom
// resources keep alphabetical keys, as their unstructured encoding does.

#include <string>
#include <string_view>

#include "internal/utils/json.h"

namespace osbx::standalone {

// Compact JSON text with Go's HTML-safe escaping; no trailing newline.
std::string GoJson(const Json& value);
std::string GoJson(const OrderedJson& value);

// Escapes `<`, `>`, `&`, U+2028 and U+2029 in already encoded JSON text, in place.
void EscapeGoHtml(std::string& json_text);

// Whether `field` is one of ObjectMeta's fields (the ones OrderObjectMeta orders).
bool IsObjectMetaField(std::string_view field);

// ObjectMeta in Go struct order (name, generateName, namespace, ..., managedFields).
OrderedJson OrderObjectMeta(const Json& metadata);

// A built-in object in Go struct order at the top level and in its metadata; nested fields keep
// alphabetical order.
OrderedJson OrderBuiltinObject(const Json& object);

// Converts without reordering (alphabetical keys, as nlohmann::json keeps them).
OrderedJson ToOrdered(const Json& value);

}  // namespace osbx::standalone
