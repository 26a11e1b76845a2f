// Static type checking of the CEL subset against the schema of `self`. It refuses, when the CRD
// is created, what cel-go's checker refuses: unknown fields of typed objects, operators applied
// to mismatched types, functions outside the subset and rules that do not produce a bool.

#include "pkg/kube/schema/cel.h"
#include "pkg/kube/schema/node.h"

namespace osbx::kube::schema::cel {

TypePtr Type::Of(Kind kind) {
  auto t = std::make_shared<Type>();
  t->kind = kind;
  return t;
}

TypePtr Type::ForSchema(const Node* node) {
  if (node == nullptr || node->int_or_string) return Of(kDyn);
  const std::string& t = node->type;
  if (t == "integer") return Of(kInt);
  if (t == "number") return Of(kDouble);
  if (t == "string") return Of(kString);
  if (t == "boolean") return Of(kBool);
  if (t == "array") {
    auto l = std::make_shared<Type>();
    l->kind = kList;
    l->elem = ForSchema(node->items.get());
    return l;
  }
  if (t == "object") {
    if (node->additional_properties) {
      auto m = std::make_shared<Type>();
      m->kind = kMap;
      m->key = Of(kString);
      m->elem = ForSchema(node->additional_properties.get());
      return m;
    }
    if (node->properties.empty() && (node->preserve_unknown_fields || node->embedded_resource)) {
      return Of(kDyn);
    }
    auto o = std::make_shared<Type>();
    o->kind = kObject;
    o->object = node;
    return o;
  }
  return Of(kDyn);
}

std::string Type::Name() const {
  switch (kind) {
    case kDyn:
      return "dyn";
    case kNull:
      return "null_type";
    case kBool:
      return "bool";
    case kInt:
      return "int";
    case kUint:
      return "uint";
    case kDouble:
      return "double";
    case kString:
      return "string";
    case kList:
      return "list(" + elem->Name() + ")";
    case kMap:
      return "map(" + key->Name() + ", " + elem->Name() + ")";
    case kObject:
      return "object";
  }
  return "dyn";
}

namespace {

using K = Type::Kind;

bool IsNumeric(K k) { return k == K::kInt || k == K::kUint || k == K::kDouble; }

bool IsDyn(const TypePtr& t) { return t->kind == K::kDyn; }

// Whether values of the two types can ever be equal (the checker's `_==_` overload).
bool Comparable(const TypePtr& a, const TypePtr& b) {
  if (IsDyn(a) || IsDyn(b)) return true;
  if (IsNumeric(a->kind) && IsNumeric(b->kind)) return true;
  if (a->kind == K::kNull || b->kind == K::kNull) {
    K other = a->kind == K::kNull ? b->kind : a->kind;
    return other == K::kNull || other == K::kObject || other == K::kMap || other == K::kList;
  }
  if (a->kind != b->kind) return false;
  if (a->kind == K::kList) return Comparable(a->elem, b->elem);
  if (a->kind == K::kMap) return Comparable(a->key, b->key) && Comparable(a->elem, b->elem);
  return true;
}

// The common type of two branches or list elements; dyn when they differ.
TypePtr Join(const TypePtr& a, const TypePtr& b) {
  if (a->kind == b->kind && a->kind != K::kList && a->kind != K::kMap && a->kind != K::kObject) {
    return a;
  }
  if (a->kind == K::kObject && b->kind == K::kObject && a->object == b->object) return a;
  return Type::Of(K::kDyn);
}

class Checker {
 public:
  explicit Checker(TypePtr self) : self_(std::move(self)) {}

  StatusOr<TypePtr> Check(Expr& e) {
    OSBX_ASSIGN_OR_RETURN(e.type, CheckInner(e));
    return e.type;
  }

 private:
  static Status Err(const Expr& e, const std::string& what) {
    return InvalidError(what + " at position " + std::to_string(e.pos));
  }
  static Status NoOverload(const Expr& e, const std::string& fn, const std::vector<TypePtr>& ts) {
    std::string list;
    for (const auto& t : ts) list += (list.empty() ? "" : ", ") + t->Name();
    return Err(e, "found no matching overload for '" + fn + "' applied to '(" + list + ")'");
  }

  StatusOr<TypePtr> CheckInner(Expr& e) {
    switch (e.kind) {
      case Expr::kLiteral:
        return LiteralType(e.literal);
      case Expr::kIdent:
        return Ident(e);
      case Expr::kSelect:
        return Select(e);
      case Expr::kHas: {
        OSBX_RETURN_IF_ERROR(Select(e).status());
        return Type::Of(K::kBool);
      }
      case Expr::kIndex:
        return Index(e);
      case Expr::kList:
        return ListLiteral(e);
      case Expr::kMap:
        return MapLiteral(e);
      case Expr::kMacro:
        return Macro(e);
      case Expr::kCall:
        return CallExpr(e);
    }
    return Type::Of(K::kDyn);
  }

