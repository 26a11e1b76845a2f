#pragma once
// Indexer: the informer's thread-safe cache of immutable objects, keyed "ns/name", with named
// secondary indices (client-go's ThreadSafeStore + Indexers). Objects are shared as
// std::shared_ptr<const Json> snapshots: a reader keeps what it got even if the cache moves on,
// and nobody mutates a cached object.
//
// Built-in index functions: by namespace, by owner UID (every ownerReferences[].uid) and by label
// ("key=value" for every label). Custom ones map an object to any set of index values.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/workqueue/mutex.h"

namespace osbx::kube {

using ObjectPtr = std::shared_ptr<const Json>;
// The index values of an object (an object may sit under several values, or none).
using IndexFunc = std::function<std::vector<std::string>(const Json&)>;
using Indexers = std::map<std::string, IndexFunc, std::less<>>;

inline constexpr std::string_view kNamespaceIndex = "namespace";
inline constexpr std::string_view kOwnerUidIndex = "ownerUID";
inline constexpr std::string_view kLabelIndex = "label";

std::vector<std::string> IndexByNamespace(const Json& obj);
std::vector<std::string> IndexByOwnerUid(const Json& obj);
std::vector<std::string> IndexByLabel(const Json& obj);
// The value IndexByLabel files an object under for label `key` = `value`.
std::string LabelIndexValue(std::string_view key, std::string_view value);

class Indexer {
 public:
  explicit Indexer(Indexers indexers = {});
  Indexer(const Indexer&) = delete;
  Indexer& operator=(const Indexer&) = delete;

  // Adds an index and files every cached object under it. AlreadyExists if the name is taken.
  Status AddIndex(std::string name, IndexFunc fn) OSBX_EXCLUDES(mu_);

  // Inserts or replaces the object under its key; returns the previous object (or null).
  // Invalid when the object has no metadata.name.
  StatusOr<ObjectPtr> Upsert(ObjectPtr obj) OSBX_EXCLUDES(mu_);
  // Removes the key; returns the removed object (or null if absent).
  ObjectPtr Delete(std::string_view key) OSBX_EXCLUDES(mu_);

  // What a Replace changed: objects new to the cache, objects present before and after
  // (old, new), and objects that vanished (their last known state).
  struct ReplaceResult {
    std::vector<ObjectPtr> added;
    std::vector<std::pair<ObjectPtr, ObjectPtr>> updated;
    std::vector<ObjectPtr> deleted;
  };
  // Makes the cache hold exactly `objects` (a relist). Objects without a name are skipped.
  ReplaceResult Replace(std::vector<ObjectPtr> objects) OSBX_EXCLUDES(mu_);

  ObjectPtr Get(std::string_view key) const OSBX_EXCLUDES(mu_);
  std::vector<ObjectPtr> List() const OSBX_EXCLUDES(mu_);
  std::vector<std::string> ListKeys() const OSBX_EXCLUDES(mu_);
  size_t Size() const OSBX_EXCLUDES(mu_);
  // Objects filed under `value` in index `index`; NotFound for an unknown index.
  StatusOr<std::vector<ObjectPtr>> ByIndex(std::string_view index, std::string_view value) const
      OSBX_EXCLUDES(mu_);
  // Keys filed under `value` in index `index`; NotFound for an unknown index.
  StatusOr<std::vector<std::string>> IndexKeys(std::string_view index, std::string_view value) const
      OSBX_EXCLUDES(mu_);

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;
  using KeySet = std::unordered_set<std::string, StringHash, std::equal_to<>>;
  // index value -> keys of the objects filed under it.
  using Index = StringMap<KeySet>;

  void IndexLocked(const std::string& key, const Json* old_obj, const Json* new_obj)
      OSBX_REQUIRES(mu_);
  const Index* FindIndexLocked(std::string_view name) const OSBX_REQUIRES(mu_);

  mutable Mutex mu_;
  StringMap<ObjectPtr> items_ OSBX_GUARDED_BY(mu_);
  Indexers indexers_ OSBX_GUARDED_BY(mu_);
  StringMap<Index> indices_ OSBX_GUARDED_BY(mu_);
};

}  // namespace osbx::kube
