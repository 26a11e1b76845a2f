#include "internal/standalone/apiserver/managed_fields.h"

#include <algorithm>

#include <fmt/format.h>

namespace osbx::standalone {
namespace {

// Field paths as lists of FieldsV1 keys ("f:spec", "f:replicas").
using Path = std::vector<std::string>;

bool IsMetadataTracked(const std::string& key) {
  return key == "labels" || key == "annotations" || key == "finalizers" || key == "ownerReferences";
}

// The FieldsV1 set of a value: maps recurse (with "." when `dots`), everything else is a leaf.
Json SetOf(const Json& value, bool dots) {
  Json set = Json::object();
  if (!value.is_object()) return set;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (it.value().is_object() && !it.value().empty()) {
      Json child = SetOf(it.value(), dots);
      if (dots) child["."] = Json::object();
      set["f:" + it.key()] = std::move(child);
    } else if (it.key() == "finalizers" && it.value().is_array()) {
      Json child = Json::object();
      if (dots) child["."] = Json::object();
      for (const Json& f : it.value()) {
        if (f.is_string()) child["v:" + f.dump()] = Json::object();
      }
      set["f:" + it.key()] = std::move(child);
    } else {
      set["f:" + it.key()] = Json::object();
    }
  }
  return set;
}

// The set of a whole object: top-level fields except apiVersion/kind, and from metadata only
// labels, annotations, finalizers and ownerReferences.
Json ObjectSet(const Json& object, bool dots) {
  Json set = Json::object();
  if (!object.is_object()) return set;
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    if (key == "apiVersion" || key == "kind") continue;
    if (key == "metadata") {
      Json meta = Json::object();
      if (it.value().is_object()) {
        for (auto m = it.value().begin(); m != it.value().end(); ++m) {
          if (!IsMetadataTracked(m.key())) continue;
          Json one = Json::object();
          one[m.key()] = m.value();
          Json sub = SetOf(one, dots);
          meta.update(sub);
        }
      }
      if (!meta.empty()) set["f:metadata"] = std::move(meta);
      continue;
    }
    Json one = Json::object();
    one[key] = it.value();
    set.update(SetOf(one, dots));
  }
  return set;
}

// Fields of `after` that are new or differ from `before` (both sets of values, not FieldsV1).
Json Changed(const Json& before, const Json& after) {
  Json set = Json::object();
  if (!after.is_object()) return set;
  for (auto it = after.begin(); it != after.end(); ++it) {
    const std::string& key = it.key();
    bool existed = before.is_object() && before.contains(key);
    const Json& old = existed ? before[key] : Json();
    if (existed && old == it.value()) continue;
    if (it.value().is_object() && !it.value().empty()) {
      Json child = existed && old.is_object() ? Changed(old, it.value()) : [&] {
        Json one = SetOf(it.value(), true);
        one["."] = Json::object();
        return one;
      }();
      if (!existed || !old.is_object()) child["."] = Json::object();
      if (!child.empty()) set["f:" + key] = std::move(child);
    } else {
      set["f:" + key] = Json::object();
    }
  }
  return set;
}

void Leaves(const Json& set, Path& prefix, std::vector<Path>& out) {
  for (auto it = set.begin(); it != set.end(); ++it) {
    if (it.key() == ".") continue;
    prefix.push_back(it.key());
    bool has_children = false;
    for (auto c = it.value().begin(); c != it.value().end(); ++c) {
      if (c.key() != ".") has_children = true;
    }
    if (has_children) {
      Leaves(it.value(), prefix, out);
    } else {
      out.push_back(prefix);
    }
    prefix.pop_back();
  }
}

std::vector<Path> LeavesOf(const Json& set) {
  std::vector<Path> out;
  Path prefix;
  Leaves(set, prefix, out);
  return out;
}

bool Contains(const Json& set, const Path& path) {
  const Json* cur = &set;
  for (const std::string& key : path) {
    if (!cur->is_object() || !cur->contains(key)) return false;
    cur = &(*cur)[key];
  }
  return true;
}

// Removes `path` (and empty parents, "." markers included) from a set.
void Remove(Json& set, const Path& path, size_t i = 0) {
  if (i >= path.size() || !set.is_object() || !set.contains(path[i])) return;
  if (i + 1 == path.size()) {
    set.erase(path[i]);
    return;
  }
  Json& child = set[path[i]];
  Remove(child, path, i + 1);
  bool only_dot =
      child.is_object() && (child.empty() || (child.size() == 1 && child.contains(".")));
  if (only_dot) set.erase(path[i]);
}

