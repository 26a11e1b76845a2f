#pragma once
// Builders of small Kubernetes objects for the cache tests.

#include <map>
#include <string>
#include <vector>

#include "internal/utils/json.h"

namespace osbx::kube::testing {

struct PodSpec {
  std::string ns = "default";
  std::string name{};
  std::string rv = "1";
  int64_t generation = 1;
  std::map<std::string, std::string> labels{};
  std::map<std::string, std::string> annotations{};
  std::vector<std::string> owner_uids{};
};

inline Json MakePod(const PodSpec& spec) {
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", spec.name},
                {"namespace", spec.ns},
                {"resourceVersion", spec.rv},
                {"generation", spec.generation},
                {"managedFields", Json::array({{{"manager", "kubectl"}}})}}}};
  Json& meta = pod["metadata"];
  if (!spec.labels.empty()) meta["labels"] = spec.labels;
  if (!spec.annotations.empty()) meta["annotations"] = spec.annotations;
  for (const std::string& uid : spec.owner_uids) {
    meta["ownerReferences"].push_back({{"kind", "Pool"}, {"name", "p"}, {"uid", uid}});
  }
  return pod;
}

inline Json MakePod(std::string ns, std::string name, std::string rv) {
  PodSpec spec;
  spec.ns = std::move(ns);
  spec.name = std::move(name);
  spec.rv = std::move(rv);
  return MakePod(spec);
}

}  // namespace osbx::kube::testing
