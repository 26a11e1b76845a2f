#include "pkg/kube/cache/projection.h"

#include <algorithm>
#include <iterator>

#include "pkg/kube/meta/packed.h"

namespace osbx::kube {
namespace {

const FieldProjection& WholeRule() {
  static const FieldProjection* const kWhole = new FieldProjection(FieldProjection::Whole());
  return *kWhole;
}

// Applies `rule` to `value`; false when the value must be removed from its parent.
bool ProjectValue(Json& value, const FieldProjection& rule) {
  switch (rule.kind()) {
    case FieldProjection::Kind::kWhole:
      break;
    case FieldProjection::Kind::kDrop:
      return false;
    case FieldProjection::Kind::kObject:
      if (Json::object_t* members = value.get_ptr<Json::object_t*>()) {
        for (auto it = members->begin(); it != members->end();) {
          const FieldProjection* member_rule = rule.RuleFor(it->first);
          const bool keep = member_rule != nullptr && ProjectValue(it->second, *member_rule);
          it = keep ? std::next(it) : members->erase(it);
        }
      }
      break;
    case FieldProjection::Kind::kArray:
      if (Json::array_t* elements = value.get_ptr<Json::array_t*>()) {
        const size_t erased = std::erase_if(*elements, [&](Json& element) {
          return (rule.filters() && !rule.Matches(element)) ||
                 !ProjectValue(element, rule.element());
        });
        if (erased > 0) elements->shrink_to_fit();  // a cached object should not carry slack
      }
      break;
    case FieldProjection::Kind::kPacked:
      if (value.is_object() || value.is_array()) {
        if (!ProjectValue(value, rule.element())) return false;
        PackValue(value);
      }
      break;
  }
  if (!rule.drop_if_empty()) return true;
  const Json::object_t* members = value.get_ptr<const Json::object_t*>();
  return members == nullptr || !members->empty();
}

// Dotted paths as the members of an Except rule (see SkipPaths).
std::vector<FieldProjection::Member> MergedSkipMembers(const std::vector<std::string>& paths) {
  std::vector<std::pair<std::string, std::vector<std::string>>> by_key;
  std::vector<std::string> dropped;
  for (const std::string& path : paths) {
    const size_t dot = path.find('.');
    std::string key = path.substr(0, dot);
    if (dot == std::string::npos) {
      dropped.push_back(std::move(key));
      continue;
    }
    auto it = std::find_if(by_key.begin(), by_key.end(), [&](auto& k) { return k.first == key; });
    if (it == by_key.end()) it = by_key.insert(by_key.end(), {std::move(key), {}});
    it->second.push_back(path.substr(dot + 1));
  }
  std::vector<FieldProjection::Member> members;
  for (std::string& key : dropped) members.emplace_back(std::move(key), FieldProjection::Drop());
  for (auto& [key, rest] : by_key) {
    if (std::find(dropped.begin(), dropped.end(), key) != dropped.end()) continue;
    members.emplace_back(key, FieldProjection::Except(MergedSkipMembers(rest)));
  }
  return members;
}

}  // namespace

FieldProjection FieldProjection::SkipPaths(const std::vector<std::string>& paths) {
  return Except(MergedSkipMembers(paths));
}

FieldProjection FieldProjection::Whole() { return FieldProjection(Kind::kWhole); }

FieldProjection FieldProjection::Drop() { return FieldProjection(Kind::kDrop); }

FieldProjection FieldProjection::Only(std::vector<Member> members) {
  FieldProjection p(Kind::kObject);
  p.members_ = std::move(members);
  return p;
}

FieldProjection FieldProjection::Except(std::vector<Member> members) {
  FieldProjection p = Only(std::move(members));
  p.keep_unlisted_ = true;
  return p;
}

FieldProjection FieldProjection::Each(FieldProjection element) {
  FieldProjection p(Kind::kArray);
  p.element_ = std::make_shared<const FieldProjection>(std::move(element));
  return p;
}

FieldProjection FieldProjection::EachWhere(std::string key, std::string value,
                                           FieldProjection element) {
  FieldProjection p = Each(std::move(element));
  p.filter_key_ = std::move(key);
  p.filter_value_ = std::move(value);
  return p;
}

FieldProjection FieldProjection::Packed(FieldProjection rule) {
  FieldProjection p(Kind::kPacked);
  p.element_ = std::make_shared<const FieldProjection>(std::move(rule));
  return p;
}

FieldProjection FieldProjection::Replacing(std::string_view name, FieldProjection rule) const {
  FieldProjection out = *this;
  for (Member& member : out.members_) {
    if (member.first == name) {
      member.second = std::move(rule);
      return out;
    }
  }
  out.members_.emplace_back(std::string(name), std::move(rule));
  return out;
}

FieldProjection FieldProjection::DropIfEmpty() && {
  drop_if_empty_ = true;
  return std::move(*this);
}

const FieldProjection* FieldProjection::RuleFor(std::string_view name) const {
  for (const Member& member : members_) {
    if (member.first == name) {
      return member.second.kind_ == Kind::kDrop ? nullptr : &member.second;
    }
  }
  return keep_unlisted_ ? &WholeRule() : nullptr;
}

bool FieldProjection::Matches(const Json& element) const {
  const Json::object_t* members = element.get_ptr<const Json::object_t*>();
  if (members == nullptr) return false;
  auto it = members->find(filter_key_);
  if (it == members->end()) return false;
  const std::string* text = it->second.get_ptr<const std::string*>();
  return text != nullptr && *text == filter_value_;
}

void Project(Json& value, const FieldProjection& projection) {
  (void)ProjectValue(value, projection);
}

}  // namespace osbx::kube
