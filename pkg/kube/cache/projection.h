#pragma once
// FieldProjection: a declarative description of the parts of a JSON object to keep. One
// description serves two walkers, so they cannot drift apart:
//   - Project() trims an already decoded Json in place (the informer's transform);
//   - WatchEventDecoder(projection) builds only the kept parts straight from the wire bytes, so
//     what is dropped is never materialized (the watch hot path).
//
// Rules, each applied to one JSON value:
//   Whole()                  keep the value as it is;
//   Drop()                   (as the rule of a member) remove the member;
//   Only(members)            of an object: keep just the listed members, each by its own rule;
//   Except(members)          of an object: keep every member, the listed ones by their own rule;
//   Each(rule)               of an array: apply `rule` to every element;
//   EachWhere(k, v, rule)    of an array: keep only the object elements whose member `k` is the
//                            string `v`, and apply `rule` to those;
//   Packed(rule)             an object or array kept, after `rule`, as its JSON text in one
//                            string (pkg/kube/meta/packed.h): for parts read only through a
//                            decoder, at a fraction of a tree's memory. With Whole() the wire
//                            text is copied as it is, never built as a tree;
//   rule.DropIfEmpty()       the value is removed from its parent (object member or array
//                            element) when, after its rule, it is an empty object.
// An object rule leaves a value of another type untouched, and so does an array rule: a
// mistyped field is cached as it came, never rejected here.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "internal/utils/json.h"

namespace osbx::kube {

class FieldProjection {
 public:
  enum class Kind { kWhole, kDrop, kObject, kArray, kPacked };
  using Member = std::pair<std::string, FieldProjection>;

  static FieldProjection Whole();
  static FieldProjection Drop();
  static FieldProjection Only(std::vector<Member> members);
  static FieldProjection Except(std::vector<Member> members);
  static FieldProjection Each(FieldProjection element);
  static FieldProjection EachWhere(std::string key, std::string value, FieldProjection element);
  static FieldProjection Packed(FieldProjection rule = Whole());
  // Everything but the subtrees at the dotted `paths` ("metadata.managedFields"); no paths keeps
  // the whole value. Paths that share a first key share one rule for it, and dropping a key wins
  // over paths below it.
  static FieldProjection SkipPaths(const std::vector<std::string>& paths);
  // This rule, marked to remove its value when that ends up an empty object.
  [[nodiscard]] FieldProjection DropIfEmpty() &&;

  Kind kind() const { return kind_; }
  bool drop_if_empty() const { return drop_if_empty_; }

  // kObject: the rule for member `name`, or nullptr when the member is dropped.
  const FieldProjection* RuleFor(std::string_view name) const;
  // kArray: the rule of every (kept) element; kPacked: the rule applied before packing.
  const FieldProjection& element() const { return *element_; }
  // kObject: this rule with member `name` kept by `rule` instead.
  [[nodiscard]] FieldProjection Replacing(std::string_view name, FieldProjection rule) const;
  // kArray: true when elements are filtered by a member value (EachWhere).
  bool filters() const { return !filter_key_.empty(); }
  const std::string& filter_key() const { return filter_key_; }
  const std::string& filter_value() const { return filter_value_; }
  // kArray with a filter: whether a decoded element passes it.
  bool Matches(const Json& element) const;

 private:
  explicit FieldProjection(Kind kind) : kind_(kind) {}

  Kind kind_;
  bool drop_if_empty_ = false;
  // kObject: listed members; unlisted ones are kept whole when keep_unlisted_, else dropped.
  std::vector<Member> members_;
  bool keep_unlisted_ = false;
  // kArray.
  std::shared_ptr<const FieldProjection> element_;
  std::string filter_key_;
  std::string filter_value_;
};

// Trims `value` in place to what `projection` keeps. The root itself is never removed, even when
// its rule says DropIfEmpty.
void Project(Json& value, const FieldProjection& projection);

}  // namespace osbx::kube