  static TypePtr LiteralType(const Value& v) {
    if (v.Is<Null>()) return Type::Of(K::kNull);
    if (v.Is<bool>()) return Type::Of(K::kBool);
    if (v.Is<int64_t>()) return Type::Of(K::kInt);
    if (v.Is<uint64_t>()) return Type::Of(K::kUint);
    if (v.Is<double>()) return Type::Of(K::kDouble);
    return Type::Of(K::kString);
  }

  StatusOr<TypePtr> Ident(const Expr& e) {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
      if (it->first == e.name) return it->second;
    }
    if (e.name == "self" || e.name == "oldSelf") return self_;
    return Err(e, "undeclared reference to '" + e.name + "'");
  }

  StatusOr<TypePtr> Select(Expr& e) {
    OSBX_ASSIGN_OR_RETURN(auto t, Check(*e.target));
    switch (t->kind) {
      case K::kDyn:
        return t;
      case K::kMap:
        if (t->key->kind != K::kString && !IsDyn(t->key)) break;
        return t->elem;
      case K::kObject: {
        auto it = t->object->properties.find(e.name);
        if (it == t->object->properties.end()) {
          if (t->object->preserve_unknown_fields) return Type::Of(K::kDyn);
          return Err(e, "undefined field '" + e.name + "'");
        }
        return Type::ForSchema(it->second.get());
      }
      default:
        break;
    }
    return Err(e, "type '" + t->Name() + "' does not support field selection");
  }

  StatusOr<TypePtr> Index(Expr& e) {
    OSBX_ASSIGN_OR_RETURN(auto t, Check(*e.target));
    OSBX_ASSIGN_OR_RETURN(auto k, Check(*e.args[0]));
    if (IsDyn(t)) return t;
    if (t->kind == K::kList && (IsDyn(k) || IsNumeric(k->kind))) return t->elem;
    if (t->kind == K::kMap && Comparable(t->key, k)) return t->elem;
    return NoOverload(e, "_[_]", {t, k});
  }

  StatusOr<TypePtr> ListLiteral(Expr& e) {
    TypePtr elem;
    for (auto& a : e.args) {
      OSBX_ASSIGN_OR_RETURN(auto t, Check(*a));
      elem = elem ? Join(elem, t) : t;
    }
    auto l = std::make_shared<Type>();
    l->kind = K::kList;
    l->elem = elem ? elem : Type::Of(K::kDyn);
    return TypePtr(l);
  }

  StatusOr<TypePtr> MapLiteral(Expr& e) {
    TypePtr key, val;
    for (size_t i = 0; i < e.args.size(); i += 2) {
      OSBX_ASSIGN_OR_RETURN(auto k, Check(*e.args[i]));
      OSBX_ASSIGN_OR_RETURN(auto v, Check(*e.args[i + 1]));
      if (k->kind != K::kString && k->kind != K::kInt && k->kind != K::kUint &&
          k->kind != K::kBool && !IsDyn(k)) {
        return Err(*e.args[i], "unsupported map key type '" + k->Name() + "'");
      }
      key = key ? Join(key, k) : k;
      val = val ? Join(val, v) : v;
    }
    auto m = std::make_shared<Type>();
    m->kind = K::kMap;
    m->key = key ? key : Type::Of(K::kDyn);
    m->elem = val ? val : Type::Of(K::kDyn);
    return TypePtr(m);
  }

  StatusOr<TypePtr> Macro(Expr& e) {
    OSBX_ASSIGN_OR_RETURN(auto range, Check(*e.target));
    TypePtr var_type;
    if (range->kind == K::kList) {
      var_type = range->elem;
    } else if (range->kind == K::kMap) {
      var_type = range->key;
    } else if (IsDyn(range)) {
      var_type = range;
    } else {
      return Err(e, "macro '" + e.name + "' needs a list or map, not '" + range->Name() + "'");
    }
    locals_.emplace_back(e.var, var_type);
    auto body = Check(*e.args[0]);
    locals_.pop_back();
    if (!body.ok()) return body.status();
    if (e.name == "map") {
      auto l = std::make_shared<Type>();
      l->kind = K::kList;
      l->elem = *body;
      return TypePtr(l);
    }
    if ((*body)->kind != K::kBool && !IsDyn(*body)) {
      return Err(e, "macro '" + e.name + "' needs a bool predicate, not '" + (*body)->Name() + "'");
    }
    if (e.name == "filter") {
      auto l = std::make_shared<Type>();
      l->kind = K::kList;
      l->elem = var_type;
      return TypePtr(l);
    }
    return Type::Of(K::kBool);
  }

