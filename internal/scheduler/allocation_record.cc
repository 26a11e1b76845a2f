#include "internal/scheduler/allocation_record.h"

#include <algorithm>
#include <set>

#include "api/v1alpha1/well_known.h"
#include "pkg/kube/meta/object.h"

namespace osbx::scheduler {
namespace {

namespace v1 = ::osbx::api::v1alpha1;

StatusOr<std::vector<std::string>> ParsePodList(const Json& bsx, std::string_view key) {
  std::optional<std::string_view> text = kube::GetAnnotation(bsx, key);
  if (!text || text->empty()) return std::vector<std::string>{};
  const std::string where = "annotation " + std::string(key);
  Json doc = Json::parse(text->begin(), text->end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidError(where + ": not JSON");
  if (!doc.is_object() || !doc.contains("pods") || !doc["pods"].is_array()) {
    return InvalidError(where + ": expected {\"pods\":[...]}");
  }
  std::vector<std::string> out;
  for (const Json& p : doc["pods"]) {
    if (!p.is_string()) return InvalidError(where + ": pod names must be strings");
    out.push_back(p.get<std::string>());
  }
  return out;
}

void CollectStrings(const Json& doc, std::vector<std::string>& out) {
  if (doc.is_string()) {
    out.push_back(doc.get<std::string>());
  } else if (doc.is_structured()) {
    for (const Json& item : doc) CollectStrings(item, out);
  }
}

std::string EncodePodList(const std::vector<std::string>& pods) {
  return Json{{"pods", pods}}.dump();
}

bool ContainsName(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// Sets `key` in the patch's annotations when `value` differs from the object's.
void PatchAnnotation(const Json& bsx, std::string_view key, const std::string& value,
                     bool drop_when_empty, Json& annotations) {
  std::optional<std::string_view> current = kube::GetAnnotation(bsx, key);
  if (drop_when_empty) {
    if (current) annotations[std::string(key)] = nullptr;
    return;
  }
  if (!current || *current != value) annotations[std::string(key)] = value;
}

}  // namespace

std::vector<std::string> AllocationRecord::Held() const {
  std::set<std::string_view> gone(released.begin(), released.end());
  std::set<std::string_view> seen;
  std::vector<std::string> out;
  for (const auto* list : {&pods, &release}) {
    for (const std::string& p : *list) {
      if (p.empty() || gone.count(p) != 0 || !seen.insert(p).second) continue;
      out.push_back(p);
    }
  }
  return out;
}

void AllocationRecord::Compact() {
  auto done = [this](const std::string& p) {
    return ContainsName(release, p) && ContainsName(released, p) && !ContainsName(pods, p);
  };
  std::vector<std::string> finished;
  for (const std::string& p : released) {
    if (done(p)) finished.push_back(p);
  }
  auto drop = [&](std::vector<std::string>& list) {
    std::erase_if(list, [&](const std::string& p) { return ContainsName(finished, p); });
  };
  drop(release);
  drop(released);
}

StatusOr<AllocationRecord> ParseAllocationRecord(const Json& bsx) {
  AllocationRecord r;
  OSBX_ASSIGN_OR_RETURN(r.pods, ParsePodList(bsx, v1::kAllocStatusAnnotation));
  OSBX_ASSIGN_OR_RETURN(r.release, ParsePodList(bsx, v1::kAllocReleaseAnnotation));
  OSBX_ASSIGN_OR_RETURN(r.released, ParsePodList(bsx, v1::kAllocReleasedAnnotation));
  return r;
}

std::vector<std::string> SalvagePodNames(std::string_view text) {
  std::vector<std::string> out;
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) {
    CollectStrings(doc, out);
  } else {
    // Not JSON: every double-quoted token.
    size_t pos = text.find('"');
    while (pos != std::string_view::npos) {
      size_t end = text.find('"', pos + 1);
      if (end == std::string_view::npos) break;
      out.emplace_back(text.substr(pos + 1, end - pos - 1));
      pos = text.find('"', end + 1);
    }
  }
  std::erase_if(out, [](const std::string& s) { return s.empty() || s == "pods"; });
  return out;
}

RecordSource RecordSourceFromBatchSandbox(const Json& bsx) {
  RecordSource src;
  src.uid = std::string(kube::GetUid(bsx));
  src.key = kube::NamespacedKey(bsx);
  src.created = kube::GetCreationTimestamp(bsx);
  StatusOr<AllocationRecord> record = ParseAllocationRecord(bsx);
  if (record.ok()) {
    src.held = record->Held();
    return src;
  }
  src.malformed = true;
  src.error = record.status().message();
  // Salvage from status and release only: released pods were recycled and are free.
  for (std::string_view key : {v1::kAllocStatusAnnotation, v1::kAllocReleaseAnnotation}) {
    std::optional<std::string_view> text = kube::GetAnnotation(bsx, key);
    if (!text) continue;
    for (std::string& name : SalvagePodNames(*text)) src.held.push_back(std::move(name));
  }
  return src;
}

std::string EncodeEndpoints(const std::vector<std::string>& endpoints) {
  return Json(endpoints).dump();
}

std::optional<Json> BuildAllocationPatch(const Json& bsx, const AllocationRecord& record,
                                         const std::vector<std::string>& endpoints,
                                         bool want_finalizer) {
  Json annotations = Json::object();
  PatchAnnotation(bsx, v1::kAllocStatusAnnotation, EncodePodList(record.pods), false, annotations);
  PatchAnnotation(bsx, v1::kAllocReleaseAnnotation, EncodePodList(record.release),
                  record.release.empty(), annotations);
  PatchAnnotation(bsx, v1::kAllocReleasedAnnotation, EncodePodList(record.released),
                  record.released.empty(), annotations);
  PatchAnnotation(bsx, v1::kEndpointsAnnotation, EncodeEndpoints(endpoints), false, annotations);
  Json meta = Json::object();
  if (!annotations.empty()) meta["annotations"] = annotations;
  const bool has = kube::HasFinalizer(bsx, v1::kPoolAllocationFinalizer);
  if (has != want_finalizer) {
    Json copy = bsx;
    if (want_finalizer) {
      kube::AddFinalizer(copy, v1::kPoolAllocationFinalizer);
    } else {
      kube::RemoveFinalizer(copy, v1::kPoolAllocationFinalizer);
    }
    meta["finalizers"] = Json(kube::GetFinalizers(copy));
  }
  if (meta.empty()) return std::nullopt;
  meta["resourceVersion"] = std::string(kube::GetResourceVersion(bsx));
  return Json{{"metadata", meta}};
}

}  // namespace osbx::scheduler
