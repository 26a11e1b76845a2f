// Lexer and parser of label selector strings, token for token as kube's labels package, so that
// every error message matches what kube-apiserver answers.

#include "pkg/kube/meta/label_selector_parser.h"

#include <set>

namespace osbx::kube::label_internal {
namespace {

enum class Token {
  kEnd,
  kClosedPar,
  kComma,
  kDoesNotExist,
  kDoubleEquals,
  kEquals,
  kGreaterThan,
  kIdentifier,
  kIn,
  kLessThan,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Item {
  Token token;
  std::string literal;
};

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsSpecialSymbol(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

std::optional<Token> KeywordToken(std::string_view s) {
  static const std::pair<std::string_view, Token> kTokens[] = {
      {")", Token::kClosedPar},     {",", Token::kComma},    {"!", Token::kDoesNotExist},
      {"==", Token::kDoubleEquals}, {"=", Token::kEquals},   {">", Token::kGreaterThan},
      {"in", Token::kIn},           {"<", Token::kLessThan}, {"!=", Token::kNotEquals},
      {"notin", Token::kNotIn},     {"(", Token::kOpenPar},
  };
  for (const auto& [text, token] : kTokens) {
    if (text == s) return token;
  }
  return std::nullopt;
}

std::vector<Item> Lex(std::string_view s) {
  std::vector<Item> items;
  size_t pos = 0;
  while (true) {
    while (pos < s.size() && IsWhitespace(s[pos])) ++pos;
    if (pos >= s.size()) break;
    if (IsSpecialSymbol(s[pos])) {
      // Longest run of special symbols that still forms a token.
      std::string buffer;
      std::optional<Item> last;
      while (pos < s.size() && IsSpecialSymbol(s[pos])) {
        buffer += s[pos];
        if (auto token = KeywordToken(buffer)) {
          last = Item{*token, buffer};
        } else if (last) {
          break;
        }
        ++pos;
      }
      items.push_back(*last);  // every single special symbol is a token
      continue;
    }
    size_t start = pos;
    while (pos < s.size() && !IsSpecialSymbol(s[pos]) && !IsWhitespace(s[pos])) ++pos;
    std::string word(s.substr(start, pos - start));
    std::optional<Token> keyword = KeywordToken(word);
    items.push_back(Item{keyword ? *keyword : Token::kIdentifier, std::move(word)});
  }
  items.push_back(Item{Token::kEnd, ""});
  return items;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : items_(Lex(s)) {}

  StatusOr<std::vector<LabelRequirement>> Parse();

 private:
  // In value position the keywords "in" and "notin" are plain identifiers.
  const Item& Lookahead(bool values, Token* token) const {
    const Item& item = items_[pos_];
    *token = AsValue(item.token, values);
    return item;
  }
  const Item& Consume(bool values, Token* token) {
    const Item& item = items_[pos_];
    if (pos_ + 1 < items_.size()) ++pos_;
    *token = AsValue(item.token, values);
    return item;
  }
  static Token AsValue(Token t, bool values) {
    return values && (t == Token::kIn || t == Token::kNotIn) ? Token::kIdentifier : t;
  }

  StatusOr<LabelRequirement> ParseRequirement();
  StatusOr<SelectorOperator> ParseOperator();
  StatusOr<std::set<std::string>> ParseValues();
  StatusOr<std::set<std::string>> ParseIdentifiersList();
  StatusOr<std::set<std::string>> ParseExactValue();

  std::vector<Item> items_;
  size_t pos_ = 0;
};

Status ParseError(std::string message) { return BadRequestError(std::move(message)); }

StatusOr<std::vector<LabelRequirement>> Parser::Parse() {
  std::vector<LabelRequirement> requirements;
  while (true) {
    Token tok;
    const Item& item = Lookahead(true, &tok);
    if (tok == Token::kEnd) return requirements;
    if (tok != Token::kIdentifier && tok != Token::kDoesNotExist) {
      return ParseError("found '" + item.literal +
                        "', expected: !, identifier, or 'end of string'");
    }
    StatusOr<LabelRequirement> r = ParseRequirement();
    if (!r.ok()) return ParseError("unable to parse requirement: " + r.status().message());
    requirements.push_back(std::move(r).value());
    const Item& next = Consume(true, &tok);
    if (tok == Token::kEnd) return requirements;
    if (tok != Token::kComma) {
      return ParseError("found '" + next.literal + "', expected: ',' or 'end of string'");
    }
    const Item& after = Lookahead(true, &tok);
    if (tok != Token::kIdentifier && tok != Token::kDoesNotExist) {
      return ParseError("found '" + after.literal + "', expected: identifier after ','");
    }
  }
}

StatusOr<LabelRequirement> Parser::ParseRequirement() {
  Token tok;
  std::optional<SelectorOperator> op;
  std::string key = Consume(true, &tok).literal;
  if (tok == Token::kDoesNotExist) {
    op = SelectorOperator::kDoesNotExist;
    key = Consume(true, &tok).literal;
  }
  if (tok != Token::kIdentifier) return ParseError("found '" + key + "', expected: identifier");
  // kube validates the key here with a nil field path, hence the "<nil>" in the message.
  if (auto err = LabelKeyError(key, "<nil>")) return ParseError(*err);
  Lookahead(true, &tok);
  if (tok == Token::kEnd || tok == Token::kComma) {
    if (!op) op = SelectorOperator::kExists;
  }
  if (op) return NewLabelRequirement(std::move(key), *op, {});
  OSBX_ASSIGN_OR_RETURN(SelectorOperator binary, ParseOperator());
  StatusOr<std::set<std::string>> values =
      binary == SelectorOperator::kIn || binary == SelectorOperator::kNotIn ? ParseValues()
                                                                            : ParseExactValue();
  if (!values.ok()) return values.status();
  return NewLabelRequirement(std::move(key), binary,
                             std::vector<std::string>(values->begin(), values->end()));
}

StatusOr<SelectorOperator> Parser::ParseOperator() {
  Token tok;
  const Item& item = Consume(false, &tok);
  switch (tok) {
    case Token::kIn:
      return SelectorOperator::kIn;
    case Token::kEquals:
      return SelectorOperator::kEquals;
    case Token::kDoubleEquals:
      return SelectorOperator::kDoubleEquals;
    case Token::kGreaterThan:
      return SelectorOperator::kGreaterThan;
    case Token::kLessThan:
      return SelectorOperator::kLessThan;
    case Token::kNotIn:
      return SelectorOperator::kNotIn;
    case Token::kNotEquals:
      return SelectorOperator::kNotEquals;
    default:
      return ParseError("found '" + item.literal + "', expected: in, notin, =, ==, !=, gt, lt");
  }
}

StatusOr<std::set<std::string>> Parser::ParseValues() {
  Token tok;
  const Item& open = Consume(true, &tok);
  if (tok != Token::kOpenPar) return ParseError("found '" + open.literal + "' expected: '('");
  const Item& first = Lookahead(true, &tok);
  if (tok == Token::kIdentifier || tok == Token::kComma) {
    std::string first_literal = first.literal;
    OSBX_ASSIGN_OR_RETURN(std::set<std::string> values, ParseIdentifiersList());
    Consume(true, &tok);
    if (tok != Token::kClosedPar) {
      return ParseError("found '" + first_literal + "', expected: ')'");
    }
    return values;
  }
  if (tok == Token::kClosedPar) {
    Consume(true, &tok);
    return std::set<std::string>{""};
  }
  return ParseError("found '" + first.literal + "', expected: ',', ')' or identifier");
}

StatusOr<std::set<std::string>> Parser::ParseIdentifiersList() {
  std::set<std::string> values;
  while (true) {
    Token tok;
    const Item& item = Consume(true, &tok);
    if (tok == Token::kIdentifier) {
      values.insert(item.literal);
      const Item& next = Lookahead(true, &tok);
      if (tok == Token::kComma) continue;
      if (tok == Token::kClosedPar) return values;
      return ParseError("found '" + next.literal + "', expected: ',' or ')'");
    }
    if (tok != Token::kComma) {
      return ParseError("found '" + item.literal + "', expected: ',', or identifier");
    }
    // An empty value before or after a comma: "(,a)", "(a,)", "(a,,b)".
    if (values.empty()) values.insert("");
    Lookahead(true, &tok);
    if (tok == Token::kClosedPar) {
      values.insert("");
      return values;
    }
    if (tok == Token::kComma) {
      Consume(true, &tok);
      values.insert("");
    }
  }
}

StatusOr<std::set<std::string>> Parser::ParseExactValue() {
  Token tok;
  Lookahead(true, &tok);
  if (tok == Token::kEnd || tok == Token::kComma) return std::set<std::string>{""};
  const Item& item = Consume(true, &tok);
  if (tok == Token::kIdentifier) return std::set<std::string>{item.literal};
  return ParseError("found '" + item.literal + "', expected: identifier");
}

}  // namespace

StatusOr<std::vector<LabelRequirement>> ParseRequirements(std::string_view selector) {
  Parser parser(selector);
  return parser.Parse();
}

}  // namespace osbx::kube::label_internal
