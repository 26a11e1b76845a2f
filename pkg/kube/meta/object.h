#pragma once
// Accessors over a Kubernetes object held as JSON: metadata fields, labels, annotations,
// finalizers, owner references and timestamps, plus the "namespace/name" key informers and work
// queues use. Readers never throw: a missing or mistyped field reads as empty. Writers create the
// metadata they need and report whether they changed anything, so callers can skip no-op writes.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::kube {

// ---- metadata scalars (views into the object; empty when missing) ----
std::string_view GetName(const Json& object);
std::string_view GetNamespace(const Json& object);
std::string_view GetGenerateName(const Json& object);
std::string_view GetUid(const Json& object);
std::string_view GetResourceVersion(const Json& object);
std::string_view GetApiVersion(const Json& object);
std::string_view GetKind(const Json& object);
int64_t GetGeneration(const Json& object);
std::optional<Time> GetCreationTimestamp(const Json& object);
std::optional<Time> GetDeletionTimestamp(const Json& object);
// True once deletion was requested (deletionTimestamp is set).
bool IsBeingDeleted(const Json& object);

// ---- "namespace/name" keys (cluster-scoped objects: "name") ----
std::string NamespacedKey(const Json& object);
std::string NamespacedKey(std::string_view ns, std::string_view name);
// Splits a key into {namespace, name}; a key without '/' has an empty namespace.
std::pair<std::string, std::string> SplitNamespacedKey(std::string_view key);

// ---- labels and annotations ----
std::optional<std::string_view> GetLabel(const Json& object, std::string_view key);
std::map<std::string, std::string> GetLabels(const Json& object);
// metadata.labels as JSON (a null value when absent), to match selectors without copying.
const Json& GetLabelsJson(const Json& object);
// Sets a label; returns true when the value changed.
bool SetLabel(Json& object, std::string_view key, std::string_view value);
bool RemoveLabel(Json& object, std::string_view key);
std::optional<std::string_view> GetAnnotation(const Json& object, std::string_view key);
std::map<std::string, std::string> GetAnnotations(const Json& object);
bool SetAnnotation(Json& object, std::string_view key, std::string_view value);
bool RemoveAnnotation(Json& object, std::string_view key);

// ---- finalizers ----
std::vector<std::string> GetFinalizers(const Json& object);
bool HasFinalizer(const Json& object, std::string_view finalizer);
// Appends the finalizer if absent; returns true when added.
bool AddFinalizer(Json& object, std::string_view finalizer);
// Removes every occurrence; drops the list when it becomes empty. Returns true when removed.
bool RemoveFinalizer(Json& object, std::string_view finalizer);

// ---- owner references ----
struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
  std::optional<bool> block_owner_deletion;

  bool IsController() const { return controller.value_or(false); }
  Json ToJson() const;
  static OwnerReference FromJson(const Json& json);
  bool operator==(const OwnerReference&) const = default;
};

std::vector<OwnerReference> GetOwnerReferences(const Json& object);
// The owner reference with controller=true, if any.
std::optional<OwnerReference> GetControllerOf(const Json& object);
bool IsControlledBy(const Json& object, std::string_view owner_uid);
// A controller reference to `owner` (controller and blockOwnerDeletion true). The owner's own
// apiVersion/kind are often absent (items of built-in lists), so the caller names them.
OwnerReference MakeControllerRef(const Json& owner, std::string_view api_version,
                                 std::string_view kind);
// Adds or replaces (same API group, kind and name) an owner reference. Returns true on change.
bool UpsertOwnerReference(Json& object, const OwnerReference& ref);
// Makes `ref` the controller of `object`. Fails with kConflict when another controller owns it.
[[nodiscard]] Status SetControllerReference(Json& object, const OwnerReference& ref);
bool RemoveOwnerReference(Json& object, std::string_view owner_uid);

}  // namespace osbx::kube
