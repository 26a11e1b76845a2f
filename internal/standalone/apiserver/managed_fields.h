#pragma once
// metadata.managedFields: which field manager set which fields (FieldsV1 sets), for Update
// operations (a manager takes the fields its write changed) and for server-side apply (a
// manager owns exactly the fields of its applied configuration; setting a field another manager
// owns to a different value is a FieldManagerConflict unless forced).

#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::standalone {

struct ManagerId {
  std::string manager;
  std::string operation;  // "Update" or "Apply"
  std::string api_version;
  std::string subresource;  // "" or "status"
};

// The manager name used when the request has no ?fieldManager: the User-Agent up to its first
// '/'.
std::string DefaultFieldManager(std::string_view user_agent);

// Records an Update by `id` that turned `old_object` (null on create) into `new_object`, at
// `time` (RFC 3339), in new_object's metadata.managedFields.
void RecordUpdate(const ManagerId& id, const Json& old_object, Json& new_object,
                  const std::string& time);

// One field another manager owns with a different value than an apply sets.
struct ApplyConflict {
  std::string manager;
  std::string path;  // ".spec.replicas"
};

// Server-side apply of `config` by `id` onto `current` (null when creating). Fills `result`
// with the merged object (managedFields updated) or returns the conflicts (none when `force`).
std::vector<ApplyConflict> Apply(const ManagerId& id, const Json& current, const Json& config,
                                 bool force, const std::string& time, Json& result);

// The 409 message for conflicts: "Apply failed with 1 conflict: conflict with \"alice\":
// .spec.replicas".
std::string ApplyConflictMessage(const std::vector<ApplyConflict>& conflicts);

}  // namespace osbx::standalone
