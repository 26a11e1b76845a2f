#include "pkg/kube/meta/field_selector.h"

#include <algorithm>

namespace osbx::kube {
namespace {

// Splits on commas that are not escaped; the escapes stay in the terms.
std::vector<std::string_view> SplitTerms(std::string_view selector) {
  std::vector<std::string_view> terms;
  if (selector.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < selector.size(); ++i) {
    if (in_slash) {
      in_slash = false;
    } else if (selector[i] == '\\') {
      in_slash = true;
    } else if (selector[i] == ',') {
      terms.push_back(selector.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(selector.substr(start));
  return terms;
}

// The first operator occurrence splits the term; "!=" and "==" win over "=" at the same place.
bool SplitTerm(std::string_view term, std::string_view& lhs, std::string_view& op,
               std::string_view& rhs) {
  static constexpr std::string_view kOperators[] = {"!=", "==", "="};
  for (size_t i = 0; i < term.size(); ++i) {
    for (std::string_view candidate : kOperators) {
      if (term.substr(i, candidate.size()) == candidate) {
        lhs = term.substr(0, i);
        op = candidate;
        rhs = term.substr(i + candidate.size());
        return true;
      }
    }
  }
  return false;
}

StatusOr<std::string> UnescapeValue(std::string_view s) {
  std::string out;
  bool in_slash = false;
  for (char c : s) {
    if (in_slash) {
      if (c != '\\' && c != ',' && c != '=') {
        return BadRequestError(std::string("invalid field selector: invalid escape sequence: \\") +
                               c);
      }
      out += c;
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      // Go prints the rune as its number.
      return BadRequestError("invalid field selector: unescaped character in value: " +
                             std::to_string(static_cast<int>(c)));
    } else {
      out += c;
    }
  }
  if (in_slash) return BadRequestError("invalid field selector: invalid escape sequence: \\");
  return out;
}

}  // namespace

StatusOr<FieldSelector> FieldSelector::Parse(std::string_view selector) {
  std::vector<std::string_view> terms = SplitTerms(selector);
  std::sort(terms.begin(), terms.end());
  FieldSelector result;
  for (std::string_view term : terms) {
    if (term.empty()) continue;
    std::string_view lhs, op, rhs;
    if (!SplitTerm(term, lhs, op, rhs)) {
      return BadRequestError("invalid selector: '" + std::string(selector) +
                             "'; can't understand '" + std::string(term) + "'");
    }
    OSBX_ASSIGN_OR_RETURN(std::string value, UnescapeValue(rhs));
    result.requirements_.push_back(
        FieldRequirement{std::string(lhs), std::move(value), op != "!="});
  }
  return result;
}

bool FieldSelector::Matches(const FieldGetter& get) const {
  for (const FieldRequirement& r : requirements_) {
    bool equal = get(r.field).value_or("") == r.value;
    if (equal != r.equals) return false;
  }
  return true;
}

bool FieldSelector::Matches(const Json& object) const {
  return Matches([&object](std::string_view field) { return JsonFieldByPath(object, field); });
}

std::vector<std::string> FieldSelector::Fields() const {
  std::vector<std::string> fields;
  for (const FieldRequirement& r : requirements_) {
    if (std::find(fields.begin(), fields.end(), r.field) == fields.end()) fields.push_back(r.field);
  }
  return fields;
}

std::optional<std::string> FieldSelector::RequiresExactMatch(std::string_view field) const {
  for (const FieldRequirement& r : requirements_) {
    if (r.field == field && r.equals) return r.value;
  }
  return std::nullopt;
}

std::string FieldSelector::String() const {
  std::string out;
  for (const FieldRequirement& r : requirements_) {
    if (!out.empty()) out += ",";
    out += r.field + (r.equals ? "=" : "!=") + EscapeFieldSelectorValue(r.value);
  }
  return out;
}

std::string EscapeFieldSelectorValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

std::optional<std::string> JsonFieldByPath(const Json& object, std::string_view dotted_path) {
  const Json* node = &object;
  size_t start = 0;
  while (true) {
    size_t dot = dotted_path.find('.', start);
    std::string key(
        dotted_path.substr(start, dot == std::string_view::npos ? dotted_path.npos : dot - start));
    if (!node->is_object()) return std::nullopt;
    auto it = node->find(key);
    if (it == node->end()) return std::nullopt;
    node = &*it;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (node->is_string()) return node->get<std::string>();
  if (node->is_number() || node->is_boolean()) return node->dump();
  return std::nullopt;
}

}  // namespace osbx::kube
