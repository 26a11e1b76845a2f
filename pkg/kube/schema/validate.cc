// OpenAPI keyword validation with kube-openapi's order and wording: type, string, format,
// number, array, enum, then object keywords (additional properties, properties by name,
// required).

#include "pkg/kube/schema/validate.h"
#include "pkg/kube/schema/format.h"
#include "pkg/kube/schema/go_format.h"

namespace osbx::kube::schema {
namespace {

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

class KeywordValidator {
 public:
  KeywordValidator(bool resource_root, std::vector<FieldError>& errors)
      : resource_root_(resource_root), errors_(errors) {}

  void Validate(const Node& n, const Json& v, const std::string& path) {
    if (v.is_null() && (n.nullable || n.type.empty())) return;
    if (!TypeOk(n, v, path)) return;
    if (v.is_string()) {
      StringKeywords(n, v.get_ref<const std::string&>(), v, path);
    } else if (v.is_number()) {
      NumberKeywords(n, v, path);
    } else if (v.is_array()) {
      ArrayKeywords(n, v, path);
    }
    EnumKeyword(n, v, path);
    if (v.is_object()) ObjectKeywords(n, v, path);
  }

 private:
  void Add(const char* type, const std::string& path, std::string message) {
    errors_.push_back(FieldError{type, path, std::move(message)});
  }
  void Invalid(const std::string& path, const Json& value, const std::string& detail) {
    Add("FieldValueInvalid", path, "Invalid value: " + GoValue(value) + ": " + detail);
  }

  static bool IsIntegral(const Json& v) {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    double d = v.get<double>();
    return d == static_cast<double>(static_cast<int64_t>(d));
  }

  bool TypeOk(const Node& n, const Json& v, const std::string& path) {
    if (n.int_or_string) {
      if (v.is_string() || IsIntegral(v)) return true;
    } else if (n.type.empty()) {
      return true;
    } else if ((n.type == "object" && v.is_object()) || (n.type == "array" && v.is_array()) ||
               (n.type == "string" && v.is_string()) || (n.type == "boolean" && v.is_boolean()) ||
               (n.type == "number" && v.is_number()) || (n.type == "integer" && IsIntegral(v))) {
      return true;
    }
    std::string want = n.int_or_string ? "integer,string" : n.type;
    std::string actual = JsonTypeName(v);
    Add("FieldValueTypeInvalid", path,
        "Invalid value: " + GoQuote(actual) + ": " + path + " in body must be of type " + want +
            ": " + GoQuote(actual));
    return false;
  }

  void StringKeywords(const Node& n, const std::string& s, const Json& v, const std::string& path) {
    int64_t len = RuneCount(s);
    if (n.max_length && len > *n.max_length) {
      Add("FieldValueTooLong", path,
          "Too long: may not be more than " + std::to_string(*n.max_length) + " bytes");
    }
    if (n.min_length && len < *n.min_length) {
      Invalid(
          path, v,
          path + " in body should be at least " + std::to_string(*n.min_length) + " chars long");
    }
    if (n.pattern_re && !std::regex_search(s, *n.pattern_re)) {
      Invalid(path, v, path + " in body should match '" + *n.pattern + "'");
    }
    if (!n.format.empty() && !IsValidFormat(n.format, s)) {
      Add("FieldValueTypeInvalid", path,
          "Invalid value: " + GoQuote(s) + ": " + path + " in body must be of type " + n.format +
              ": " + GoQuote(s));
    }
  }

  void NumberKeywords(const Node& n, const Json& v, const std::string& path) {
    double d = v.get<double>();
    if (n.multiple_of && *n.multiple_of != 0) {
      double q = d / *n.multiple_of;
      if (q != static_cast<double>(static_cast<int64_t>(q))) {
        Invalid(path, v, path + " in body should be a multiple of " + GoFloat(*n.multiple_of));
      }
    }
    if (n.maximum && (n.exclusive_maximum ? d >= *n.maximum : d > *n.maximum)) {
      Invalid(path, v,
              path + " in body should be less than " + (n.exclusive_maximum ? "" : "or equal to ") +
                  GoFloat(*n.maximum));
    }
    if (n.minimum && (n.exclusive_minimum ? d <= *n.minimum : d < *n.minimum)) {
      Invalid(path, v,
              path + " in body should be greater than " +
                  (n.exclusive_minimum ? "" : "or equal to ") + GoFloat(*n.minimum));
    }
  }

  void ArrayKeywords(const Node& n, const Json& v, const std::string& path) {
    auto size = static_cast<int64_t>(v.size());
    if (n.min_items && size < *n.min_items) {
      Invalid(path, Json(size),
              path + " in body should have at least " + std::to_string(*n.min_items) + " items");
    }
    if (n.max_items && size > *n.max_items) {
      Add("FieldValueTooMany", path,
          "Too many: " + std::to_string(size) + ": must have at most " +
              std::to_string(*n.max_items) + (*n.max_items == 1 ? " item" : " items"));
    }
    if (!n.items) return;
    for (size_t i = 0; i < v.size(); ++i) {
      Validate(*n.items, v[i], path + "[" + std::to_string(i) + "]");
    }
  }

  void EnumKeyword(const Node& n, const Json& v, const std::string& path) {
    if (n.enum_values.empty()) return;
    for (const auto& e : n.enum_values) {
      if (e == v) return;
    }
    std::string supported;
    for (const auto& e : n.enum_values) {
      if (!supported.empty()) supported += ", ";
      supported += GoQuote(e.is_string() ? e.get<std::string>() : e.dump());
    }
    Add("FieldValueNotSupported", path,
        "Unsupported value: " + GoValue(v) + ": supported values: " + supported);
  }

  bool IsRootMeta(const std::string& path, const std::string& key) const {
    return resource_root_ && path.empty() &&
           (key == "apiVersion" || key == "kind" || key == "metadata");
  }

  void ObjectKeywords(const Node& n, const Json& v, const std::string& path) {
    auto count = static_cast<int64_t>(v.size());
    if (n.min_properties && count < *n.min_properties) {
      Invalid(path, Json(count),
              path + " in body should have at least " + std::to_string(*n.min_properties) +
                  " properties");
      return;
    }
    if (n.max_properties && count > *n.max_properties) {
      Add("FieldValueTooMany", path,
          "Too many: " + std::to_string(count) + ": must have at most " +
              std::to_string(*n.max_properties) + (*n.max_properties == 1 ? " item" : " items"));
      return;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (n.properties.count(it.key()) || IsRootMeta(path, it.key())) continue;
      if (n.additional_properties) {
        Validate(*n.additional_properties, it.value(), Join(path, it.key()));
      } else if (n.additional_properties_false) {
        Add("FieldValueForbidden", Join(path, it.key()), "Forbidden: field not declared in schema");
      }
    }
    for (const auto& [name, child] : n.properties) {
      auto it = v.find(name);
      if (it != v.end()) Validate(*child, *it, Join(path, name));
    }
    for (const auto& r : n.required) {
      if (!v.contains(r)) Add("FieldValueRequired", Join(path, r), "Required value");
    }
  }

  bool resource_root_;
  std::vector<FieldError>& errors_;
};

}  // namespace

void ValidateKeywords(const Node& root, const Json& object, bool resource_root,
                      std::vector<FieldError>& errors) {
  KeywordValidator(resource_root, errors).Validate(root, object, "");
}

}  // namespace osbx::kube::schema