void Add(Json& set, const Json& other) {
  for (auto it = other.begin(); it != other.end(); ++it) {
    if (!set.contains(it.key())) {
      set[it.key()] = it.value();
    } else {
      Add(set[it.key()], it.value());
    }
  }
}

// The value at a FieldsV1 path ("f:" prefixes stripped), or null when absent.
const Json* ValueAt(const Json& object, const Path& path) {
  const Json* cur = &object;
  for (const std::string& key : path) {
    if (key.rfind("f:", 0) != 0) return nullptr;
    std::string name = key.substr(2);
    if (!cur->is_object() || !cur->contains(name)) return nullptr;
    cur = &(*cur)[name];
  }
  return cur;
}

std::string DotPath(const Path& path) {
  std::string out;
  for (const std::string& key : path) out += "." + (key.rfind("f:", 0) == 0 ? key.substr(2) : key);
  return out;
}

bool SameId(const Json& entry, const ManagerId& id) {
  return entry.value("manager", "") == id.manager && entry.value("operation", "") == id.operation &&
         entry.value("subresource", "") == id.subresource;
}

Json MakeEntry(const ManagerId& id, Json set, const std::string& time) {
  Json entry = {{"manager", id.manager},        {"operation", id.operation},
                {"apiVersion", id.api_version}, {"time", time},
                {"fieldsType", "FieldsV1"},     {"fieldsV1", std::move(set)}};
  if (!id.subresource.empty()) entry["subresource"] = id.subresource;
  return entry;
}

void SortAndClean(Json& entries) {
  Json kept = Json::array();
  for (Json& e : entries) {
    if (e.contains("fieldsV1") && e["fieldsV1"].is_object() && !e["fieldsV1"].empty()) {
      kept.push_back(std::move(e));
    }
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Json& p, const Json& q) {
    auto key = [](const Json& e) {
      return std::make_tuple(e.value("operation", ""), e.value("time", ""), e.value("manager", ""),
                             e.value("apiVersion", ""), e.value("subresource", ""));
    };
    return key(p) < key(q);
  });
  entries = std::move(kept);
}

void StoreEntries(Json& object, Json entries) {
  SortAndClean(entries);
  if (entries.empty()) {
    object["metadata"].erase("managedFields");
  } else {
    object["metadata"]["managedFields"] = std::move(entries);
  }
}

// Drops the given paths from every entry except `keep`'s.
void TakeOwnership(Json& entries, const ManagerId& keep, const std::vector<Path>& paths) {
  for (Json& e : entries) {
    if (SameId(e, keep) || !e.contains("fieldsV1")) continue;
    for (const Path& p : paths) Remove(e["fieldsV1"], p);
  }
}

// Merges an applied configuration into an object: maps merge, everything else replaces.
void MergeInto(Json& target, const Json& config) {
  for (auto it = config.begin(); it != config.end(); ++it) {
    if (it.value().is_object() && target.contains(it.key()) && target[it.key()].is_object()) {
      MergeInto(target[it.key()], it.value());
    } else {
      target[it.key()] = it.value();
    }
  }
}

void EraseAt(Json& object, const Path& path, size_t i = 0) {
  if (i >= path.size() || !object.is_object()) return;
  std::string name = path[i].rfind("f:", 0) == 0 ? path[i].substr(2) : path[i];
  if (!object.contains(name)) return;
  if (i + 1 == path.size()) {
    object.erase(name);
    return;
  }
  EraseAt(object[name], path, i + 1);
}

}  // namespace

std::string DefaultFieldManager(std::string_view user_agent) {
  size_t slash = user_agent.find('/');
  return std::string(user_agent.substr(0, slash));
}

