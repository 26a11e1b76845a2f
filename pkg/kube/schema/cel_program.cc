#include <regex>

#include "pkg/kube/schema/cel.h"
#include "pkg/kube/schema/node.h"

namespace osbx::kube::schema::cel {
namespace {

bool MentionsOldSelf(const Expr& e) {
  if (e.kind == Expr::kIdent && e.name == "oldSelf") return true;
  if (e.target && MentionsOldSelf(*e.target)) return true;
  for (const auto& a : e.args) {
    if (MentionsOldSelf(*a)) return true;
  }
  return false;
}

// Literal patterns of matches() are compiled once here so a bad regex fails the CRD, not the
// object.
Status CheckLiteralPatterns(const Expr& e) {
  if (e.kind == Expr::kCall && e.name == "matches" && !e.args.empty()) {
    const Expr& pattern = *e.args.back();
    if (pattern.kind == Expr::kLiteral && pattern.literal.Is<std::string>()) {
      try {
        std::regex re(pattern.literal.As<std::string>(), std::regex::ECMAScript);
      } catch (const std::regex_error&) {
        return InvalidError("invalid regular expression '" + pattern.literal.As<std::string>() +
                            "' at position " + std::to_string(pattern.pos));
      }
    }
  }
  if (e.target) OSBX_RETURN_IF_ERROR(CheckLiteralPatterns(*e.target));
  for (const auto& a : e.args) OSBX_RETURN_IF_ERROR(CheckLiteralPatterns(*a));
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Program>> Program::Compile(std::string_view source,
                                                    const Node* self_schema) {
  OSBX_ASSIGN_OR_RETURN(auto expr, Parse(source));
  OSBX_ASSIGN_OR_RETURN(auto type, Check(*expr, Type::ForSchema(self_schema)));
  if (type->kind != Type::kBool && type->kind != Type::kDyn) {
    return InvalidError("rule must evaluate to a bool, not " + type->Name());
  }
  OSBX_RETURN_IF_ERROR(CheckLiteralPatterns(*expr));
  auto program = std::unique_ptr<Program>(new Program());
  program->uses_old_self_ = MentionsOldSelf(*expr);
  program->expr_ = std::move(expr);
  program->schema_ = self_schema;
  return program;
}

EvalResult Program::Evaluate(const Json& self, const Json* old_self) const {
  Value self_value = FromJson(self, schema_);
  Value old_value;
  Activation act;
  act.self = &self_value;
  if (old_self != nullptr) {
    old_value = FromJson(*old_self, schema_);
    act.old_self = &old_value;
  }
  EvalResult r = Eval(*expr_, act);
  if (r.ok && !r.value.Is<bool>()) return EvalResult::Error("no such overload");
  return r;
}

}  // namespace osbx::kube::schema::cel
