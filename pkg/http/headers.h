#pragma once
// HTTP header fields with case-insensitive names, shared by requests and responses.
//
// Order and repeated fields are kept as received; lookups ignore ASCII case as RFC 9110 requires.
// A handful of fields per message makes a flat vector faster than any map.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace osbx::http {

// True when two header names are equal ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  Headers() = default;
  Headers(std::initializer_list<Field> fields) : fields_(fields) {}

  // Appends a field, keeping any existing ones of the same name.
  void Add(std::string name, std::string value);
  // Replaces every field named `name` with one field.
  void Set(std::string_view name, std::string value);
  // Removes every field named `name`.
  void Remove(std::string_view name);

  // The first value of `name`, or an empty view when absent.
  std::string_view Get(std::string_view name) const;
  // Every value of `name`, in order.
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const;

  const std::vector<Field>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

}  // namespace osbx::http
