#pragma once
// Server-side printing: meta.k8s.io Table responses as `kubectl get` reads them. Columns come
// from a CRD's additionalPrinterColumns (JSONPath subset `.a.b`, `.a[0]`, `.a[*].b`; `date`
// cells pre-rendered as an age like "3m47s"; missing values null) or from the built-in printers
// (pods with kubectl's READY/STATUS/RESTARTS computation, namespaces, events, nodes, leases,
// CRDs). A CRD without columns gets Name and Age.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "internal/standalone/apiserver/registry.h"
#include "internal/utils/json.h"

namespace osbx::standalone {

// kube's duration.HumanDuration: "0s", "59s", "3m47s", "10m", "5h3m", "3d4h", "2y30d".
std::string HumanDuration(std::chrono::seconds d);

// Evaluates a printer-column JSONPath of the supported subset; returns every match.
std::vector<Json> EvaluateJsonPath(const Json& object, std::string_view path);

enum class IncludeObject { kNone, kMetadata, kObject };

struct TableOptions {
  std::string version = "v1";  // meta.k8s.io/<version>
  IncludeObject include = IncludeObject::kMetadata;
  std::chrono::system_clock::time_point now;
};

// The column definitions of a resource's Table.
OrderedJson ColumnDefinitions(const ResourceInfo& resource);

// One row for `object`; `wire_object` is the object as a GET returns it (used for
// includeObject=Object).
OrderedJson TableRow(const ResourceInfo& resource, const Json& object,
                     const OrderedJson& wire_object, const TableOptions& options);

// A PartialObjectMetadata of `object` in meta.k8s.io/<version>.
OrderedJson PartialObjectMetadata(const Json& object, std::string_view version);

// A Table with `rows`; list_metadata carries resourceVersion (and continue/remainingItemCount).
// `with_columns` false writes "columnDefinitions":null (watch events after the first).
OrderedJson MakeTable(const ResourceInfo& resource, OrderedJson list_metadata,
                      std::vector<OrderedJson> rows, const TableOptions& options,
                      bool with_columns = true);

}  // namespace osbx::standalone
