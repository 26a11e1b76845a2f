#include "pkg/kube/meta/label_selector.h"

#include <algorithm>
#include <charconv>

#include "pkg/kube/meta/label_selector_parser.h"
#include "pkg/kube/meta/names.h"

namespace osbx::kube {
namespace {

// ---- Field errors, formatted as k8s.io/apimachinery field.Error and aggregated errors. ----

std::string GoStringSlice(const std::vector<std::string>& values) {
  if (values.empty()) return "[]string(nil)";
  std::string out = "[]string{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += GoQuote(values[i]);
  }
  return out + "}";
}

std::string InvalidFieldError(std::string_view field, std::string_view bad_value_repr,
                              std::string_view detail) {
  return std::string(field) + ": Invalid value: " + std::string(bad_value_repr) + ": " +
         std::string(detail);
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

// Aggregated errors read "msg" for one error and "[msg1, msg2]" for several (duplicates dropped).
std::string Aggregate(const std::vector<std::string>& errors) {
  if (errors.size() == 1) return errors[0];
  std::vector<std::string> unique;
  for (const std::string& e : errors) {
    if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(e);
  }
  if (unique.size() == 1) return unique[0];
  return "[" + Join(unique, ", ") + "]";
}

bool ParseInt64(std::string_view s, int64_t& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::optional<std::string_view> LookupLabel(const Json& labels, const std::string& key) {
  if (!labels.is_object()) return std::nullopt;
  auto it = labels.find(key);
  if (it == labels.end() || !it->is_string()) return std::nullopt;
  return std::string_view(it->get_ref<const std::string&>());
}

std::optional<std::string_view> LookupLabel(const std::map<std::string, std::string>& labels,
                                            const std::string& key) {
  auto it = labels.find(key);
  if (it == labels.end()) return std::nullopt;
  return std::string_view(it->second);
}

template <typename Labels>
bool RequirementMatches(const LabelRequirement& r, const Labels& labels) {
  std::optional<std::string_view> value = LookupLabel(labels, r.key);
  auto has_value = [&r](std::string_view v) {
    return std::find(r.values.begin(), r.values.end(), v) != r.values.end();
  };
  switch (r.op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
      return value && has_value(*value);
    case SelectorOperator::kNotIn:
    case SelectorOperator::kNotEquals:
      return !value || !has_value(*value);
    case SelectorOperator::kExists:
      return value.has_value();
    case SelectorOperator::kDoesNotExist:
      return !value;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan: {
      int64_t have = 0, want = 0;
      if (!value || r.values.size() != 1 || !ParseInt64(*value, have) ||
          !ParseInt64(r.values[0], want)) {
        return false;
      }
      return r.op == SelectorOperator::kGreaterThan ? have > want : have < want;
    }
  }
  return false;
}

void SortByKey(std::vector<LabelRequirement>& requirements) {
  std::stable_sort(
      requirements.begin(), requirements.end(),
      [](const LabelRequirement& a, const LabelRequirement& b) { return a.key < b.key; });
}

StatusOr<SelectorOperator> OperatorFromJson(const Json& op) {
  std::string name = op.is_string() ? op.get<std::string>() : op.dump();
  if (name == "In") return SelectorOperator::kIn;
  if (name == "NotIn") return SelectorOperator::kNotIn;
  if (name == "Exists") return SelectorOperator::kExists;
  if (name == "DoesNotExist") return SelectorOperator::kDoesNotExist;
  return InvalidError(GoQuote(name) + " is not a valid label selector operator");
}

}  // namespace

namespace label_internal {

std::optional<std::string> LabelKeyError(std::string_view key, std::string_view field) {
  std::vector<std::string> errs = IsQualifiedName(key);
  if (errs.empty()) return std::nullopt;
  return InvalidFieldError(field, GoQuote(key), Join(errs, "; "));
}

}  // namespace label_internal

StatusOr<LabelRequirement> NewLabelRequirement(std::string key, SelectorOperator op,
                                               std::vector<std::string> values) {
  std::vector<std::string> errs;
  if (auto err = label_internal::LabelKeyError(key, "key")) errs.push_back(*err);
  switch (op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kNotIn:
      if (values.empty()) {
        errs.push_back(InvalidFieldError("values", GoStringSlice(values),
                                         "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
    case SelectorOperator::kNotEquals:
      if (values.size() != 1) {
        errs.push_back(InvalidFieldError("values", GoStringSlice(values),
                                         "exact-match compatibility requires one single value"));
      }
      break;
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      if (!values.empty()) {
        errs.push_back(InvalidFieldError("values", GoStringSlice(values),
                                         "values set must be empty for exists and does not exist"));
      }
      break;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan:
      if (values.size() != 1) {
        errs.push_back(
            InvalidFieldError("values", GoStringSlice(values),
                              "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (size_t i = 0; i < values.size(); ++i) {
        int64_t ignored = 0;
        if (!ParseInt64(values[i], ignored)) {
          errs.push_back(
              InvalidFieldError("values[" + std::to_string(i) + "]", GoQuote(values[i]),
                                "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    std::vector<std::string> value_errs = IsValidLabelValue(values[i]);
    if (!value_errs.empty()) {
      errs.push_back(InvalidFieldError("values[" + std::to_string(i) + "][" + key + "]",
                                       GoQuote(values[i]), Join(value_errs, "; ")));
    }
  }
  if (!errs.empty()) return InvalidError(Aggregate(errs));
  return LabelRequirement{std::move(key), op, std::move(values)};
}

bool LabelRequirement::Matches(const Json& labels) const {
  return RequirementMatches(*this, labels);
}

std::string LabelRequirement::String() const {
  std::string out = op == SelectorOperator::kDoesNotExist ? "!" + key : key;
  switch (op) {
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      return out;
    case SelectorOperator::kEquals:
      out += "=";
      break;
    case SelectorOperator::kDoubleEquals:
      out += "==";
      break;
    case SelectorOperator::kNotEquals:
      out += "!=";
      break;
    case SelectorOperator::kGreaterThan:
      out += ">";
      break;
    case SelectorOperator::kLessThan:
      out += "<";
      break;
    case SelectorOperator::kIn:
      out += " in ";
      break;
    case SelectorOperator::kNotIn:
      out += " notin ";
      break;
  }
  bool set = op == SelectorOperator::kIn || op == SelectorOperator::kNotIn;
  std::vector<std::string> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  return out + (set ? "(" : "") + Join(sorted, ",") + (set ? ")" : "");
}

LabelSelector LabelSelector::Nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

StatusOr<LabelSelector> LabelSelector::Parse(std::string_view selector) {
  OSBX_ASSIGN_OR_RETURN(std::vector<LabelRequirement> requirements,
                        label_internal::ParseRequirements(selector));
  SortByKey(requirements);
  LabelSelector s;
  s.requirements_ = std::move(requirements);
  return s;
}

StatusOr<LabelSelector> LabelSelector::FromJson(const Json& label_selector) {
  if (label_selector.is_null()) return Nothing();
  if (!label_selector.is_object()) return InvalidError("a label selector must be an object");
  LabelSelector s;
  auto labels = label_selector.find("matchLabels");
  if (labels != label_selector.end() && labels->is_object()) {
    for (const auto& [key, value] : labels->items()) {
      std::string v = value.is_string() ? value.get<std::string>() : value.dump();
      OSBX_ASSIGN_OR_RETURN(LabelRequirement r,
                            NewLabelRequirement(key, SelectorOperator::kEquals, {v}));
      s.requirements_.push_back(std::move(r));
    }
  }
  auto exprs = label_selector.find("matchExpressions");
  if (exprs != label_selector.end() && exprs->is_array()) {
    for (const Json& expr : *exprs) {
      if (!expr.is_object()) return InvalidError("a label selector requirement must be an object");
      OSBX_ASSIGN_OR_RETURN(SelectorOperator op, OperatorFromJson(expr.value("operator", Json())));
      std::vector<std::string> values;
      auto vals = expr.find("values");
      if (vals != expr.end() && vals->is_array()) {
        for (const Json& v : *vals)
          values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      }
      Json key = expr.value("key", Json());
      OSBX_ASSIGN_OR_RETURN(LabelRequirement r,
                            NewLabelRequirement(key.is_string() ? key.get<std::string>() : "", op,
                                                std::move(values)));
      s.requirements_.push_back(std::move(r));
    }
  }
  SortByKey(s.requirements_);
  return s;
}

LabelSelector LabelSelector::FromSet(const std::map<std::string, std::string>& labels) {
  LabelSelector s;
  for (const auto& [key, value] : labels) {
    s.requirements_.push_back(LabelRequirement{key, SelectorOperator::kEquals, {value}});
  }
  return s;
}

bool LabelSelector::Matches(const Json& labels) const {
  if (nothing_) return false;
  for (const LabelRequirement& r : requirements_) {
    if (!RequirementMatches(r, labels)) return false;
  }
  return true;
}

bool LabelSelector::Matches(const std::map<std::string, std::string>& labels) const {
  if (nothing_) return false;
  for (const LabelRequirement& r : requirements_) {
    if (!RequirementMatches(r, labels)) return false;
  }
  return true;
}

std::optional<std::string> LabelSelector::RequiresExactMatch(std::string_view key) const {
  for (const LabelRequirement& r : requirements_) {
    if (r.key != key) continue;
    bool exact = r.op == SelectorOperator::kEquals || r.op == SelectorOperator::kDoubleEquals ||
                 r.op == SelectorOperator::kIn;
    if (exact && r.values.size() == 1) return r.values[0];
    return std::nullopt;
  }
  return std::nullopt;
}

std::string LabelSelector::String() const {
  std::vector<std::string> parts;
  for (const LabelRequirement& r : requirements_) parts.push_back(r.String());
  return Join(parts, ",");
}

}  // namespace osbx::kube
