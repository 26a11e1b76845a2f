#include "internal/standalone/apiserver/negotiation.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

namespace osbx::standalone {
namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

struct MediaRange {
  std::string type;  // "application/json"
  std::map<std::string, std::string> params;
};

std::vector<std::string> SplitTop(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(sep, i);
    if (j == std::string_view::npos) j = s.size();
    out.push_back(Trim(s.substr(i, j - i)));
    i = j + 1;
  }
  return out;
}

MediaRange ParseRange(std::string_view text) {
  MediaRange range;
  std::vector<std::string> parts = SplitTop(text, ';');
  range.type = Lower(parts.empty() ? std::string() : parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    size_t eq = parts[i].find('=');
    if (eq == std::string::npos) continue;
    range.params[Lower(Trim(parts[i].substr(0, eq)))] = Trim(parts[i].substr(eq + 1));
  }
  return range;
}

bool IsJsonLike(const std::string& type) {
  return type == "application/json" || type == "*/*" || type == "application/*" || type.empty();
}

}  // namespace

Negotiated NegotiateAccept(std::string_view accept, bool discovery) {
  if (Trim(accept).empty()) return {};
  for (const std::string& clause : SplitTop(accept, ',')) {
    if (clause.empty()) continue;
    MediaRange range = ParseRange(clause);
    auto as = range.params.find("as");
    if (as == range.params.end()) {
      if (IsJsonLike(range.type)) return {};
      if (range.type == "application/yaml") return {Representation::kYaml, "v1"};
      continue;  // protobuf and anything else: look further
    }
    if (range.type != "application/json") continue;
    std::string g = range.params.count("g") ? range.params["g"] : "";
    std::string v = range.params.count("v") ? range.params["v"] : "";
    if (as->second == "APIGroupDiscoveryList" && g == "apidiscovery.k8s.io" && v == "v2") {
      if (discovery) return {Representation::kDiscoveryV2, "v2"};
      continue;
    }
    if (g != "meta.k8s.io" || (v != "v1" && v != "v1beta1")) continue;
    if (as->second == "Table") return {Representation::kTable, v};
    if (as->second == "PartialObjectMetadata") return {Representation::kPartialObjectMetadata, v};
    if (as->second == "PartialObjectMetadataList") {
      return {Representation::kPartialObjectMetadataList, v};
    }
  }
  return {Representation::kNotAcceptable, ""};
}

BodyType ClassifyContentType(std::string_view content_type) {
  std::string type = ParseRange(content_type).type;
  if (type.empty() || type == "application/json") return BodyType::kJson;
  if (type == "application/yaml") return BodyType::kYaml;
  if (type == "application/vnd.kubernetes.protobuf") return BodyType::kProtobuf;
  if (type == "application/merge-patch+json") return BodyType::kMergePatch;
  if (type == "application/json-patch+json") return BodyType::kJsonPatch;
  if (type == "application/strategic-merge-patch+json") return BodyType::kStrategicMergePatch;
  if (type == "application/apply-patch+yaml") return BodyType::kApplyPatch;
  return BodyType::kUnsupported;
}

}  // namespace osbx::standalone
