#pragma once
// Request bodies in, objects out: decoding of JSON, YAML and protobuf bodies with
// kube-apiserver's error messages, the unknown-field handling of `fieldValidation`
// (Strict/Warn/Ignore), and the wire form of stored objects (custom resources with sorted keys,
// built-ins in Go struct order, CRD defaults applied on read).

#include <string>
#include <string_view>
#include <vector>

#include "internal/standalone/apiserver/api_error.h"
#include "internal/standalone/apiserver/negotiation.h"
#include "internal/standalone/apiserver/registry.h"
#include "internal/utils/json.h"

namespace osbx::standalone {

// Parses JSON text; nullopt-like error text in Go's words on failure ("unexpected end of JSON
// input", "invalid character 'x' looking for beginning of value").
[[nodiscard]] ApiOr<Json> ParseJsonText(std::string_view text, std::string* go_error = nullptr);

// Converts YAML text (one document) to JSON. BadRequest on malformed YAML.
[[nodiscard]] ApiOr<Json> ParseYamlText(std::string_view text);

// Decodes the body of a create/update for `resource` by its Content-Type.
[[nodiscard]] ApiOr<Json> DecodeObjectBody(const ResourceInfo& resource, BodyType type,
                                           std::string_view body);

// Applies fieldValidation to a decoded object: drops unknown fields (metadata fields kube does
// not know, and for CRs fields outside the schema). Strict answers 400 with every problem;
// Warn (and absent) fills `warnings` with the texts for Warning headers; Ignore drops silently.
// `duplicates` are keys the body repeated (FindDuplicateFields), reported before unknown fields.
[[nodiscard]] ApiOr<bool> ApplyFieldValidation(const ResourceInfo& resource, std::string_view mode,
                                               Json& object, std::vector<std::string>* warnings,
                                               const std::vector<std::string>& duplicates = {});

// The dotted paths of keys that appear twice in one JSON object of `text` ("spec.replicas"), in
// the order they are met; empty for malformed text.
std::vector<std::string> FindDuplicateFields(std::string_view text);

// An object as GET returns it. CR defaults are applied on read.
OrderedJson WireObject(const ResourceInfo& resource, Json object);
// Applies CRD defaults (on read) in place; no-op for built-ins.
void DefaultOnRead(const ResourceInfo& resource, Json& object);

// The same value as YAML (keys in order), as `Accept: application/yaml` asks for.
std::string YamlText(const OrderedJson& value);

// The complete JSON body text of an API answer (Go-escaped, newline-terminated).
std::string BodyText(const OrderedJson& value);

}  // namespace osbx::standalone