  StatusOr<TypePtr> CallExpr(Expr& e);
  StatusOr<TypePtr> Operator(Expr& e, const std::vector<TypePtr>& ts);
  StatusOr<TypePtr> Function(Expr& e, const std::vector<TypePtr>& ts);

  TypePtr self_;
  std::vector<std::pair<std::string, TypePtr>> locals_;
};

StatusOr<TypePtr> Checker::CallExpr(Expr& e) {
  std::vector<TypePtr> ts;
  if (e.target) {
    OSBX_ASSIGN_OR_RETURN(auto t, Check(*e.target));
    ts.push_back(t);
  }
  for (auto& a : e.args) {
    OSBX_ASSIGN_OR_RETURN(auto t, Check(*a));
    ts.push_back(t);
  }
  if (e.name.front() == '_' || e.name.back() == '_' || e.name == "@in") return Operator(e, ts);
  return Function(e, ts);
}

StatusOr<TypePtr> Checker::Operator(Expr& e, const std::vector<TypePtr>& ts) {
  const std::string& op = e.name;
  auto boolean = Type::Of(K::kBool);
  auto is_bool = [](const TypePtr& t) { return t->kind == K::kBool || IsDyn(t); };
  if (op == "_&&_" || op == "_||_") {
    if (is_bool(ts[0]) && is_bool(ts[1])) return boolean;
  } else if (op == "!_") {
    if (is_bool(ts[0])) return boolean;
  } else if (op == "-_") {
    if (IsDyn(ts[0]) || ts[0]->kind == K::kInt || ts[0]->kind == K::kDouble) return ts[0];
  } else if (op == "_?_:_") {
    if (is_bool(ts[0])) return Join(ts[1], ts[2]);
  } else if (op == "_==_" || op == "_!=_") {
    if (Comparable(ts[0], ts[1])) return boolean;
  } else if (op == "_<_" || op == "_<=_" || op == "_>_" || op == "_>=_") {
    if (IsDyn(ts[0]) || IsDyn(ts[1])) return boolean;
    if (IsNumeric(ts[0]->kind) && IsNumeric(ts[1]->kind)) return boolean;
    if (ts[0]->kind == ts[1]->kind && (ts[0]->kind == K::kString || ts[0]->kind == K::kBool)) {
      return boolean;
    }
  } else if (op == "@in") {
    if (IsDyn(ts[1])) return boolean;
    if (ts[1]->kind == K::kList && Comparable(ts[0], ts[1]->elem)) return boolean;
    if (ts[1]->kind == K::kMap && Comparable(ts[0], ts[1]->key)) return boolean;
  } else {  // arithmetic
    if (IsDyn(ts[0]) || IsDyn(ts[1])) return IsDyn(ts[0]) ? ts[1] : ts[0];
    K a = ts[0]->kind, b = ts[1]->kind;
    if (a == b && IsNumeric(a) && !(op == "_%_" && a == K::kDouble)) return ts[0];
    if (op == "_+_" && a == b && (a == K::kString || a == K::kList)) {
      return ts[0];
    }
  }
  return NoOverload(e, op, ts);
}

StatusOr<TypePtr> Checker::Function(Expr& e, const std::vector<TypePtr>& ts) {
  const std::string& fn = e.name;
  auto is_str = [](const TypePtr& t) { return t->kind == K::kString || IsDyn(t); };
  if (fn == "size" && ts.size() == 1) {
    K k = ts[0]->kind;
    if (k == K::kString || k == K::kList || k == K::kMap || k == K::kDyn) return Type::Of(K::kInt);
    return NoOverload(e, "size", ts);
  }
  if ((fn == "startsWith" || fn == "endsWith" || fn == "contains" || fn == "matches") &&
      ts.size() == 2 && (e.target || fn == "matches")) {
    if (is_str(ts[0]) && is_str(ts[1])) return Type::Of(K::kBool);
    return NoOverload(e, fn, ts);
  }
  if (fn == "startsWith" || fn == "endsWith" || fn == "contains" || fn == "matches" ||
      fn == "size") {
    return NoOverload(e, fn, ts);
  }
  return Err(e, "undeclared reference to '" + fn + "' (the function is not supported)");
}

}  // namespace

StatusOr<TypePtr> Check(Expr& expr, const TypePtr& self_type) {
  return Checker(self_type).Check(expr);
}

}  // namespace osbx::kube::schema::cel
