// Recursive-descent parser of the CEL subset, following the precedence of the CEL grammar:
// ?: < || < && < relations (== != < <= > >= in) < + - < * / % < unary ! - < member access.

#include <cstdint>
#include <limits>

#include "pkg/kube/schema/cel.h"
#include "pkg/kube/schema/cel_lexer.h"

namespace osbx::kube::schema::cel {
namespace {

constexpr int kMaxDepth = 100;

bool IsReserved(const std::string& s) {
  static const char* kWords[] = {"as",        "break",  "const",  "continue", "else", "for",
                                 "function",  "if",     "import", "let",      "loop", "package",
                                 "namespace", "return", "var",    "void",     "while"};
  for (const char* w : kWords) {
    if (s == w) return true;
  }
  return false;
}

bool IsMacro(const std::string& s) {
  return s == "all" || s == "exists" || s == "exists_one" || s == "map" || s == "filter";
}

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : toks_(std::move(toks)) {}

  StatusOr<std::unique_ptr<Expr>> ParseAll() {
    OSBX_ASSIGN_OR_RETURN(auto e, ParseExpr());
    if (Cur().kind != Token::kEnd) return Error("unexpected '" + Describe(Cur()) + "'");
    return e;
  }

 private:
  using ExprOr = StatusOr<std::unique_ptr<Expr>>;

  const Token& Cur() const { return toks_[i_]; }
  bool IsPunct(const char* p) const { return Cur().kind == Token::kPunct && Cur().text == p; }
  bool IsWord(const char* w) const { return Cur().kind == Token::kIdent && Cur().text == w; }
  static std::string Describe(const Token& t) {
    if (t.kind == Token::kEnd) return "end of expression";
    if (t.kind == Token::kLiteral) return "literal";
    return t.text;
  }
  Status Error(const std::string& what) const {
    return InvalidError("syntax error: " + what + " at position " + std::to_string(Cur().pos));
  }
  Status Expect(const char* p) {
    if (!IsPunct(p))
      return Error(std::string("expected '") + p + "', found '" + Describe(Cur()) + "'");
    ++i_;
    return Status::Ok();
  }

  static std::unique_ptr<Expr> Call(std::string name, int pos, std::unique_ptr<Expr> a,
                                    std::unique_ptr<Expr> b = nullptr,
                                    std::unique_ptr<Expr> c = nullptr) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::kCall;
    e->name = std::move(name);
    e->pos = pos;
    e->args.push_back(std::move(a));
    if (b) e->args.push_back(std::move(b));
    if (c) e->args.push_back(std::move(c));
    return e;
  }

  ExprOr ParseExpr() {
    if (++depth_ > kMaxDepth) return Error("expression nested too deeply");
    OSBX_ASSIGN_OR_RETURN(auto cond, ParseOr());
    if (IsPunct("?")) {
      int pos = Cur().pos;
      ++i_;
      OSBX_ASSIGN_OR_RETURN(auto yes, ParseOr());
      OSBX_RETURN_IF_ERROR(Expect(":"));
      OSBX_ASSIGN_OR_RETURN(auto no, ParseExpr());
      cond = Call("_?_:_", pos, std::move(cond), std::move(yes), std::move(no));
    }
    --depth_;
    return cond;
  }

