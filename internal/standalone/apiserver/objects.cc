// Object operations of the API server: create, read-modify-write, delete, with the metadata,
// status, generation, finalizer and schema rules of kube-apiserver.

#include <future>
#include <random>

#include <fmt/format.h>

#include "internal/standalone/apiserver/api_server.h"
#include "internal/standalone/apiserver/builtin_validation.h"
#include "internal/standalone/apiserver/managed_fields.h"
#include "internal/standalone/apiserver/meta_util.h"
#include "internal/standalone/apiserver/object_codec.h"
#include "internal/standalone/apiserver/selection.h"
#include "internal/standalone/apiserver/wire_json.h"
#include "internal/standalone/store/stamp.h"
#include "pkg/kube/meta/names.h"
#include "pkg/kube/meta/timestamp.h"

namespace osbx::standalone {
namespace {

using internal::Finalizers;
using internal::HasGeneration;
using internal::Meta;
using internal::MetaString;

// What a read-modify-write did to the stored object.
enum class Outcome { kUnchanged, kCreated, kUpdated, kRemoved };

// A terminating object whose last finalizer is gone and whose grace period is over is removed
// by the write that released it.
bool ReleasedForDeletion(const Json& object) {
  const Json& meta = object["metadata"];
  return meta.contains("deletionTimestamp") && Finalizers(object).empty() &&
         meta.value("deletionGracePeriodSeconds", int64_t{0}) == 0;
}

// Everything except metadata (and status when `skip_status`).
Json SpecPart(const Json& object, bool skip_status) {
  Json out = object;
  out.erase("metadata");
  out.erase("apiVersion");
  out.erase("kind");
  if (skip_status) out.erase("status");
  return out;
}

Json WithoutVolatileMeta(Json object) {
  Json& meta = Meta(object);
  meta.erase("managedFields");
  meta.erase("resourceVersion");
  return object;
}

Json CrdStatus(const Json& crd, const std::string& now) {
  const Json& spec = crd.value("spec", Json::object());
  Json status = Json::object();
  status["conditions"] = Json::array({{{"type", "NamesAccepted"},
                                       {"status", "True"},
                                       {"lastTransitionTime", now},
                                       {"reason", "NoConflicts"},
                                       {"message", "no conflicts found"}},
                                      {{"type", "Established"},
                                       {"status", "True"},
                                       {"lastTransitionTime", now},
                                       {"reason", "InitialNamesAccepted"},
                                       {"message", "the initial names have been accepted"}}});
  Json names = spec.value("names", Json::object());
  if (!names.contains("singular") && names.contains("kind")) {
    std::string s = names["kind"].get<std::string>();
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    names["singular"] = s;
  }
  if (!names.contains("listKind") && names.contains("kind")) {
    names["listKind"] = names["kind"].get<std::string>() + "List";
  }
  status["acceptedNames"] = names;
  Json stored = Json::array();
  for (const Json& v : spec.value("versions", Json::array())) {
    if (v.value("storage", false)) stored.push_back(v.value("name", ""));
  }
  status["storedVersions"] = stored;
  return status;
}

ApiError CrdInvalid(const Json& crd, const Status& status) {
  return ApiError::Invalid("CustomResourceDefinition", "apiextensions.k8s.io",
                           MetaString(crd, "name"), status.causes());
}

// The built-in kinds' spec rules for an update of the main resource. Only a write that changes
// the spec is checked, so metadata-only writes (finalizers, owner references, labels) still
// succeed on an object stored before these rules existed; subresources (status, binding) never
// carry a spec change of their own.
ApiOr<bool> ValidateBuiltinUpdate(const ResourceInfo& resource, const Json& old_object,
                                  const Json& result, const std::string& subresource) {
  if (resource.crd || !subresource.empty()) return true;
  if (SpecPart(result, true) == SpecPart(old_object, true)) return true;
  std::vector<StatusCause> causes = ValidateBuiltinSpec(resource.group, resource.resource, result);
  if (causes.empty()) return true;
  return ApiError::Invalid(resource.kind, resource.group, MetaString(old_object, "name"), causes);
}

}  // namespace

std::string ApiServer::Serialize(const ResourceInfo& resource, Json object) const {
  Meta(object)["resourceVersion"] = std::string(kResourceVersionPlaceholder);
  if (resource.crd) return GoJson(object);
  return GoJson(OrderBuiltinObject(object));
}

ApiOr<bool> ApiServer::ValidateCustom(const ResourceInfo& resource, const Json& object,
                                      const Json* old_object) const {
  if (!resource.crd || !resource.schema) return true;
  std::vector<kube::schema::FieldError> errors = resource.schema->Validate(object, old_object);
  if (errors.empty()) return true;
  std::vector<StatusCause> causes;
  for (const auto& e : errors) causes.push_back({e.type, e.message, e.field});
  return ApiError::Invalid(resource.kind, resource.group, MetaString(object, "name"), causes);
}

ApiOr<Json> ApiServer::PrepareCreate(const ResourceInfo& resource, const std::string& ns,
                                     Json object, const WriteOptions& options) const {
  if (!object.is_object()) return ApiError::BadRequest("the object provided is not an object");
  std::string kind = object.value("kind", "");
  if (!kind.empty() && kind != resource.kind) {
    return ApiError::Invalid(
        kind, resource.group, MetaString(object, "name"),
        {{"FieldValueInvalid",
          fmt::format("Invalid value: \"{}\": must be {}", kind, resource.kind), "kind"}});
  }
  object["kind"] = resource.kind;
  object["apiVersion"] = resource.ApiVersion();
  Json& meta = Meta(object);
  if (resource.namespaced) {
    std::string body_ns = MetaString(object, "namespace");
    if (!body_ns.empty() && body_ns != ns) {
      return ApiError::BadRequest(
          "the namespace of the provided object does not match the namespace sent on the "
          "request");
    }
    meta["namespace"] = ns;
  } else {
    meta.erase("namespace");
  }
  if (MetaString(object, "name").empty() && !MetaString(object, "generateName").empty()) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    meta["name"] = kube::GenerateName(MetaString(object, "generateName"), [] { return rng(); });
  }
  OSBX_API_ASSIGN_OR_RETURN(bool validated,
                            ApplyFieldValidation(resource, options.field_validation, object,
                                                 options.warnings, options.duplicate_fields));
  (void)validated;
  std::vector<StatusCause> causes = ValidateBuiltinName(resource.group, resource.resource, object);
  if (!resource.crd) {
    for (StatusCause& cause : ValidateBuiltinSpec(resource.group, resource.resource, object)) {
      causes.push_back(std::move(cause));
    }
  }
  if (!causes.empty()) {
    return ApiError::Invalid(resource.kind, resource.group, MetaString(object, "name"), causes);
  }
  for (const char* key : {"uid", "resourceVersion", "generation", "creationTimestamp",
                          "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"}) {
    meta.erase(key);
  }
  if (!options.apply) meta.erase("managedFields");
  std::string now = NowText();
  if (resource.crd && resource.has_status) object.erase("status");
  if (resource.resource == "pods") {
    Json status = object.value("status", Json::object());
    if (!status.is_object() || !status.contains("phase")) {
      object["status"] = {{"phase", "Pending"}, {"qosClass", "BestEffort"}};
    }
  } else if (resource.resource == "namespaces") {
    object["spec"] = {{"finalizers", {"kubernetes"}}};
    object["status"] = {{"phase", "Active"}};
    Json& m = Meta(object);
    m["labels"]["kubernetes.io/metadata.name"] = m["name"];
  } else if (resource.resource == "customresourcedefinitions") {
    StatusOr<ResourcePtr> built = Registry::BuildCrdResource(object);
    if (!built.ok()) return CrdInvalid(object, built.status());
    object["status"] = CrdStatus(object, now);
  }
  Json& m = Meta(object);
  m["uid"] = NewUid();
  m["creationTimestamp"] = now;
  if (HasGeneration(resource)) m["generation"] = 1;
  if (resource.crd) {
    resource.schema->ApplyDefaults(object);
    OSBX_API_ASSIGN_OR_RETURN(bool ok, ValidateCustom(resource, object, nullptr));
    (void)ok;
  }
  if (options.apply) {
    for (Json& entry : Meta(object)["managedFields"]) entry["time"] = now;
  } else {
    RecordUpdate({options.manager, "Update", resource.ApiVersion(), ""}, Json(), object, now);
  }
  return object;
}

