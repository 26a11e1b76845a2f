#include "pkg/kube/patch/patch_schema.h"

namespace osbx::kube::patch {
namespace {

// metav1.ObjectMeta: finalizers merge as a set, ownerReferences by uid.
void AddObjectMeta(PatchSchema& schema, std::string_view prefix) {
  std::string p(prefix);
  schema.MergeList(p + "metadata.finalizers");
  schema.MergeList(p + "metadata.ownerReferences", "uid");
}

// core/v1 Container and EphemeralContainer fields under `prefix`.
void AddContainer(PatchSchema& schema, const std::string& prefix) {
  schema.MergeList(prefix, "name");
  schema.MergeList(prefix + ".ports", "containerPort");
  schema.MergeList(prefix + ".env", "name");
  schema.MergeList(prefix + ".volumeMounts", "mountPath");
  schema.MergeList(prefix + ".volumeDevices", "devicePath");
}

void AddPodSpec(PatchSchema& schema, const std::string& spec) {
  AddContainer(schema, spec + ".containers");
  AddContainer(schema, spec + ".initContainers");
  AddContainer(schema, spec + ".ephemeralContainers");
  schema.MergeList(spec + ".volumes", "name").RetainKeys(spec + ".volumes");
  schema.MergeList(spec + ".imagePullSecrets", "name");
  schema.MergeList(spec + ".hostAliases", "ip");
  schema.MergeList(spec + ".topologySpreadConstraints", "topologyKey");
  schema.MergeList(spec + ".schedulingGates", "name");
  schema.MergeList(spec + ".resourceClaims", "name").RetainKeys(spec + ".resourceClaims");
}

void AddPodStatus(PatchSchema& schema) {
  schema.MergeList("status.conditions", "type");
  schema.MergeList("status.podIPs", "ip");
  schema.MergeList("status.hostIPs", "ip");
  schema.MergeList("status.resourceClaimStatuses", "name")
      .RetainKeys("status.resourceClaimStatuses");
}

std::unique_ptr<PatchSchema> BuildPodSchema() {
  auto schema = std::make_unique<PatchSchema>();
  AddObjectMeta(*schema, "");
  AddPodSpec(*schema, "spec");
  AddPodStatus(*schema);
  return schema;
}

std::unique_ptr<PatchSchema> BuildTaskTemplateSchema() {
  auto schema = std::make_unique<PatchSchema>();
  AddObjectMeta(*schema, "");
  schema->MergeList("spec.process.env", "name");
  return schema;
}

}  // namespace

const PatchSchema::Field* PatchSchema::Lookup(std::string_view name) const {
  auto it = fields_.find(name);
  return it == fields_.end() ? nullptr : &it->second;
}

const PatchSchema* PatchSchema::Child(std::string_view name) const {
  const Field* field = Lookup(name);
  return field == nullptr ? nullptr : field->schema.get();
}

PatchSchema::Field& PatchSchema::FieldAt(std::string_view path) {
  size_t dot = path.find('.');
  Field& field = fields_[std::string(path.substr(0, dot))];
  if (dot == std::string_view::npos) return field;
  if (!field.schema) field.schema = std::make_unique<PatchSchema>();
  return field.schema->FieldAt(path.substr(dot + 1));
}

PatchSchema& PatchSchema::MergeList(std::string_view path, std::string merge_key) {
  Field& field = FieldAt(path);
  field.merge = true;
  field.merge_key = std::move(merge_key);
  return *this;
}

PatchSchema& PatchSchema::RetainKeys(std::string_view path) {
  FieldAt(path).retain_keys = true;
  return *this;
}

PatchSchema& PatchSchema::ReplaceMap(std::string_view path) {
  FieldAt(path).replace = true;
  return *this;
}

const PatchSchema& PodSchema() {
  static const std::unique_ptr<PatchSchema> schema = BuildPodSchema();
  return *schema;
}

const PatchSchema& TaskTemplateSchema() {
  static const std::unique_ptr<PatchSchema> schema = BuildTaskTemplateSchema();
  return *schema;
}

const PatchSchema& EmptySchema() {
  static const PatchSchema schema;
  return schema;
}

}  // namespace osbx::kube::patch