  ExprOr ParseOr() {
    OSBX_ASSIGN_OR_RETURN(auto lhs, ParseAnd());
    while (IsPunct("||")) {
      int pos = Cur().pos;
      ++i_;
      OSBX_ASSIGN_OR_RETURN(auto rhs, ParseAnd());
      lhs = Call("_||_", pos, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  ExprOr ParseAnd() {
    OSBX_ASSIGN_OR_RETURN(auto lhs, ParseRelation());
    while (IsPunct("&&")) {
      int pos = Cur().pos;
      ++i_;
      OSBX_ASSIGN_OR_RETURN(auto rhs, ParseRelation());
      lhs = Call("_&&_", pos, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  ExprOr ParseRelation() {
    OSBX_ASSIGN_OR_RETURN(auto lhs, ParseAdd());
    while (true) {
      std::string op;
      for (const char* p : {"==", "!=", "<", "<=", ">", ">="}) {
        if (IsPunct(p)) op = std::string("_") + p + "_";
      }
      if (IsWord("in")) op = "@in";
      if (op.empty()) return lhs;
      int pos = Cur().pos;
      ++i_;
      OSBX_ASSIGN_OR_RETURN(auto rhs, ParseAdd());
      lhs = Call(op, pos, std::move(lhs), std::move(rhs));
    }
  }

  ExprOr ParseAdd() {
    OSBX_ASSIGN_OR_RETURN(auto lhs, ParseMul());
    while (IsPunct("+") || IsPunct("-")) {
      std::string op = "_" + Cur().text + "_";
      int pos = Cur().pos;
      ++i_;
      OSBX_ASSIGN_OR_RETURN(auto rhs, ParseMul());
      lhs = Call(op, pos, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  ExprOr ParseMul() {
    OSBX_ASSIGN_OR_RETURN(auto lhs, ParseUnary());
    while (IsPunct("*") || IsPunct("/") || IsPunct("%")) {
      std::string op = "_" + Cur().text + "_";
      int pos = Cur().pos;
      ++i_;
      OSBX_ASSIGN_OR_RETURN(auto rhs, ParseUnary());
      lhs = Call(op, pos, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  ExprOr ParseUnary() {
    if (IsPunct("!") || IsPunct("-")) {
      std::string op = Cur().text + "_";
      int pos = Cur().pos;
      ++i_;
      if (op == "-_" && Cur().kind == Token::kLiteral && Cur().text == "int64-min-magnitude") {
        auto lit = std::make_unique<Expr>();
        lit->pos = pos;
        lit->literal = Value{std::numeric_limits<int64_t>::min()};
        ++i_;
        return ParseMemberSuffix(std::move(lit));
      }
      if (++depth_ > kMaxDepth) return Error("expression nested too deeply");
      OSBX_ASSIGN_OR_RETURN(auto operand, ParseUnary());
      --depth_;
      return Call(op, pos, std::move(operand));
    }
    OSBX_ASSIGN_OR_RETURN(auto primary, ParsePrimary());
    return ParseMemberSuffix(std::move(primary));
  }

  ExprOr ParseMemberSuffix(std::unique_ptr<Expr> e) {
    while (true) {
      if (IsPunct(".")) {
        ++i_;
        if (Cur().kind != Token::kIdent) return Error("expected a field name after '.'");
        auto name = Cur().text;
        int pos = Cur().pos;
        ++i_;
        if (IsPunct("(")) {
          OSBX_ASSIGN_OR_RETURN(e, ParseMethod(std::move(e), name, pos));
          continue;
        }
        auto sel = std::make_unique<Expr>();
        sel->kind = Expr::kSelect;
        sel->name = name;
        sel->pos = pos;
        sel->target = std::move(e);
        e = std::move(sel);
      } else if (IsPunct("[")) {
        int pos = Cur().pos;
        ++i_;
        OSBX_ASSIGN_OR_RETURN(auto index, ParseExpr());
        OSBX_RETURN_IF_ERROR(Expect("]"));
        auto idx = std::make_unique<Expr>();
        idx->kind = Expr::kIndex;
        idx->pos = pos;
        idx->target = std::move(e);
        idx->args.push_back(std::move(index));
        e = std::move(idx);
      } else {
        return e;
      }
    }
  }

  StatusOr<std::vector<std::unique_ptr<Expr>>> ParseArgs(const char* close) {
    std::vector<std::unique_ptr<Expr>> args;
    while (!IsPunct(close)) {
      OSBX_ASSIGN_OR_RETURN(auto a, ParseExpr());
      args.push_back(std::move(a));
      if (!IsPunct(",")) break;
      ++i_;
    }
    OSBX_RETURN_IF_ERROR(Expect(close));
    return args;
  }

  ExprOr ParseMethod(std::unique_ptr<Expr> target, const std::string& name, int pos) {
    ++i_;  // '('
    OSBX_ASSIGN_OR_RETURN(auto args, ParseArgs(")"));
    auto e = std::make_unique<Expr>();
    e->pos = pos;
    e->name = name;
    e->target = std::move(target);
    if (IsMacro(name)) {
      if (args.size() != 2 || args[0]->kind != Expr::kIdent) {
        return InvalidError("macro '" + name + "' takes an iteration variable and one expression" +
                            " at position " + std::to_string(pos));
      }
      e->kind = Expr::kMacro;
      e->var = args[0]->name;
      e->args.push_back(std::move(args[1]));
      return e;
    }
    e->kind = Expr::kCall;
    e->args = std::move(args);
    return e;
  }

  ExprOr ParsePrimary() {
    const Token& t = Cur();
    int pos = t.pos;
    if (t.kind == Token::kLiteral) {
      auto e = std::make_unique<Expr>();
      e->pos = pos;
      e->literal = t.literal;
      if (t.text == "int64-min-magnitude") return Error("integer literal out of range");
      ++i_;
      return e;
    }
    if (t.kind == Token::kIdent) return ParseIdent();
    if (IsPunct("(")) {
      ++i_;
      OSBX_ASSIGN_OR_RETURN(auto e, ParseExpr());
      OSBX_RETURN_IF_ERROR(Expect(")"));
      return e;
    }
    if (IsPunct("[")) {
      ++i_;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::kList;
      e->pos = pos;
      OSBX_ASSIGN_OR_RETURN(e->args, ParseArgs("]"));
      return e;
    }
    if (IsPunct("{")) return ParseMapLiteral();
    if (IsPunct(".")) return Error("leading '.' qualified names are not supported");
    return Error("unexpected '" + Describe(t) + "'");
  }

  ExprOr ParseMapLiteral() {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::kMap;
    e->pos = Cur().pos;
    ++i_;
    while (!IsPunct("}")) {
      OSBX_ASSIGN_OR_RETURN(auto k, ParseExpr());
      OSBX_RETURN_IF_ERROR(Expect(":"));
      OSBX_ASSIGN_OR_RETURN(auto v, ParseExpr());
      e->args.push_back(std::move(k));
      e->args.push_back(std::move(v));
      if (!IsPunct(",")) break;
      ++i_;
    }
    OSBX_RETURN_IF_ERROR(Expect("}"));
    return e;
  }

  ExprOr ParseIdent() {
    const Token& t = Cur();
    int pos = t.pos;
    std::string name = t.text;
    ++i_;
    auto e = std::make_unique<Expr>();
    e->pos = pos;
    if (name == "true" || name == "false") {
      e->literal = Value{name == "true"};
      return e;
    }
    if (name == "null") {
      e->literal = Value{Null{}};
      return e;
    }
    if (name == "in" || IsReserved(name)) return Error("reserved word '" + name + "'");
    if (!IsPunct("(")) {
      e->kind = Expr::kIdent;
      e->name = name;
      return e;
    }
    ++i_;
    OSBX_ASSIGN_OR_RETURN(auto args, ParseArgs(")"));
    if (name == "has") {
      if (args.size() != 1 || args[0]->kind != Expr::kSelect) {
        return InvalidError("invalid argument to has() macro at position " + std::to_string(pos));
      }
      auto has = std::move(args[0]);
      has->kind = Expr::kHas;
      return has;
    }
    e->kind = Expr::kCall;
    e->name = name;
    e->args = std::move(args);
    return e;
  }

  std::vector<Token> toks_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

StatusOr<std::unique_ptr<Expr>> Parse(std::string_view source) {
  OSBX_ASSIGN_OR_RETURN(auto toks, Lex(source));
  return Parser(std::move(toks)).ParseAll();
}

}  // namespace osbx::kube::schema::cel
