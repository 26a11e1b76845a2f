#pragma once
// Content negotiation of the API server: which representation an Accept header asks for (plain
// JSON, a meta.k8s.io Table, PartialObjectMetadata[List], aggregated discovery), and what kind
// of body a Content-Type announces. kube-apiserver can always fall back to JSON when a client
// lists it; protobuf answers are never produced (clients that ask for protobuf list JSON too).

#include <string>
#include <string_view>

namespace osbx::standalone {

enum class Representation {
  kJson,
  kYaml,
  kTable,
  kPartialObjectMetadata,      // single object
  kPartialObjectMetadataList,  // lists
  kDiscoveryV2,                // apidiscovery.k8s.io/v2 APIGroupDiscoveryList
  kNotAcceptable,
};

struct Negotiated {
  Representation representation = Representation::kJson;
  std::string version = "v1";  // meta.k8s.io version of a Table or PartialObjectMetadata
};

// What to answer for `accept`. `discovery` allows the aggregated discovery type; `list` picks
// between PartialObjectMetadata and PartialObjectMetadataList.
Negotiated NegotiateAccept(std::string_view accept, bool discovery);

enum class BodyType {
  kJson,
  kYaml,
  kProtobuf,
  kMergePatch,
  kJsonPatch,
  kStrategicMergePatch,
  kApplyPatch,
  kUnsupported,
};

// The body type of a Content-Type (parameters ignored). An empty Content-Type reads as JSON.
BodyType ClassifyContentType(std::string_view content_type);

}  // namespace osbx::standalone