ApiOr<std::optional<Json>> ApiServer::PrepareUpdate(const ResourceInfo& resource,
                                                    const Json& old_object, Json desired,
                                                    const std::string& subresource,
                                                    const WriteOptions& options) const {
  if (!desired.is_object()) return ApiError::BadRequest("the object provided is not an object");
  std::string kind = desired.value("kind", "");
  if (!kind.empty() && kind != resource.kind) {
    return ApiError::Invalid(
        kind, resource.group, MetaString(old_object, "name"),
        {{"FieldValueInvalid",
          fmt::format("Invalid value: \"{}\": must be {}", kind, resource.kind), "kind"}});
  }
  OSBX_API_ASSIGN_OR_RETURN(bool validated,
                            ApplyFieldValidation(resource, options.field_validation, desired,
                                                 options.warnings, options.duplicate_fields));
  (void)validated;
  Json result;
  if (subresource == "status") {
    result = old_object;
    if (desired.contains("status")) {
      result["status"] = desired["status"];
    } else {
      result.erase("status");
    }
  } else {
    result = std::move(desired);
    // A binding writes spec.nodeName and the PodScheduled condition together.
    bool keeps_status =
        resource.resource == "customresourcedefinitions" || subresource == "binding";
    if (resource.has_status && !keeps_status) {
      if (old_object.contains("status")) {
        result["status"] = old_object["status"];
      } else {
        result.erase("status");
      }
    }
  }
  result["kind"] = resource.kind;
  result["apiVersion"] = resource.ApiVersion();
  Json& meta = Meta(result);
  const Json& old_meta = old_object.value("metadata", Json::object());
  for (const char* key : {"name", "namespace", "uid", "creationTimestamp", "generation",
                          "deletionTimestamp", "deletionGracePeriodSeconds"}) {
    if (old_meta.contains(key)) {
      meta[key] = old_meta[key];
    } else {
      meta.erase(key);
    }
  }
  meta.erase("selfLink");
  if (!meta.contains("managedFields") && old_meta.contains("managedFields")) {
    meta["managedFields"] = old_meta["managedFields"];
  }
  if (old_meta.contains("deletionTimestamp")) {
    std::vector<std::string> before = Finalizers(old_object);
    std::vector<std::string> added;
    for (const std::string& f : Finalizers(result)) {
      if (std::find(before.begin(), before.end(), f) == before.end()) added.push_back(f);
    }
    if (!added.empty()) {
      std::string list;
      for (size_t i = 0; i < added.size(); ++i) {
        list += (i ? ", " : "") + kube::GoQuote(added[i]);
      }
      std::string message = fmt::format(
          "Forbidden: no new finalizers can be added if the object is being deleted, found new "
          "finalizers []string{{{}}}",
          list);
      StatusCause cause{"FieldValueForbidden", message, "metadata.finalizers"};
      return ApiError::Invalid(resource.kind, resource.group, MetaString(old_object, "name"),
                               {cause, cause});
    }
  }
  std::string now = NowText();
  if (resource.resource == "customresourcedefinitions") {
    StatusOr<ResourcePtr> built = Registry::BuildCrdResource(result);
    if (!built.ok()) return CrdInvalid(result, built.status());
    Json status = CrdStatus(result, now);
    if (old_object.contains("status") && old_object["status"].contains("conditions")) {
      status["conditions"] = old_object["status"]["conditions"];
    }
    result["status"] = status;
  }
  OSBX_API_ASSIGN_OR_RETURN(bool valid,
                            ValidateBuiltinUpdate(resource, old_object, result, subresource));
  (void)valid;
  if (resource.crd) {
    resource.schema->ApplyDefaults(result);
    Json old_defaulted = old_object;
    resource.schema->ApplyDefaults(old_defaulted);
    OSBX_API_ASSIGN_OR_RETURN(bool ok, ValidateCustom(resource, result, &old_defaulted));
    (void)ok;
  }
  if (HasGeneration(resource) && subresource != "binding") {  // kube's binding leaves it
    bool skip_status = resource.has_status || !resource.crd;
    if (SpecPart(result, skip_status) != SpecPart(old_object, skip_status)) {
      Meta(result)["generation"] = old_object["metadata"].value("generation", int64_t{0}) + 1;
    }
  }
  if (WithoutVolatileMeta(result) == WithoutVolatileMeta(old_object)) {
    return ApiOr<std::optional<Json>>(std::optional<Json>());
  }
  if (!options.apply) {
    RecordUpdate({options.manager, "Update", resource.ApiVersion(), subresource}, old_object,
                 result, now);
  }
  return std::optional<Json>(std::move(result));
}

