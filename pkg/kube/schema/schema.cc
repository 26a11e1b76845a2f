#include "pkg/kube/schema/schema.h"

namespace osbx::kube::schema {

struct Node {};

Schema::Schema(std::unique_ptr<Node> root, CompileOptions options)
    : root_(std::move(root)), options_(options) {}
Schema::~Schema() = default;

StatusOr<std::shared_ptr<const Schema>> Schema::Compile(const Json&, CompileOptions options) {
  return std::shared_ptr<const Schema>(std::make_shared<Schema>(std::make_unique<Node>(), options));
}

std::vector<std::string> Schema::Prune(Json&) const { return {}; }
void Schema::ApplyDefaults(Json&) const {}
std::vector<FieldError> Schema::Validate(const Json&, const Json*) const { return {}; }

Status InvalidStatus(std::string_view, std::string_view, std::string_view,
                     const std::vector<FieldError>&) {
  return InvalidError("invalid");
}

}  // namespace osbx::kube::schema
