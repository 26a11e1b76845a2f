#pragma once
// The resource registry: every kind the server serves, built-in (namespaces, pods, events,
// nodes, leases, customresourcedefinitions) or defined at runtime by a stored
// CustomResourceDefinition, with what discovery, OpenAPI, validation and printing need.
// A CRD written through the API is (re)registered at once, so it is servable, discoverable,
// published in OpenAPI and printable without a restart.

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/schema/schema.h"

namespace osbx::standalone {

// One additionalPrinterColumns entry of a CRD version.
struct PrinterColumn {
  std::string name;
  std::string type;  // integer, number, string, boolean, date
  std::string format;
  std::string description;
  std::string json_path;
  int priority = 0;
};

// Which built-in printer (server-side Table) a resource uses.
enum class Printer { kCustom, kPod, kNamespace, kEvent, kNode, kLease, kCrd };

struct ResourceInfo {
  std::string group;  // "" for the core group
  std::string version;
  std::string resource;  // plural
  std::string kind;
  std::string list_kind;
  std::string singular;
  bool namespaced = true;
  std::vector<std::string> verbs;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  bool has_status = false;  // a status subresource
  bool crd = false;         // served generically from a CustomResourceDefinition
  Printer printer = Printer::kCustom;
  // Subresources listed in discovery besides status: {name, kind, verbs}.
  struct Sub {
    std::string name;
    std::string kind;
    std::vector<std::string> verbs;
  };
  std::vector<Sub> extra_subresources;
  // CRDs only.
  std::shared_ptr<const kube::schema::Schema> schema;
  Json open_api_schema;  // the version's openAPIV3Schema
  std::vector<PrinterColumn> columns;
  std::string crd_name;  // "<plural>.<group>"
  // The resourceVersion of the CRD this schema was built from. Every write applies the schema's
  // defaults, so an object version written after it already carries them and reads can serve its
  // stored bytes as they are; older versions get the defaults applied on read. Unknown: max.
  int64_t schema_rv = std::numeric_limits<int64_t>::max();

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // The store key prefix of this resource ("/<group|core>/<resource>/").
  std::string KeyPrefix() const;
  // The store key of one object (namespace ignored for cluster-scoped resources).
  std::string Key(std::string_view ns, std::string_view name) const;
  // base64 of the first 8 bytes of sha256("<group>/<version>/<kind>").
  std::string StorageVersionHash() const;
};
using ResourcePtr = std::shared_ptr<const ResourceInfo>;

class Registry {
 public:
  // A registry holding the built-in resources.
  Registry();

  // The resource served at /<group>/<version>/<resource>, or null.
  ResourcePtr Find(std::string_view group, std::string_view version,
                   std::string_view resource) const;
  // The resource of a kind in a group-version, or null.
  ResourcePtr FindKind(std::string_view group, std::string_view version,
                       std::string_view kind) const;
  // Every resource: built-ins first (registration order), then CRDs sorted by group and name.
  std::vector<ResourcePtr> All() const;
  // Whether a group-version is served.
  bool HasGroupVersion(std::string_view group, std::string_view version) const;

  // Checks a CRD object for what the server needs (names, one served version, a schema that
  // compiles, printer columns) and builds its resource. Invalid with causes when it cannot serve.
  [[nodiscard]] static StatusOr<ResourcePtr> BuildCrdResource(const Json& crd);
  // Registers (or replaces) the resource of a stored CRD.
  [[nodiscard]] Status PutCrd(const Json& crd);
  // Forgets the resource of a deleted CRD.
  void RemoveCrd(std::string_view crd_name);

  // Increases on every change of the served set; discovery and OpenAPI caches key on it.
  uint64_t generation() const;

 private:
  mutable std::shared_mutex mu_;
  std::vector<ResourcePtr> builtins_;        // immutable after construction
  std::map<std::string, ResourcePtr> crds_;  // guarded by mu_; key: crd name
  uint64_t generation_ = 1;                  // guarded by mu_
};

}  // namespace osbx::standalone
