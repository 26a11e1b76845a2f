#pragma once
// WatchEventDecoder: the fast path for the bytes of watch streams and list answers. Decodes with
// simdjson and builds the Json objects directly, leaving out what the cache would drop anyway so
// that it is never materialized: either the subtrees named in `skip_paths`
// (metadata.managedFields by default), or everything a FieldProjection does not keep (for pods,
// PodCacheProjection() in transform.h: the decoded object is then already the cached one).
//
// It is the ObjectDecoder that informers hand to their ListerWatcher (see
// ListerWatcher::UseDecoder in pkg/kube/client/resource.h): the REST client then runs it on its
// I/O thread for every watch line and every list page, as the bytes arrive.
//
// Input simdjson refuses but nlohmann::json accepts (integers beyond 64 bits, which nlohmann
// reads as doubles) is decoded with nlohmann and then projected, so this decoder accepts exactly
// what the REST client's own decoder accepts.
//
// Not thread-safe: one decoder per stream (it reuses its parse buffers).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/cache/projection.h"
#include "pkg/kube/client/resource.h"

namespace osbx::kube {

class WatchEventDecoder final : public ObjectDecoder {
 public:
  // Dotted paths inside the object to leave out, e.g. "metadata.managedFields".
  explicit WatchEventDecoder(std::vector<std::string> skip_paths = {"metadata.managedFields"});
  // Objects of ADDED, MODIFIED and DELETED events, list items and DecodeObject documents are
  // built as `projection` keeps them: the result equals decoding whole and then Project()-ing.
  // BOOKMARK objects lose only metadata.managedFields; ERROR objects (a Status) are kept whole.
  explicit WatchEventDecoder(const FieldProjection& projection);
  ~WatchEventDecoder() override;
  WatchEventDecoder(const WatchEventDecoder&) = delete;
  WatchEventDecoder& operator=(const WatchEventDecoder&) = delete;

  // One event line. BadRequest for malformed JSON, an unknown type or a missing object.
  [[nodiscard]] StatusOr<WatchEvent> DecodeEvent(std::string_view line) override;
  // A list answer, each item built as the projection keeps it. Items without apiVersion or kind
  // get the resource's when the projection keeps that member.
  [[nodiscard]] StatusOr<ListResult> DecodeList(std::string_view body,
                                                const ResourceRef& resource) override;
  // One JSON document (e.g. an object of a list page), with the same skipping.
  [[nodiscard]] StatusOr<Json> DecodeObject(std::string_view text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace osbx::kube