ApiOr<Json> ApiServer::PrepareCreateIn(const ResourceInfo& resource, const std::string& ns,
                                       Json object, const WriteOptions& options) const {
  if (resource.namespaced) {
    ResourcePtr namespaces = registry_.Find("", "v1", "namespaces");
    StatusOr<ObjectPtr> found = store_.Get(namespaces->Key("", ns));
    if (!found.ok()) return ApiError::NotFound("", "namespaces", ns);
    Json ns_object = Json::parse((*found)->value, nullptr, false);
    if (ns_object.is_object() && ns_object["metadata"].contains("deletionTimestamp")) {
      std::string name = MetaString(object, "name");
      OrderedJson details = OrderedJson::object();
      if (!name.empty()) details["name"] = name;
      if (!resource.group.empty()) details["group"] = resource.group;
      details["kind"] = resource.resource;
      OrderedJson cause = OrderedJson::object();
      cause["reason"] = "NamespaceTerminating";
      cause["message"] = fmt::format("namespace {} is being terminated", ns);
      cause["field"] = "metadata.namespace";
      details["causes"] = OrderedJson::array({cause});
      return ApiError::Make(
          403, "Forbidden",
          fmt::format("{} \"{}\" is forbidden: unable to create new content in namespace {} "
                      "because it is being terminated",
                      QualifiedResource(resource.group, resource.resource), name, ns),
          std::move(details));
    }
  }
  return PrepareCreate(resource, ns, std::move(object), options);
}

