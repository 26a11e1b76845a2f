#pragma once
// OwnerIndex: what the garbage collector needs to know about every stored object, kept up to
// date from the store's event stream instead of re-listing and re-parsing the whole store:
// uid, namespace, deletion state, the GC finalizers and the owner uids of each key, plus reverse
// maps (owner uid -> dependents, namespace -> contents). Each change reports the keys whose GC
// decision it may have changed ("dirty"), so a collection pass looks only at those.
//
// Not thread-safe: owned by the garbage collector's thread.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "internal/utils/json.h"

namespace osbx::standalone {

// The GC-relevant part of one object.
struct IndexedObject {
  std::string key;
  std::string ns;  // metadata.namespace ("" for cluster-scoped objects)
  std::string name;
  std::string uid;
  bool deleting = false;    // metadata.deletionTimestamp is set
  bool foreground = false;  // finalizer foregroundDeletion
  bool orphan = false;      // finalizer orphan
  bool is_namespace = false;
  std::vector<std::string> owners;  // ownerReferences[*].uid

  // Parses the metadata of a stored object; nullopt when it is not a JSON object.
  static std::optional<IndexedObject> FromJson(std::string key, bool is_namespace,
                                               std::string_view value);
};

class OwnerIndex {
 public:
  // Records the current version of a key; appends the keys to re-examine to *dirty.
  void Upsert(IndexedObject object, std::vector<std::string>* dirty);
  // Forgets a deleted key; appends the keys to re-examine to *dirty.
  void Remove(const std::string& key, std::vector<std::string>* dirty);
  void Clear();

  const IndexedObject* Get(const std::string& key) const;
  const IndexedObject* ByUid(const std::string& uid) const;
  // Keys of the objects listing `uid` among their owners (deleting ones included).
  size_t DependentCount(const std::string& uid) const;
  std::vector<std::string> Dependents(const std::string& uid) const;
  // Keys of the objects in namespace `ns`.
  size_t NamespaceCount(const std::string& ns) const;
  std::vector<std::string> InNamespace(const std::string& ns) const;
  // Keys starting with `prefix`, in order.
  std::vector<std::string> KeysWithPrefix(const std::string& prefix) const;
  // Keys whose GC decision is not trivially "nothing to do" (owned, or deleting): what a full
  // pass examines.
  std::vector<std::string> Interesting() const;
  size_t size() const { return objects_.size(); }

  // True when a version of an indexed key could change its GC facts; false when `value` is
  // known not to (no owners, finalizers or deletion before or now), so it need not be parsed.
  bool MayMatter(const std::string& key, std::string_view value) const;

 private:
  // Reports the keys a change of `object` (being added or removed) affects.
  void Affected(const IndexedObject& object, std::vector<std::string>* dirty) const;
  void Unlink(const IndexedObject& object);

  std::map<std::string, IndexedObject> objects_;                  // by key
  std::unordered_map<std::string, std::string> by_uid_;           // uid -> key
  std::unordered_map<std::string, std::set<std::string>> owned_;  // owner uid -> keys
  std::unordered_map<std::string, std::set<std::string>> by_ns_;  // namespace -> keys
  std::unordered_map<std::string, std::string> ns_keys_;  // namespace name -> its object's key
};

}  // namespace osbx::standalone
