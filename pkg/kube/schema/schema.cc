#include "pkg/kube/schema/schema.h"

#include <set>

#include "pkg/kube/schema/node.h"
#include "pkg/kube/schema/validate.h"

namespace osbx::kube::schema {

Schema::Schema(std::unique_ptr<Node> root, CompileOptions options)
    : root_(std::move(root)), options_(options) {}
Schema::~Schema() = default;

StatusOr<std::shared_ptr<const Schema>> Schema::Compile(const Json& open_api_v3_schema,
                                                        CompileOptions options) {
  OSBX_ASSIGN_OR_RETURN(auto root, CompileNode(open_api_v3_schema, "openAPIV3Schema"));
  return std::shared_ptr<const Schema>(std::make_shared<Schema>(std::move(root), options));
}

namespace {

// Schema errors after which kube-apiserver does not run CEL rules (their inputs may be
// ill-typed); it reports one summary error instead.
bool IsBlocking(const FieldError& e) {
  return e.type == "FieldValueNotSupported" || e.type == "FieldValueRequired" ||
         e.type == "FieldValueTooLong" || e.type == "FieldValueTooMany" ||
         e.type == "FieldValueTypeInvalid";
}

}  // namespace

std::vector<FieldError> Schema::Validate(const Json& object, const Json* old_object) const {
  std::vector<FieldError> errors;
  ValidateKeywords(*root_, object, options_.resource_root, errors);
  ValidateListTypes(*root_, object, errors);
  if (!root_->has_rules_below) return errors;
  if (std::any_of(errors.begin(), errors.end(), IsBlocking)) {
    errors.push_back({"FieldValueInvalid", "<nil>",
                      "Invalid value: null: some validation rules were not checked because the "
                      "object was invalid; correct the existing errors to complete validation"});
    return errors;
  }
  ValidateRules(*root_, object, old_object, errors);
  return errors;
}

Status InvalidStatus(std::string_view kind, std::string_view group, std::string_view name,
                     const std::vector<FieldError>& errors) {
  std::string qualified = std::string(kind) + (group.empty() ? "" : "." + std::string(group));
  std::string message = qualified + " \"" + std::string(name) + "\" is invalid";
  std::vector<std::string> lines;
  std::set<std::string> seen;
  for (const auto& e : errors) {
    std::string line = e.field + ": " + e.message;
    if (seen.insert(line).second) lines.push_back(std::move(line));
  }
  if (lines.size() == 1) {
    message += ": " + lines[0];
  } else if (lines.size() > 1) {
    message += ": [";
    for (size_t i = 0; i < lines.size(); ++i) message += (i ? ", " : "") + lines[i];
    message += "]";
  }
  Status status = InvalidError(std::move(message));
  for (const auto& e : errors) status.WithCause({e.type, e.message, e.field});
  return status;
}

}  // namespace osbx::kube::schema
