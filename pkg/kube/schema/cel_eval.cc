// Evaluation of checked CEL expressions. Errors are values (EvalResult), and && || and the
// all/exists macros absorb them the way CEL specifies: `true || error` is true, `false && error`
// is false, whichever side the error is on.

#include <cmath>
#include <cstdint>
#include <limits>
#include <regex>
#include <type_traits>

#include "pkg/kube/schema/cel.h"

namespace osbx::kube::schema::cel {
namespace {

using R = EvalResult;

R NoOverload(const std::string& fn) { return R::Error("no such overload: " + fn); }

bool Truthy(const R& r, bool want) {
  return r.ok && r.value.Is<bool>() && r.value.As<bool>() == want;
}

// _&&_ and _||_. `absorbing` is the operand value that decides the result whichever side it is
// on, even against an error: false for &&, true for ||.
R Logical(const Expr& e, Activation& act, bool absorbing) {
  R a = Eval(*e.args[0], act);
  if (Truthy(a, absorbing)) return R::Of(Value{absorbing});
  R b = Eval(*e.args[1], act);
  if (Truthy(b, absorbing)) return R::Of(Value{absorbing});
  if (!a.ok) return a;
  if (!b.ok) return b;
  if (!a.value.Is<bool>() || !b.value.Is<bool>()) return NoOverload(e.name);
  return R::Of(Value{!absorbing});
}

// + - * / % on two int64 or two uint64 values, with CEL's errors for overflow and zero divisors.
template <typename T>
R CheckedArith(const std::string& op, T a, T b) {
  constexpr bool kSigned = std::is_signed_v<T>;
  T out = 0;
  bool overflow = false;
  if (op == "_+_") {
    overflow = __builtin_add_overflow(a, b, &out);
  } else if (op == "_-_") {
    overflow = __builtin_sub_overflow(a, b, &out);
  } else if (op == "_*_") {
    overflow = __builtin_mul_overflow(a, b, &out);
  } else if (b == 0) {
    return R::Error(op == "_/_" ? "division by zero" : "modulus by zero");
  } else if (kSigned && a == std::numeric_limits<T>::min() && b == T(-1)) {
    // The one signed quotient that does not fit; its remainder is 0.
    if (op == "_%_") return R::Of(Value{T{0}});
    overflow = true;
  } else {
    out = op == "_/_" ? a / b : a % b;
  }
  if (overflow) return R::Error(kSigned ? "integer overflow" : "unsigned integer overflow");
  return R::Of(Value{out});
}

R Arith(const std::string& op, const Value& a, const Value& b) {
  if (a.Is<int64_t>() && b.Is<int64_t>()) return CheckedArith(op, a.As<int64_t>(), b.As<int64_t>());
  if (a.Is<uint64_t>() && b.Is<uint64_t>()) {
    return CheckedArith(op, a.As<uint64_t>(), b.As<uint64_t>());
  }
  if (a.Is<double>() && b.Is<double>() && op != "_%_") {
    double x = a.As<double>(), y = b.As<double>();
    double out = op == "_+_" ? x + y : op == "_-_" ? x - y : op == "_*_" ? x * y : x / y;
    return R::Of(Value{out});
  }
  if (op == "_+_" && a.Is<std::string>() && b.Is<std::string>()) {
    return R::Of(Value{a.As<std::string>() + b.As<std::string>()});
  }
  if (op == "_+_" && a.IsList() && b.IsList()) {
    ValueList out = a.List();
    out.insert(out.end(), b.List().begin(), b.List().end());
    return R::Of(Value::Of(std::move(out)));
  }
  return NoOverload(op);
}

// Three-way comparison; false when the values are not ordered against each other.
bool Compare(const Value& a, const Value& b, int& out) {
  auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (a.Is<int64_t>() && b.Is<uint64_t>()) {
    out = a.As<int64_t>() < 0 ? -1 : sign(static_cast<uint64_t>(a.As<int64_t>()), b.As<uint64_t>());
    return true;
  }
  if (a.Is<uint64_t>() && b.Is<int64_t>()) {
    if (!Compare(b, a, out)) return false;
    out = -out;
    return true;
  }
  if (a.Is<int64_t>() && b.Is<int64_t>()) return out = sign(a.As<int64_t>(), b.As<int64_t>()), true;
  if (a.Is<uint64_t>() && b.Is<uint64_t>()) {
    return out = sign(a.As<uint64_t>(), b.As<uint64_t>()), true;
  }
  auto num = [](const Value& v, double& d) {
    if (v.Is<int64_t>()) return d = static_cast<double>(v.As<int64_t>()), true;
    if (v.Is<uint64_t>()) return d = static_cast<double>(v.As<uint64_t>()), true;
    if (v.Is<double>()) return d = v.As<double>(), true;
    return false;
  };
  double x = 0, y = 0;
  if (num(a, x) && num(b, y)) return out = sign(x, y), !std::isnan(x) && !std::isnan(y);
  if (a.Is<std::string>() && b.Is<std::string>()) {
    return out = sign(a.As<std::string>(), b.As<std::string>()), true;
  }
  if (a.Is<bool>() && b.Is<bool>()) return out = sign(a.As<bool>(), b.As<bool>()), true;
  return false;
}

R Relation(const std::string& op, const Value& a, const Value& b) {
  if (op == "_==_") return R::Of(Value{Equal(a, b)});
  if (op == "_!=_") return R::Of(Value{!Equal(a, b)});
  int c = 0;
  if (!Compare(a, b, c)) {
    double x = 0;
    bool nan = (a.Is<double>() && std::isnan(a.As<double>())) ||
               (b.Is<double>() && std::isnan(b.As<double>()));
    (void)x;
    if (nan) return R::Of(Value{false});
    return NoOverload(op);
  }
  bool r = op == "_<_" ? c < 0 : op == "_<=_" ? c <= 0 : op == "_>_" ? c > 0 : c >= 0;
  return R::Of(Value{r});
}

int64_t CodePoints(const std::string& s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

R Size(const Value& v) {
  if (v.Is<std::string>()) return R::Of(Value{CodePoints(v.As<std::string>())});
  if (v.IsList()) return R::Of(Value{static_cast<int64_t>(v.List().size())});
  if (v.IsMap()) return R::Of(Value{static_cast<int64_t>(v.Map().size())});
  return NoOverload("size");
}

R StringFn(const std::string& fn, const Value& s, const Value& arg) {
  if (!s.Is<std::string>() || !arg.Is<std::string>()) return NoOverload(fn);
  const std::string& a = s.As<std::string>();
  const std::string& b = arg.As<std::string>();
  if (fn == "startsWith") return R::Of(Value{a.rfind(b, 0) == 0});
  if (fn == "endsWith") {
    return R::Of(Value{a.size() >= b.size() && a.compare(a.size() - b.size(), b.size(), b) == 0});
  }
  if (fn == "contains") return R::Of(Value{a.find(b) != std::string::npos});
  try {
    return R::Of(Value{std::regex_search(a, std::regex(b, std::regex::ECMAScript))});
  } catch (const std::regex_error&) {
    return R::Error("invalid regular expression: " + b);
  }
}

R In(const Value& elem, const Value& container) {
  if (container.IsList()) {
    for (const auto& v : container.List()) {
      if (Equal(v, elem)) return R::Of(Value{true});
    }
    return R::Of(Value{false});
  }
  if (container.IsMap()) return R::Of(Value{MapFind(container.Map(), elem) != nullptr});
  return NoOverload("@in");
}

R Index(const Value& target, const Value& key) {
  if (target.IsList()) {
    int64_t i = 0;
    if (key.Is<int64_t>()) {
      i = key.As<int64_t>();
    } else if (key.Is<uint64_t>()) {
      i = static_cast<int64_t>(key.As<uint64_t>());
    } else if (key.Is<double>() && std::floor(key.As<double>()) == key.As<double>()) {
      i = static_cast<int64_t>(key.As<double>());
    } else {
      return NoOverload("_[_]");
    }
    if (i < 0 || i >= static_cast<int64_t>(target.List().size())) {
      return R::Error("index out of bounds: " + std::to_string(i));
    }
    return R::Of(target.List()[static_cast<size_t>(i)]);
  }
  if (target.IsMap()) {
    const Value* v = MapFind(target.Map(), key);
    if (v == nullptr) {
      std::string shown = key.Is<std::string>() ? key.As<std::string>() : TypeName(key);
      return R::Error("no such key: " + shown);
    }
    return R::Of(*v);
  }
  return NoOverload("_[_]");
}

R Call(const Expr& e, Activation& act) {
  const std::string& op = e.name;
  if (op == "_&&_") return Logical(e, act, /*absorbing=*/false);
  if (op == "_||_") return Logical(e, act, /*absorbing=*/true);
  if (op == "_?_:_") {
    R c = Eval(*e.args[0], act);
    if (!c.ok) return c;
    if (!c.value.Is<bool>()) return NoOverload(op);
    return Eval(*e.args[c.value.As<bool>() ? 1 : 2], act);
  }
  std::vector<Value> vals;
  if (e.target) {
    R t = Eval(*e.target, act);
    if (!t.ok) return t;
    vals.push_back(std::move(t.value));
  }
  for (const auto& a : e.args) {
    R r = Eval(*a, act);
    if (!r.ok) return r;
    vals.push_back(std::move(r.value));
  }
  if (op == "!_") {
    if (!vals[0].Is<bool>()) return NoOverload(op);
    return R::Of(Value{!vals[0].As<bool>()});
  }
  if (op == "-_") {
    if (vals[0].Is<int64_t>()) return CheckedArith<int64_t>("_-_", 0, vals[0].As<int64_t>());
    if (vals[0].Is<double>()) return R::Of(Value{-vals[0].As<double>()});
    return NoOverload(op);
  }
  if (op == "_+_" || op == "_-_" || op == "_*_" || op == "_/_" || op == "_%_") {
    return Arith(op, vals[0], vals[1]);
  }
  if (op == "@in") return In(vals[0], vals[1]);
  if (op.front() == '_') return Relation(op, vals[0], vals[1]);
  if (op == "size") return Size(vals[0]);
  return StringFn(op, vals[0], vals[1]);
}

R Macro(const Expr& e, Activation& act) {
  R range = Eval(*e.target, act);
  if (!range.ok) return range;
  ValueList items;
  if (range.value.IsList()) {
    items = range.value.List();
  } else if (range.value.IsMap()) {
    for (const auto& kv : range.value.Map()) items.push_back(kv.first);
  } else {
    return NoOverload(e.name);
  }
  const std::string& m = e.name;
  ValueList out;
  int64_t count = 0;
  R first_error = R::Of(Value{});
  for (const auto& item : items) {
    act.locals.emplace_back(e.var, &item);
    R r = Eval(*e.args[0], act);
    act.locals.pop_back();
    if (m == "map") {
      if (!r.ok) return r;
      out.push_back(std::move(r.value));
      continue;
    }
    if (r.ok && !r.value.Is<bool>()) return NoOverload(m);
    if (!r.ok) {
      if (m == "filter" || m == "exists_one") return r;
      if (first_error.ok) first_error = r;
      continue;
    }
    bool b = r.value.As<bool>();
    if (m == "all" && !b) return R::Of(Value{false});
    if (m == "exists" && b) return R::Of(Value{true});
    if (b) ++count;
    if (m == "filter" && b) out.push_back(item);
  }
  if (m == "map" || m == "filter") return R::Of(Value::Of(std::move(out)));
  if (m == "exists_one") return R::Of(Value{count == 1});
  if (!first_error.ok) return first_error;
  return R::Of(Value{m == "all"});
}

R Ident(const Expr& e, const Activation& act) {
  for (auto it = act.locals.rbegin(); it != act.locals.rend(); ++it) {
    if (it->first == e.name) return R::Of(*it->second);
  }
  const Value* v = e.name == "self" ? act.self : e.name == "oldSelf" ? act.old_self : nullptr;
  if (v == nullptr) return R::Error("undeclared reference to '" + e.name + "'");
  return R::Of(*v);
}

R Select(const Expr& e, Activation& act, bool presence_test) {
  R t = Eval(*e.target, act);
  if (!t.ok) return t;
  if (!t.value.IsMap()) return R::Error("invalid type for field selection.");
  const Value* v = MapFind(t.value.Map(), Value{e.name});
  if (presence_test) return R::Of(Value{v != nullptr});
  if (v == nullptr) return R::Error("no such key: " + e.name);
  return R::Of(*v);
}

R Collection(const Expr& e, Activation& act) {
  ValueList vals;
  for (const auto& a : e.args) {
    R r = Eval(*a, act);
    if (!r.ok) return r;
    vals.push_back(std::move(r.value));
  }
  if (e.kind == Expr::kList) return R::Of(Value::Of(std::move(vals)));
  ValueMap map;
  for (size_t i = 0; i + 1 < vals.size(); i += 2) {
    if (MapFind(map, vals[i]) != nullptr) return R::Error("Failed with repeated key");
    map.emplace_back(std::move(vals[i]), std::move(vals[i + 1]));
  }
  return R::Of(Value::Of(std::move(map)));
}

}  // namespace

EvalResult Eval(const Expr& e, Activation& act) {
  switch (e.kind) {
    case Expr::kLiteral:
      return R::Of(e.literal);
    case Expr::kIdent:
      return Ident(e, act);
    case Expr::kSelect:
      return Select(e, act, false);
    case Expr::kHas:
      return Select(e, act, true);
    case Expr::kIndex: {
      R t = Eval(*e.target, act);
      if (!t.ok) return t;
      R k = Eval(*e.args[0], act);
      if (!k.ok) return k;
      return Index(t.value, k.value);
    }
    case Expr::kCall:
      return Call(e, act);
    case Expr::kList:
    case Expr::kMap:
      return Collection(e, act);
    case Expr::kMacro:
      return Macro(e, act);
  }
  return R::Error("unknown expression");
}

}  // namespace osbx::kube::schema::cel
