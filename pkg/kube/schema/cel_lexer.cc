#include "pkg/kube/schema/cel_lexer.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace osbx::kube::schema::cel {
namespace {

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

Status LexError(std::string what, size_t pos) {
  return InvalidError(what + " at position " + std::to_string(pos));
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  StatusOr<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      SkipSpace();
      if (i_ >= src_.size()) break;
      Token tok;
      tok.pos = static_cast<int>(i_);
      OSBX_RETURN_IF_ERROR(Next(tok));
      out.push_back(std::move(tok));
    }
    Token end;
    end.pos = static_cast<int>(src_.size());
    out.push_back(end);
    return out;
  }

 private:
  void SkipSpace() {
    while (i_ < src_.size()) {
      if (std::isspace(static_cast<unsigned char>(src_[i_]))) {
        ++i_;
      } else if (src_.substr(i_, 2) == "//") {
        while (i_ < src_.size() && src_[i_] != '\n') ++i_;
      } else {
        break;
      }
    }
  }

  char Peek(size_t ahead = 0) const { return i_ + ahead < src_.size() ? src_[i_ + ahead] : '\0'; }

  Status Next(Token& tok) {
    char c = Peek();
    if ((c == 'r' || c == 'R') && (Peek(1) == '\'' || Peek(1) == '"')) {
      ++i_;
      return String(tok, /*raw=*/true);
    }
    if ((c == 'b' || c == 'B') && (Peek(1) == '\'' || Peek(1) == '"')) {
      return LexError("bytes literals are not supported", i_);
    }
    if (IsIdentStart(c)) {
      size_t start = i_;
      while (IsIdentChar(Peek())) ++i_;
      tok.kind = Token::kIdent;
      tok.text = std::string(src_.substr(start, i_ - start));
      return Status::Ok();
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(Peek(1))))) {
      return Number(tok);
    }
    if (c == '\'' || c == '"') return String(tok, /*raw=*/false);
    return Punct(tok);
  }

  Status Punct(Token& tok) {
    static const char* kTwo[] = {"==", "!=", "<=", ">=", "&&", "||"};
    for (const char* p : kTwo) {
      if (src_.substr(i_, 2) == p) {
        tok.kind = Token::kPunct;
        tok.text = p;
        i_ += 2;
        return Status::Ok();
      }
    }
    std::string_view singles = "+-*/%<>!?:.,()[]{}";
    if (singles.find(Peek()) == std::string_view::npos) {
      return LexError(std::string("unexpected character '") + Peek() + "'", i_);
    }
    tok.kind = Token::kPunct;
    tok.text = std::string(1, Peek());
    ++i_;
    return Status::Ok();
  }

  Status Number(Token& tok) {
    size_t start = i_;
    tok.kind = Token::kLiteral;
    if (Peek() == '0' && (Peek(1) == 'x' || Peek(1) == 'X')) {
      i_ += 2;
      while (std::isxdigit(static_cast<unsigned char>(Peek()))) ++i_;
      return Integer(tok, std::string(src_.substr(start + 2, i_ - start - 2)), 16, start);
    }
    bool is_double = false;
    while (std::isdigit(static_cast<unsigned char>(Peek()))) ++i_;
    if (Peek() == '.' && std::isdigit(static_cast<unsigned char>(Peek(1)))) {
      is_double = true;
      ++i_;
      while (std::isdigit(static_cast<unsigned char>(Peek()))) ++i_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      is_double = true;
      ++i_;
      if (Peek() == '+' || Peek() == '-') ++i_;
      if (!std::isdigit(static_cast<unsigned char>(Peek()))) return LexError("bad exponent", i_);
      while (std::isdigit(static_cast<unsigned char>(Peek()))) ++i_;
    }
    std::string text(src_.substr(start, i_ - start));
    if (is_double) {
      tok.literal = Value{std::strtod(text.c_str(), nullptr)};
      return Status::Ok();
    }
    return Integer(tok, text, 10, start);
  }

  Status Integer(Token& tok, const std::string& digits, int base, size_t start) {
    if (digits.empty()) return LexError("malformed integer", start);
    errno = 0;
    unsigned long long v = std::strtoull(digits.c_str(), nullptr, base);
    if (errno == ERANGE) return LexError("integer literal out of range", start);
    if (Peek() == 'u' || Peek() == 'U') {
      ++i_;
      tok.literal = Value{static_cast<uint64_t>(v)};
      return Status::Ok();
    }
    // The magnitude 2^63 is allowed so that a preceding unary minus can form INT64_MIN.
    if (v > 9223372036854775808ULL) return LexError("integer literal out of range", start);
    if (v == 9223372036854775808ULL) {
      tok.literal = Value{static_cast<uint64_t>(v)};
      tok.text = "int64-min-magnitude";
      return Status::Ok();
    }
    tok.literal = Value{static_cast<int64_t>(v)};
    return Status::Ok();
  }

  Status String(Token& tok, bool raw) {
    size_t start = i_;
    char q = Peek();
    bool triple = Peek(1) == q && Peek(2) == q;
    i_ += triple ? 3 : 1;
    std::string out;
    while (true) {
      if (i_ >= src_.size()) return LexError("unterminated string", start);
      char c = src_[i_];
      if (triple ? (c == q && Peek(1) == q && Peek(2) == q) : c == q) {
        i_ += triple ? 3 : 1;
        break;
      }
      if (!triple && c == '\n') return LexError("newline in string", start);
      if (c == '\\' && !raw) {
        OSBX_RETURN_IF_ERROR(Escape(out));
        continue;
      }
      out += c;
      ++i_;
    }
    tok.kind = Token::kLiteral;
    tok.literal = Value{std::move(out)};
    return Status::Ok();
  }

  Status Escape(std::string& out) {
    size_t at = i_;
    ++i_;
    char e = Peek();
    ++i_;
    switch (e) {
      case 'n':
        out += '\n';
        return Status::Ok();
      case 't':
        out += '\t';
        return Status::Ok();
      case 'r':
        out += '\r';
        return Status::Ok();
      case 'a':
        out += '\a';
        return Status::Ok();
      case 'b':
        out += '\b';
        return Status::Ok();
      case 'f':
        out += '\f';
        return Status::Ok();
      case 'v':
        out += '\v';
        return Status::Ok();
      case '\\':
      case '\'':
      case '"':
      case '`':
      case '?':
        out += e;
        return Status::Ok();
      case 'x':
        return Hex(out, 2, at);
      case 'u':
        return Hex(out, 4, at);
      case 'U':
        return Hex(out, 8, at);
      default:
        break;
    }
    if (e >= '0' && e <= '3' && Peek() >= '0' && Peek() <= '7' && Peek(1) >= '0' &&
        Peek(1) <= '7') {
      int v = (e - '0') * 64 + (Peek() - '0') * 8 + (Peek(1) - '0');
      i_ += 2;
      out += static_cast<char>(v);
      return Status::Ok();
    }
    return LexError("invalid escape sequence", at);
  }

  Status Hex(std::string& out, int n, size_t at) {
    if (i_ + n > src_.size()) return LexError("invalid escape sequence", at);
    std::string digits(src_.substr(i_, n));
    for (char d : digits) {
      if (!std::isxdigit(static_cast<unsigned char>(d))) {
        return LexError("invalid escape sequence", at);
      }
    }
    i_ += n;
    uint32_t cp = static_cast<uint32_t>(std::strtoul(digits.c_str(), nullptr, 16));
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
      return LexError("invalid code point", at);
    }
    AppendUtf8(out, cp);
    return Status::Ok();
  }

  std::string_view src_;
  size_t i_ = 0;
};

}  // namespace

StatusOr<std::vector<Token>> Lex(std::string_view source) { return Lexer(source).Run(); }

}  // namespace osbx::kube::schema::cel
