#include "internal/standalone/apiserver/registry.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace osbx::standalone {
namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};
const std::vector<std::string> kCrdVerbs = {"delete", "deletecollection", "get",    "list",
                                            "patch",  "create",           "update", "watch"};

ResourcePtr Builtin(std::string group, std::string version, std::string resource, std::string kind,
                    bool namespaced, std::vector<std::string> short_names, bool has_status,
                    Printer printer) {
  auto info = std::make_shared<ResourceInfo>();
  info->group = std::move(group);
  info->version = std::move(version);
  info->singular = kind;
  std::transform(info->singular.begin(), info->singular.end(), info->singular.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  info->resource = std::move(resource);
  info->list_kind = kind + "List";
  info->kind = std::move(kind);
  info->namespaced = namespaced;
  info->verbs = kAllVerbs;
  info->short_names = std::move(short_names);
  info->has_status = has_status;
  info->printer = printer;
  return info;
}

std::vector<ResourcePtr> MakeBuiltins() {
  std::vector<ResourcePtr> out;
  auto ns = std::const_pointer_cast<ResourceInfo>(
      Builtin("", "v1", "namespaces", "Namespace", false, {"ns"}, true, Printer::kNamespace));
  ns->verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
  ns->extra_subresources = {{"finalize", "Namespace", {"update"}}};
  out.push_back(ns);
  auto pods = std::const_pointer_cast<ResourceInfo>(
      Builtin("", "v1", "pods", "Pod", true, {"po"}, true, Printer::kPod));
  pods->categories = {"all"};
  pods->extra_subresources = {{"binding", "Binding", {"create"}}, {"log", "Pod", {"get"}}};
  out.push_back(pods);
  out.push_back(Builtin("", "v1", "events", "Event", true, {"ev"}, false, Printer::kEvent));
  out.push_back(Builtin("", "v1", "nodes", "Node", false, {"no"}, true, Printer::kNode));
  out.push_back(
      Builtin("coordination.k8s.io", "v1", "leases", "Lease", true, {}, false, Printer::kLease));
  auto crds = std::const_pointer_cast<ResourceInfo>(
      Builtin("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
              false, {"crd", "crds"}, true, Printer::kCrd));
  crds->categories = {"api-extensions"};
  out.push_back(crds);
  return out;
}

std::vector<std::string> StringList(const Json& value) {
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const Json& item : value) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string StringAt(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The version the server serves for a CRD: the storage version, else the first served one.
const Json* ServedVersion(const Json& spec) {
  const Json* chosen = nullptr;
  auto versions = spec.find("versions");
  if (versions == spec.end() || !versions->is_array()) return nullptr;
  for (const Json& v : *versions) {
    if (!v.is_object()) continue;
    if (v.value("storage", false)) return &v;
    if (chosen == nullptr && v.value("served", true)) chosen = &v;
  }
  return chosen;
}

std::vector<PrinterColumn> Columns(const Json& version) {
  std::vector<PrinterColumn> out;
  auto cols = version.find("additionalPrinterColumns");
  if (cols == version.end() || !cols->is_array()) return out;
  for (const Json& c : *cols) {
    PrinterColumn col;
    col.name = StringAt(c, "name");
    col.type = StringAt(c, "type");
    col.format = StringAt(c, "format");
    col.description = StringAt(c, "description");
    col.json_path = StringAt(c, "jsonPath");
    if (c.contains("priority") && c["priority"].is_number_integer()) {
      col.priority = c["priority"].get<int>();
    }
    if (col.description.empty()) {
      col.description = "Custom resource definition column (in JSONPath format): " + col.json_path;
    }
    out.push_back(std::move(col));
  }
  return out;
}

Status CrdInvalid(std::string field, std::string message) {
  Status status(StatusCode::kInvalid, field + ": " + message);
  status.WithCause({"FieldValueInvalid", std::move(message), std::move(field)});
  return status;
}

}  // namespace

std::string ResourceInfo::KeyPrefix() const {
  return fmt::format("/{}/{}/", group.empty() ? "core" : group, resource);
}

std::string ResourceInfo::Key(std::string_view ns, std::string_view name) const {
  if (!namespaced) return KeyPrefix() + std::string(name);
  return fmt::format("{}{}/{}", KeyPrefix(), ns, name);
}

std::string ResourceInfo::StorageVersionHash() const {
  std::string gvk = fmt::format("{}/{}/{}", group, version, kind);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(gvk.data()), gvk.size(), digest);
  unsigned char out[16] = {};
  int n = EVP_EncodeBlock(out, digest, 8);
  return std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n));
}

Registry::Registry() : builtins_(MakeBuiltins()) {}

