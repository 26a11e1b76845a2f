#pragma once
// The subset of CEL that CRD `x-kubernetes-validations` rules use, with its own lexer, parser,
// type checker and evaluator (no CEL library is packaged for the platform).
//
// Supported: `self` and `oldSelf`; field selection; has(); size(); indexing; int, uint, double,
// string, bool, null, list and map literals; + - * / % (int overflow is an evaluation error);
// comparisons; && || ! with CEL's error-absorbing semantics; ?:; `in`; the string methods
// startsWith, endsWith, contains, matches; the macros all, exists, exists_one, map, filter.
// Anything else is refused when the rule is compiled, so a CRD never carries a rule that this
// server would silently skip.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/json.h"
#include "internal/utils/status.h"
#include "pkg/kube/schema/cel_value.h"

namespace osbx::kube::schema {
struct Node;
}

namespace osbx::kube::schema::cel {

// Static types of the checker. kDyn matches anything (int-or-string, preserve-unknown-fields).
struct Type {
  enum Kind { kDyn, kNull, kBool, kInt, kUint, kDouble, kString, kList, kMap, kObject };
  Kind kind = kDyn;
  std::shared_ptr<const Type> elem;  // list element, map value
  std::shared_ptr<const Type> key;   // map key
  const Node* object = nullptr;      // kObject: the schema with the properties

  static std::shared_ptr<const Type> Of(Kind kind);
  static std::shared_ptr<const Type> ForSchema(const Node* node);
  std::string Name() const;
};
using TypePtr = std::shared_ptr<const Type>;

struct Expr {
  enum Kind { kLiteral, kIdent, kSelect, kHas, kIndex, kCall, kList, kMap, kMacro };
  Kind kind = kLiteral;
  int pos = 0;                   // offset in the source, for messages
  Value literal;                 // kLiteral
  std::string name;              // kIdent, kSelect / kHas (field), kCall (function), kMacro
  std::string var;               // kMacro: the iteration variable
  std::unique_ptr<Expr> target;  // kSelect/kHas/kIndex operand, method receiver, macro range
  std::vector<std::unique_ptr<Expr>> args;  // call arguments, list items, map k0 v0 k1 v1 ...
  TypePtr type;                             // filled in by the checker
};

// Tokens and parsing. Returns the AST or InvalidError("... at position N").
StatusOr<std::unique_ptr<Expr>> Parse(std::string_view source);

// Type-checks `expr` in place with `self` (and `oldSelf`) of type `self_type`. Returns the
// expression's type or InvalidError naming the problem.
StatusOr<TypePtr> Check(Expr& expr, const TypePtr& self_type);

// The outcome of one evaluation: a value or an error such as "no such key: x".
struct EvalResult {
  bool ok = true;
  Value value;
  std::string error;
  static EvalResult Error(std::string message) { return {false, Value{}, std::move(message)}; }
  static EvalResult Of(Value v) { return {true, std::move(v), {}}; }
};

// Variables visible to an expression.
struct Activation {
  const Value* self = nullptr;
  const Value* old_self = nullptr;
  std::vector<std::pair<std::string, const Value*>> locals;  // macro variables, innermost last
};

EvalResult Eval(const Expr& expr, Activation& activation);

// A compiled rule: parsed, checked to produce a bool, ready to run against JSON values.
class Program {
 public:
  // `self_schema` is the schema the rule is attached to.
  [[nodiscard]] static StatusOr<std::unique_ptr<Program>> Compile(std::string_view source,
                                                                  const Node* self_schema);
  // Whether the rule mentions oldSelf (a transition rule, run only on update).
  bool uses_old_self() const { return uses_old_self_; }
  // Evaluates with `self` (and `old_self` when given) converted through the schema.
  EvalResult Evaluate(const Json& self, const Json* old_self) const;

 private:
  std::unique_ptr<Expr> expr_;
  const Node* schema_ = nullptr;
  bool uses_old_self_ = false;
};

}  // namespace osbx::kube::schema::cel
