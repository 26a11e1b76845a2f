#pragma once
// Label selectors: the string form of `?labelSelector=` (`a=b,c!=d,e in (x,y),f notin (z),g,!h`)
// and the LabelSelector JSON of specs (matchLabels + matchExpressions), parsed and validated with
// kube-apiserver's rules and error messages, and matched against an object's labels.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"

namespace osbx::kube {

enum class SelectorOperator {
  kIn,
  kNotIn,
  kEquals,
  kDoubleEquals,
  kNotEquals,
  kExists,
  kDoesNotExist,
  kGreaterThan,
  kLessThan,
};

// One term of a selector. Built through NewRequirement, which validates it.
struct LabelRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kExists;
  std::vector<std::string> values;  // sorted and unique when parsed from a string

  // Whether the labels (a JSON object of strings, or null) satisfy this term.
  bool Matches(const Json& labels) const;
  // The canonical string form ("a in (x,y)", "!b", "c=d").
  std::string String() const;
  bool operator==(const LabelRequirement&) const = default;
};

// Validates key, operator and values as kube's labels.NewRequirement does. Errors are kInvalid with
// kube's aggregated field-error message (e.g. `key: Invalid value: "a b": name part must ...`).
[[nodiscard]] StatusOr<LabelRequirement> NewLabelRequirement(std::string key, SelectorOperator op,
                                                             std::vector<std::string> values);

// A conjunction of requirements, or the selector that matches nothing.
class LabelSelector {
 public:
  // Matches every object (the empty selector).
  static LabelSelector Everything() { return LabelSelector(); }
  // Matches no object (a nil LabelSelector in a spec).
  static LabelSelector Nothing();

  // Parses the string form. Errors are kBadRequest with the message kube-apiserver returns
  // (e.g. "unable to parse requirement: found '=', expected: identifier").
  [[nodiscard]] static StatusOr<LabelSelector> Parse(std::string_view selector);
  // Builds from a metav1.LabelSelector JSON: null = Nothing, {} = Everything. Errors are kInvalid.
  [[nodiscard]] static StatusOr<LabelSelector> FromJson(const Json& label_selector);
  // Exact match of every key/value in a map (matchLabels alone); not validated.
  static LabelSelector FromSet(const std::map<std::string, std::string>& labels);

  // Whether an object with these labels (JSON object of strings, or null) is selected.
  bool Matches(const Json& labels) const;
  bool Matches(const std::map<std::string, std::string>& labels) const;
  // True when the selector does not restrict anything (Everything). Nothing is not empty.
  bool Empty() const { return !nothing_ && requirements_.empty(); }
  bool MatchesNothing() const { return nothing_; }
  // The value `key` must equal for any object to match (for index lookups), if there is one.
  std::optional<std::string> RequiresExactMatch(std::string_view key) const;
  // Canonical string form, requirements sorted by key ("" for Everything and Nothing).
  std::string String() const;
  const std::vector<LabelRequirement>& requirements() const { return requirements_; }

 private:
  std::vector<LabelRequirement> requirements_;  // sorted by key (stable)
  bool nothing_ = false;
};

}  // namespace osbx::kube