ResourcePtr Registry::Find(std::string_view group, std::string_view version,
                           std::string_view resource) const {
  for (const ResourcePtr& r : builtins_) {
    if (r->group == group && r->version == version && r->resource == resource) return r;
  }
  std::shared_lock lock(mu_);
  for (const auto& [name, r] : crds_) {
    if (r->group == group && r->version == version && r->resource == resource) return r;
  }
  return nullptr;
}

ResourcePtr Registry::FindKind(std::string_view group, std::string_view version,
                               std::string_view kind) const {
  for (const ResourcePtr& r : All()) {
    if (r->group == group && r->version == version && r->kind == kind) return r;
  }
  return nullptr;
}

std::vector<ResourcePtr> Registry::All() const {
  std::vector<ResourcePtr> out = builtins_;
  std::shared_lock lock(mu_);
  std::vector<ResourcePtr> crds;
  for (const auto& [name, r] : crds_) crds.push_back(r);
  std::stable_sort(crds.begin(), crds.end(), [](const ResourcePtr& a, const ResourcePtr& b) {
    return std::tie(a->group, a->resource) < std::tie(b->group, b->resource);
  });
  out.insert(out.end(), crds.begin(), crds.end());
  return out;
}

bool Registry::HasGroupVersion(std::string_view group, std::string_view version) const {
  for (const ResourcePtr& r : All()) {
    if (r->group == group && r->version == version) return true;
  }
  return false;
}

StatusOr<ResourcePtr> Registry::BuildCrdResource(const Json& crd) {
  const Json& spec = crd.contains("spec") ? crd["spec"] : Json();
  if (!spec.is_object()) return CrdInvalid("spec", "Required value");
  auto info = std::make_shared<ResourceInfo>();
  info->crd = true;
  info->group = StringAt(spec, "group");
  const Json names = spec.value("names", Json::object());
  info->resource = StringAt(names, "plural");
  info->kind = StringAt(names, "kind");
  if (info->group.empty()) return CrdInvalid("spec.group", "Required value");
  if (info->resource.empty()) return CrdInvalid("spec.names.plural", "Required value");
  if (info->kind.empty()) return CrdInvalid("spec.names.kind", "Required value");
  info->singular = StringAt(names, "singular");
  if (info->singular.empty()) {
    info->singular = info->kind;
    std::transform(info->singular.begin(), info->singular.end(), info->singular.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  info->list_kind = StringAt(names, "listKind");
  if (info->list_kind.empty()) info->list_kind = info->kind + "List";
  info->short_names = StringList(names.value("shortNames", Json()));
  info->categories = StringList(names.value("categories", Json()));
  info->namespaced = StringAt(spec, "scope") != "Cluster";
  info->verbs = kCrdVerbs;
  info->crd_name = info->resource + "." + info->group;
  std::string expected = StringAt(crd.value("metadata", Json::object()), "name");
  if (!expected.empty() && expected != info->crd_name) {
    return CrdInvalid(
        "metadata.name",
        fmt::format("Invalid value: \"{}\": must be spec.names.plural+\".\"+spec.group", expected));
  }
  const Json* version = ServedVersion(spec);
  if (version == nullptr) return CrdInvalid("spec.versions", "Required value");
  info->version = StringAt(*version, "name");
  Json subresources = version->value("subresources", Json::object());
  info->has_status = subresources.is_object() && subresources.contains("status");
  info->columns = Columns(*version);
  Json schema = Json::object();
  if (version->contains("schema") && (*version)["schema"].contains("openAPIV3Schema")) {
    schema = (*version)["schema"]["openAPIV3Schema"];
  }
  info->open_api_schema = schema;
  StatusOr<std::shared_ptr<const kube::schema::Schema>> compiled = kube::schema::Schema::Compile(
      schema.empty() ? Json{{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}
                     : schema);
  if (!compiled.ok()) {
    return CrdInvalid("spec.versions[0].schema.openAPIV3Schema", compiled.status().message());
  }
  info->schema = *compiled;
  const std::string rv = StringAt(crd.value("metadata", Json::object()), "resourceVersion");
  char* end = nullptr;
  const long long parsed = std::strtoll(rv.c_str(), &end, 10);
  if (!rv.empty() && *end == '\0' && parsed > 0) info->schema_rv = parsed;
  return ResourcePtr(info);
}

Status Registry::PutCrd(const Json& crd) {
  StatusOr<ResourcePtr> built = BuildCrdResource(crd);
  if (!built.ok()) return built.status();
  std::unique_lock lock(mu_);
  crds_[(*built)->crd_name] = *built;
  ++generation_;
  return Status::Ok();
}

void Registry::RemoveCrd(std::string_view crd_name) {
  std::unique_lock lock(mu_);
  if (crds_.erase(std::string(crd_name)) > 0) ++generation_;
}

uint64_t Registry::generation() const {
  std::shared_lock lock(mu_);
  return generation_;
}

}  // namespace osbx::standalone