void RecordUpdate(const ManagerId& id, const Json& old_object, Json& new_object,
                  const std::string& time) {
  Json entries = new_object.contains("metadata") && new_object["metadata"].contains("managedFields")
                     ? new_object["metadata"]["managedFields"]
                     : Json::array();
  if (!entries.is_array()) entries = Json::array();
  Json before = old_object.is_object() ? ObjectSet(old_object, false) : Json::object();
  Json old_view = old_object.is_object() ? old_object : Json::object();
  Json changed = Json::object();
  {
    // Compare only the tracked parts of both objects.
    Json a = old_view, b = new_object;
    for (Json* o : {&a, &b}) {
      o->erase("apiVersion");
      o->erase("kind");
      if (o->contains("metadata") && (*o)["metadata"].is_object()) {
        Json meta = Json::object();
        for (auto m = (*o)["metadata"].begin(); m != (*o)["metadata"].end(); ++m) {
          if (IsMetadataTracked(m.key())) meta[m.key()] = m.value();
        }
        (*o)["metadata"] = meta;
      }
      if (o->contains("metadata") && (*o)["metadata"].empty()) o->erase("metadata");
    }
    changed = Changed(a, b);
    if (changed.contains("f:metadata")) changed["f:metadata"].erase(".");
    if (changed.contains("f:metadata") && changed["f:metadata"].contains("f:finalizers") &&
        b["metadata"].contains("finalizers")) {
      Json fin = Json::object();
      if (!old_view.contains("metadata") || !old_view["metadata"].contains("finalizers")) {
        fin["."] = Json::object();
      }
      for (const Json& f : b["metadata"]["finalizers"]) fin["v:" + f.dump()] = Json::object();
      changed["f:metadata"]["f:finalizers"] = fin;
    }
  }
  (void)before;
  Json now_set = ObjectSet(new_object, true);
  // Fields removed from the object leave every manager's set.
  for (Json& e : entries) {
    if (!e.contains("fieldsV1")) continue;
    for (const Path& p : LeavesOf(e["fieldsV1"])) {
      if (!Contains(now_set, p)) Remove(e["fieldsV1"], p);
    }
  }
  if (changed.empty()) {
    StoreEntries(new_object, std::move(entries));
    return;
  }
  TakeOwnership(entries, id, LeavesOf(changed));
  bool found = false;
  for (Json& e : entries) {
    if (!SameId(e, id)) continue;
    Add(e["fieldsV1"], changed);
    e["time"] = time;
    e["apiVersion"] = id.api_version;
    found = true;
  }
  if (!found) entries.push_back(MakeEntry(id, changed, time));
  StoreEntries(new_object, std::move(entries));
}

std::vector<ApplyConflict> Apply(const ManagerId& id, const Json& current, const Json& config,
                                 bool force, const std::string& time, Json& result) {
  Json applied = ObjectSet(config, false);
  std::vector<Path> applied_leaves = LeavesOf(applied);
  Json entries = current.is_object() && current.contains("metadata") &&
                         current["metadata"].contains("managedFields")
                     ? current["metadata"]["managedFields"]
                     : Json::array();
  std::vector<ApplyConflict> conflicts;
  std::vector<Path> conflicting;
  for (const Json& e : entries) {
    if (SameId(e, id) || !e.contains("fieldsV1")) continue;
    for (const Path& p : applied_leaves) {
      if (!Contains(e["fieldsV1"], p)) continue;
      const Json* have = ValueAt(current, p);
      const Json* want = ValueAt(config, p);
      if (have != nullptr && want != nullptr && *have == *want) continue;
      conflicts.push_back({e.value("manager", ""), DotPath(p)});
      conflicting.push_back(p);
    }
  }
  if (!conflicts.empty() && !force) return conflicts;
  result = current.is_object() ? current : Json::object();
  // Fields this manager applied before but no longer does are removed unless someone else owns
  // them.
  for (const Json& e : entries) {
    if (!SameId(e, id) || !e.contains("fieldsV1")) continue;
    for (const Path& p : LeavesOf(e["fieldsV1"])) {
      if (Contains(applied, p)) continue;
      bool owned = false;
      for (const Json& other : entries) {
        if (!SameId(other, id) && other.contains("fieldsV1") && Contains(other["fieldsV1"], p)) {
          owned = true;
        }
      }
      if (!owned) EraseAt(result, p);
    }
  }
  Json merged_config = config;
  merged_config.erase("apiVersion");
  merged_config.erase("kind");
  if (merged_config.contains("metadata")) {
    Json meta = Json::object();
    for (auto m = merged_config["metadata"].begin(); m != merged_config["metadata"].end(); ++m) {
      if (IsMetadataTracked(m.key())) meta[m.key()] = m.value();
    }
    merged_config["metadata"] = meta;
  }
  MergeInto(result, merged_config);
  if (force) TakeOwnership(entries, id, conflicting);
  bool found = false;
  for (Json& e : entries) {
    if (!SameId(e, id)) continue;
    e["fieldsV1"] = applied;
    e["time"] = time;
    found = true;
  }
  if (!found) entries.push_back(MakeEntry(id, applied, time));
  StoreEntries(result, std::move(entries));
  return {};
}

std::string ApplyConflictMessage(const std::vector<ApplyConflict>& conflicts) {
  std::string out = fmt::format("Apply failed with {} conflict{}: ", conflicts.size(),
                                conflicts.size() == 1 ? "" : "s");
  for (size_t i = 0; i < conflicts.size(); ++i) {
    if (i > 0) out += "\n";
    out += fmt::format("conflict with \"{}\": {}", conflicts[i].manager, conflicts[i].path);
  }
  return out;
}

}  // namespace osbx::standalone