ApiOr<Json> ApiServer::CreateObject(const ResourceInfo& resource, const std::string& ns,
                                    Json object, const WriteOptions& options) {
  OSBX_API_ASSIGN_OR_RETURN(Json prepared,
                            PrepareCreateIn(resource, ns, std::move(object), options));
  std::string name = MetaString(prepared, "name");
  if (options.dry_run) {
    StatusOr<ObjectPtr> existing = store_.Get(resource.Key(ns, name));
    if (existing.ok()) return ApiError::AlreadyExists(resource.group, resource.resource, name);
    Meta(prepared).erase("resourceVersion");
    return prepared;
  }
  StatusOr<ObjectPtr> stored = store_.Create(resource.Key(ns, name), Serialize(resource, prepared));
  if (!stored.ok()) {
    return ApiError::FromStatus(stored.status(), resource.group, resource.resource, name);
  }
  Json result = Json::parse((*stored)->value);
  AfterWrite(resource, result, false);
  return result;
}

ApiOr<Json> ApiServer::GetObject(const ResourceInfo& resource, const std::string& ns,
                                 const std::string& name) const {
  StatusOr<ObjectPtr> found = store_.Get(resource.Key(ns, name));
  if (!found.ok()) return ApiError::NotFound(resource.group, resource.resource, name);
  Json object = Json::parse((*found)->value, nullptr, false);
  if (object.is_discarded()) return ApiError::Internal("stored object is not JSON");
  DefaultOnRead(resource, object);
  return object;
}

