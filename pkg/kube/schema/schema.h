#pragma once
// Structural OpenAPI v3 schemas as Kubernetes CustomResourceDefinitions use them.
//
// A Schema is compiled once from a CRD version's `openAPIV3Schema` and then prunes unknown
// fields, applies `default:` values and validates objects (keywords, list types and the
// `x-kubernetes-validations` CEL rules) with the field paths and messages kube-apiserver uses,
// so a 422 produced here reads byte-for-byte like one from a real cluster.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::kube::schema {

// One field error, as kube-apiserver reports it in details.causes[].
struct FieldError {
  // Cause reason: "FieldValueInvalid", "FieldValueRequired", "FieldValueNotSupported",
  // "FieldValueTypeInvalid", "FieldValueTooLong", "FieldValueTooMany", "FieldValueDuplicate",
  // "FieldValueForbidden".
  std::string type;
  // "spec.replicas", "spec.capacitySpec", "spec.containers[0].name", "spec.labels[app]"; the
  // literal "<nil>" for errors about the whole object.
  std::string field;
  // The cause message exactly as kube-apiserver writes it ("Invalid value: -1: ...").
  std::string message;

  bool operator==(const FieldError&) const = default;
};

struct Node;  // compiled schema tree; defined in node.h

// How Compile treats the schema's root.
struct CompileOptions {
  // The root describes a whole Kubernetes object: `apiVersion`, `kind` and `metadata` are always
  // allowed there (kube-apiserver handles ObjectMeta itself), never pruned and never reported.
  bool resource_root = true;
};

class Schema {  // immutable once compiled; safe to share across threads
 public:
  // Compiles an openAPIV3Schema (JSON). Refuses (InvalidError with a message naming the path)
  // keywords it does not support where ignoring them would change validation, and any
  // x-kubernetes-validations rule outside the supported CEL subset or failing its type check,
  // naming the rule and its path.
  [[nodiscard]] static StatusOr<std::shared_ptr<const Schema>> Compile(
      const Json& open_api_v3_schema, CompileOptions options = {});

  // Removes fields the schema does not declare (outside x-kubernetes-preserve-unknown-fields).
  // Returns the removed unknown fields' paths, sorted, as the
  // apiserver's `unknown field "spec.foo"` warnings print them ("spec.foo", "spec.items[0].x").
  std::vector<std::string> Prune(Json& object) const;

  // Applies `default:` values the way kube-apiserver does on create and on read: nulls of
  // non-nullable fields are dropped first, defaults fill absent fields of present objects only,
  // nothing is defaulted inside x-kubernetes-preserve-unknown-fields.
  void ApplyDefaults(Json& object) const;

  // Validates `object`; `old_object` (nullable) enables transition rules (oldSelf). Returns
  // every field error, in the order kube-apiserver lists them.
  [[nodiscard]] std::vector<FieldError> Validate(const Json& object, const Json* old_object) const;

  // The compiled tree (for the apiserver's OpenAPI publishing and tests).
  const Node& root() const { return *root_; }

  Schema(std::unique_ptr<Node> root, CompileOptions options);
  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

 private:
  std::unique_ptr<Node> root_;
  CompileOptions options_;
};

// The 422 Status kube-apiserver answers for these errors, e.g. message
// `BatchSandbox.sandbox.opensandbox.io "x" is invalid: spec.replicas: Invalid value: -1:
// spec.replicas in body should be greater than or equal to 0` (several errors: the bracketed
// `[e1, e2]` form, identical lines once), with every error attached as a cause.
Status InvalidStatus(std::string_view kind, std::string_view group, std::string_view name,
                     const std::vector<FieldError>& errors);

}  // namespace osbx::kube::schema
