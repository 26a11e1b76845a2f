#pragma once
// Pool template revisions and pool pod names.
//
// A revision identifies a Pool's spec.template: any change to it (labels and annotations
// included) is a new revision, and pods carry the revision they were made from. Pod names are
// chosen by the controller before the create call, so the controller expects pods by name and a
// watch event that arrives before the create returns can never leave an expectation unsatisfied.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"

namespace osbx::scheduler {

// Hex of the first 8 bytes of sha256 over the canonical JSON of `pod_template` (object keys
// sorted, no whitespace): 16 lowercase hex characters. A null template has a revision too.
std::string TemplateRevision(const Json& pod_template);

// `count` distinct names "<pool>-<5 characters>", none in `taken`, drawn deterministically from
// `seed` (the caller passes a fresh random seed in production and a fixed one in tests). The
// suffix alphabet has no vowels, as Kubernetes' generated names, so no words are spelt.
std::vector<std::string> GeneratePodNames(std::string_view pool, int count,
                                          const std::set<std::string, std::less<>>& taken,
                                          uint64_t seed);

}  // namespace osbx::scheduler