ApiOr<ApiServer::MutateResult> ApiServer::MutateObject(
    const ResourceInfo& resource, const std::string& ns, const std::string& name,
    const std::string& subresource, const Mutator& mutate, const WriteOptions& options,
    bool allow_create) {
  // Filled by the last run of `decide` (the store re-runs it on the newer version whenever
  // another write to the object races it, so a write without a precondition never conflicts).
  std::optional<ApiError> error;
  Json result;
  Outcome outcome = Outcome::kUnchanged;
  auto reject = [&](ApiError e) -> StatusOr<WriteDecision> {
    error = std::move(e);
    return InternalError("rejected");
  };
  auto decide = [&](const ObjectPtr& current) -> StatusOr<WriteDecision> {
    error.reset();
    outcome = Outcome::kUnchanged;
    if (!current) {
      ApiOr<Json> desired = mutate(Json());
      if (!desired.ok()) return reject(desired.error());
      ApiOr<Json> prepared = PrepareCreate(resource, ns, std::move(*desired), options);
      if (!prepared.ok()) return reject(prepared.error());
      result = std::move(*prepared);
      outcome = Outcome::kCreated;
      if (options.dry_run) return WriteDecision::None();
      return WriteDecision::Put(Serialize(resource, result));
    }
    Json old_object = Json::parse(current->value, nullptr, false);
    if (old_object.is_discarded()) return reject(ApiError::Internal("stored object is not JSON"));
    DefaultOnRead(resource, old_object);
    ApiOr<Json> desired = mutate(old_object);
    if (!desired.ok()) return reject(desired.error());
    ApiOr<std::optional<Json>> prepared =
        PrepareUpdate(resource, old_object, std::move(*desired), subresource, options);
    if (!prepared.ok()) return reject(prepared.error());
    if (!prepared->has_value()) {
      result = std::move(old_object);
      return WriteDecision::None();
    }
    result = std::move(**prepared);
    if (options.dry_run || ReleasedForDeletion(result)) {
      // Answered as it would be stored. A released object is removed instead of updated, so its
      // tombstone is the stored version (kube-apiserver likewise deletes the stored object rather
      // than writing the update that emptied its finalizers).
      Meta(result)["resourceVersion"] = std::to_string(current->rv);
      outcome = ReleasedForDeletion(result) ? Outcome::kRemoved : Outcome::kUnchanged;
      return options.dry_run ? WriteDecision::None() : WriteDecision::Remove();
    }
    outcome = Outcome::kUpdated;
    return WriteDecision::Put(Serialize(resource, result));
  };
  StatusOr<ObjectPtr> stored = WriteKey(resource.Key(ns, name), decide, allow_create);
  if (error) return *error;
  const bool created = outcome == Outcome::kCreated;
  if (created && options.dry_run) return MutateResult{std::move(result), true};
  if (!stored.ok()) {
    return ApiError::FromStatus(stored.status(), resource.group, resource.resource, name);
  }
  if (options.dry_run || outcome == Outcome::kUnchanged) return MutateResult{std::move(result)};
  if (outcome == Outcome::kRemoved) {
    AfterWrite(resource, result, true);
    return MutateResult{std::move(result)};
  }
  result = Json::parse((*stored)->value);
  AfterWrite(resource, result, false);
  return MutateResult{std::move(result), created};
}

StatusOr<ObjectPtr> ApiServer::WriteKey(const std::string& key, const DecideFn& decide,
                                        bool allow_create) {
  auto promise = std::make_shared<std::promise<StatusOr<ObjectPtr>>>();
  std::future<StatusOr<ObjectPtr>> future = promise->get_future();
  {
    // Only the decision and its sequencing are serialized: the commit is awaited unlocked, so
    // successive writes of one key still share a group commit.
    std::lock_guard<std::mutex> lock(key_stripes_[std::hash<std::string>{}(key) % kKeyStripes]);
    store_.GuaranteedWriteAsync(key, decide, allow_create, [promise](StatusOr<ObjectPtr> result) {
      promise->set_value(std::move(result));
    });
  }
  return future.get();
}

void ApiServer::AfterWrite(const ResourceInfo& resource, const Json& object, bool deleted) {
  if (resource.resource != "customresourcedefinitions" || resource.crd) return;
  if (deleted) {
    registry_.RemoveCrd(MetaString(object, "name"));
  } else {
    (void)registry_.PutCrd(object);
  }
}

}  // namespace osbx::standalone
