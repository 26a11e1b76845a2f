#pragma once
// The patch metadata strategic merge patch needs (what kube reads from `patchStrategy` and
// `patchMergeKey` struct tags): which lists merge (and by which key), which maps are replaced
// whole, which use retainKeys. Fields without metadata merge as maps and are replaced as lists.
// Schemas for the objects this project patches strategically: Pods (shardPatches, kubectl apply
// on pods in standalone mode) and task templates (shardTaskPatches).

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace osbx::kube::patch {

class PatchSchema {
 public:
  struct Field {
    bool merge = false;        // patchStrategy "merge": lists merge (by merge_key when maps)
    bool replace = false;      // patchStrategy "replace": maps are replaced whole
    bool retain_keys = false;  // patchStrategy "retainKeys": the client sends $retainKeys
    std::string merge_key;     // patchMergeKey, for lists of maps
    std::unique_ptr<PatchSchema> schema;  // the value's schema (a list's element schema)
  };

  PatchSchema() = default;
  PatchSchema(const PatchSchema&) = delete;
  PatchSchema& operator=(const PatchSchema&) = delete;

  // The metadata of a field, nullptr when it has none.
  const Field* Lookup(std::string_view name) const;
  // The schema of a field's value (or list element); nullptr when unknown.
  const PatchSchema* Child(std::string_view name) const;

  // Builders, by dotted path from this schema ("spec.containers.env"); a list's element fields
  // are addressed through the list's own name. Intermediate fields are created as needed.
  PatchSchema& MergeList(std::string_view path, std::string merge_key = "");
  PatchSchema& RetainKeys(std::string_view path);
  PatchSchema& ReplaceMap(std::string_view path);

 private:
  Field& FieldAt(std::string_view path);

  std::map<std::string, Field, std::less<>> fields_;
};

// core/v1 Pod (also right for a PodTemplateSpec: metadata + spec).
const PatchSchema& PodSchema();
// The project's TaskTemplateSpec ({spec: {process: {env by name}}}).
const PatchSchema& TaskTemplateSchema();
// A schema with no metadata at all: strategic merge then behaves like a JSON merge patch with
// the SMP directives understood.
const PatchSchema& EmptySchema();

}  // namespace osbx::kube::patch
