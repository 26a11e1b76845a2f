#include "pkg/kube/patch/json_patch.h"

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "pkg/kube/patch/merge_patch.h"

namespace osbx::kube::patch {
namespace {

struct Pointer {
  std::string text;
  std::vector<std::string> tokens;
};

std::string Unescape(std::string_view token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

Status Missing(std::string_view op, const std::string& path) {
  return InvalidError(std::string(op) + " operation does not apply: doc is missing path: \"" +
                      path + "\": missing value");
}

// The pointer in `field` ("path" or "from") of an operation. Only "/..." paths address anything.
StatusOr<Pointer> ReadPointer(const Json& op, const char* field, std::string_view op_name) {
  auto it = op.find(field);
  std::string text = it != op.end() && it->is_string() ? it->get<std::string>() : "";
  if (text.empty() || text[0] != '/') return Missing(op_name, text);
  Pointer p{text, {}};
  size_t start = 1;
  while (true) {
    size_t slash = text.find('/', start);
    p.tokens.push_back(Unescape(std::string_view(text).substr(
        start, slash == std::string::npos ? std::string::npos : slash - start)));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return p;
}

// Go's strconv.Atoi: optional sign, decimal digits.
std::optional<long long> ParseIndex(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  long long value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

// The container holding the pointer's last token, or nullptr when an ancestor is missing.
Json* Parent(Json& doc, const Pointer& p) {
  Json* node = &doc;
  for (size_t i = 0; i + 1 < p.tokens.size(); ++i) {
    const std::string& token = p.tokens[i];
    if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      std::optional<long long> index = ParseIndex(token);
      if (!index || *index < 0 || *index >= static_cast<long long>(node->size())) return nullptr;
      node = &(*node)[static_cast<size_t>(*index)];
    } else {
      return nullptr;
    }
  }
  return node->is_object() || node->is_array() ? node : nullptr;
}

Status BadIndex(const std::string& token) {
  return InvalidError("Unable to access invalid index: " + token + ": invalid index referenced");
}

// Resolves an array index, negative values counting from the end; `allow_end` admits size().
StatusOr<size_t> ArrayIndex(const Json& array, const std::string& token, bool allow_end) {
  std::optional<long long> index = ParseIndex(token);
  long long size = static_cast<long long>(array.size());
  if (!index) return BadIndex(token);
  long long i = *index < 0 ? *index + size : *index;
  if (i < 0 || i > size || (i == size && !allow_end)) return BadIndex(token);
  return static_cast<size_t>(i);
}

// The value at the pointer, or nullptr when absent.
Json* Get(Json& doc, const Pointer& p) {
  Json* parent = Parent(doc, p);
  if (parent == nullptr) return nullptr;
  const std::string& key = p.tokens.back();
  if (parent->is_object()) {
    auto it = parent->find(key);
    return it == parent->end() ? nullptr : &*it;
  }
  StatusOr<size_t> index = ArrayIndex(*parent, key, false);
  return index.ok() ? &(*parent)[*index] : nullptr;
}

Status Add(Json& doc, const Pointer& p, Json value) {
  Json* parent = Parent(doc, p);
  if (parent == nullptr) return Missing("add", p.text);
  const std::string& key = p.tokens.back();
  if (parent->is_object()) {
    (*parent)[key] = std::move(value);
    return Status::Ok();
  }
  if (key == "-") {
    parent->push_back(std::move(value));
    return Status::Ok();
  }
  OSBX_ASSIGN_OR_RETURN(size_t index, ArrayIndex(*parent, key, true));
  parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(index), std::move(value));
  return Status::Ok();
}

StatusOr<Json> Remove(Json& doc, const Pointer& p, std::string_view op_name) {
  Json* parent = Parent(doc, p);
  if (parent == nullptr) return Missing(op_name, p.text);
  const std::string& key = p.tokens.back();
  if (parent->is_object()) {
    auto it = parent->find(key);
    if (it == parent->end()) return Missing(op_name, p.text);
    Json removed = std::move(*it);
    parent->erase(it);
    return removed;
  }
  OSBX_ASSIGN_OR_RETURN(size_t index, ArrayIndex(*parent, key, false));
  Json removed = std::move((*parent)[index]);
  parent->erase(index);
  return removed;
}

// The operation's value. A test without one compares against null, as kube's JSON patch library
// does; add and replace without one are refused.
StatusOr<Json> Value(const Json& op, std::string_view op_name) {
  auto it = op.find("value");
  if (it != op.end()) return *it;
  if (op_name == "test") return Json();
  return InvalidError(std::string(op_name) + " operation, missing value field");
}

Status ApplyOne(Json& doc, const Json& op) {
  auto op_it = op.find("op");
  std::string name = op_it != op.end() && op_it->is_string() ? op_it->get<std::string>() : "";
  if (name == "add" || name == "replace" || name == "test") {
    OSBX_ASSIGN_OR_RETURN(Pointer path, ReadPointer(op, "path", name));
    OSBX_ASSIGN_OR_RETURN(Json value, Value(op, name));
    if (name == "add") return Add(doc, path, std::move(value));
    Json* current = Get(doc, path);
    if (name == "test") {
      bool equal = current == nullptr ? value.is_null() : *current == value;
      if (!equal) return InvalidError("testing value " + path.text + " failed: test failed");
      return Status::Ok();
    }
    if (current == nullptr) {
      return InvalidError("replace operation does not apply: doc is missing key: " + path.text +
                          ": missing value");
    }
    *current = std::move(value);
    return Status::Ok();
  }
  if (name == "remove") {
    OSBX_ASSIGN_OR_RETURN(Pointer path, ReadPointer(op, "path", name));
    return Remove(doc, path, name).status();
  }
  if (name == "move" || name == "copy") {
    OSBX_ASSIGN_OR_RETURN(Pointer from, ReadPointer(op, "from", name));
    OSBX_ASSIGN_OR_RETURN(Pointer path, ReadPointer(op, "path", name));
    if (name == "copy") {
      Json* source = Get(doc, from);
      if (source == nullptr) return Missing(name, from.text);
      return Add(doc, path, *source);
    }
    if (path.text.rfind(from.text + "/", 0) == 0) {
      return InvalidError("move operation does not apply: cannot move " + from.text +
                          " into its own child " + path.text);
    }
    OSBX_ASSIGN_OR_RETURN(Json moved, Remove(doc, from, name));
    return Add(doc, path, std::move(moved));
  }
  return InvalidError("Unexpected kind: " + name);
}

}  // namespace

Status ValidateJsonPatch(const Json& patch) {
  if (patch.is_null()) return Status::Ok();
  if (!patch.is_array()) {
    return BadRequestError("error decoding patch: json: cannot unmarshal " +
                           std::string(GoJsonKind(patch)) +
                           " into Go value of type []handlers.jsonPatchOp");
  }
  for (const Json& op : patch) {
    if (!op.is_object() && !op.is_null()) {
      return BadRequestError("error decoding patch: json: cannot unmarshal " +
                             std::string(GoJsonKind(op)) +
                             " into Go value of type handlers.jsonPatchOp");
    }
  }
  if (patch.size() > kMaxJsonPatchOperations) {
    return Status(StatusCode::kRequestEntityTooLarge,
                  "The allowed maximum operations in a JSON patch is " +
                      std::to_string(kMaxJsonPatchOperations) + ", got " +
                      std::to_string(patch.size()));
  }
  return Status::Ok();
}

StatusOr<Json> ApplyJsonPatch(const Json& document, const Json& patch) {
  OSBX_RETURN_IF_ERROR(ValidateJsonPatch(patch));
  Json doc = document;
  if (patch.is_null()) return doc;
  for (const Json& op : patch) {
    if (op.is_null()) return InvalidError("Unexpected kind: ");
    OSBX_RETURN_IF_ERROR(ApplyOne(doc, op));
  }
  return doc;
}

}  // namespace osbx::kube::patch
