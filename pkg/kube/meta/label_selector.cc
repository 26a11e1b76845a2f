#include "pkg/kube/meta/label_selector.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "pkg/kube/meta/names.h"

namespace osbx::kube {
namespace {

// ---- Field errors, formatted as k8s.io/apimachinery field.Error and aggregated errors. ----

std::string GoStringSlice(const std::vector<std::string>& values) {
  if (values.empty()) return "[]string(nil)";
  std::string out = "[]string{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += GoQuote(values[i]);
  }
  return out + "}";
}

std::string InvalidFieldError(std::string_view field, std::string_view bad_value_repr,
                              std::string_view detail) {
  return std::string(field) + ": Invalid value: " + std::string(bad_value_repr) + ": " +
         std::string(detail);
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

// Aggregated errors read "msg" for one error and "[msg1, msg2]" for several (duplicates dropped).
std::string Aggregate(const std::vector<std::string>& errors) {
  if (errors.size() == 1) return errors[0];
  std::vector<std::string> unique;
  for (const std::string& e : errors) {
    if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(e);
  }
  if (unique.size() == 1) return unique[0];
  return "[" + Join(unique, ", ") + "]";
}

std::optional<std::string> LabelKeyError(std::string_view key, std::string_view field) {
  std::vector<std::string> errs = IsQualifiedName(key);
  if (errs.empty()) return std::nullopt;
  return InvalidFieldError(field, GoQuote(key), Join(errs, "; "));
}

bool ParseInt64(std::string_view s, int64_t& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::optional<std::string_view> LookupLabel(const Json& labels, const std::string& key) {
  if (!labels.is_object()) return std::nullopt;
  auto it = labels.find(key);
  if (it == labels.end() || !it->is_string()) return std::nullopt;
  return std::string_view(it->get_ref<const std::string&>());
}

std::optional<std::string_view> LookupLabel(const std::map<std::string, std::string>& labels,
                                            const std::string& key) {
  auto it = labels.find(key);
  if (it == labels.end()) return std::nullopt;
  return std::string_view(it->second);
}

template <typename Labels>
bool RequirementMatches(const LabelRequirement& r, const Labels& labels) {
  std::optional<std::string_view> value = LookupLabel(labels, r.key);
  auto has_value = [&r](std::string_view v) {
    return std::find(r.values.begin(), r.values.end(), v) != r.values.end();
  };
  switch (r.op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
      return value && has_value(*value);
    case SelectorOperator::kNotIn:
    case SelectorOperator::kNotEquals:
      return !value || !has_value(*value);
    case SelectorOperator::kExists:
      return value.has_value();
    case SelectorOperator::kDoesNotExist:
      return !value;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan: {
      int64_t have = 0, want = 0;
      if (!value || r.values.size() != 1 || !ParseInt64(*value, have) ||
          !ParseInt64(r.values[0], want)) {
        return false;
      }
      return r.op == SelectorOperator::kGreaterThan ? have > want : have < want;
    }
  }
  return false;
}

// ---- Lexer and parser of the string form, token for token as kube's labels package. ----

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

void SortByKey(std::vector<LabelRequirement>& requirements) {
  std::stable_sort(
      requirements.begin(), requirements.end(),
      [](const LabelRequirement& a, const LabelRequirement& b) { return a.key < b.key; });
}

StatusOr<SelectorOperator> OperatorFromJson(const Json& op) {
  std::string name = op.is_string() ? op.get<std::string>() : op.dump();
  if (name == "In") return SelectorOperator::kIn;
  if (name == "NotIn") return SelectorOperator::kNotIn;
  if (name == "Exists") return SelectorOperator::kExists;
  if (name == "DoesNotExist") return SelectorOperator::kDoesNotExist;
  return InvalidError(GoQuote(name) + " is not a valid label selector operator");
}

}  // namespace

StatusOr<LabelRequirement> NewLabelRequirement(std::string key, SelectorOperator op,
                                               std::vector<std::string> values) {
  std::vector<std::string> errs;
  if (auto err = LabelKeyError(key, "key")) errs.push_back(*err);
  switch (op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kNotIn:
      if (values.empty()) {
        errs.push_back(InvalidFieldError("values", GoStringSlice(values),
                                         "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
    case SelectorOperator::kNotEquals:
      if (values.size() != 1) {
        errs.push_back(InvalidFieldError("values", GoStringSlice(values),
                                         "exact-match compatibility requires one single value"));
      }
      break;
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      if (!values.empty()) {
        errs.push_back(InvalidFieldError("values", GoStringSlice(values),
                                         "values set must be empty for exists and does not exist"));
      }
      break;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan:
      if (values.size() != 1) {
        errs.push_back(
            InvalidFieldError("values", GoStringSlice(values),
                              "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (size_t i = 0; i < values.size(); ++i) {
        int64_t ignored = 0;
        if (!ParseInt64(values[i], ignored)) {
          errs.push_back(
              InvalidFieldError("values[" + std::to_string(i) + "]", GoQuote(values[i]),
                                "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    std::vector<std::string> value_errs = IsValidLabelValue(values[i]);
    if (!value_errs.empty()) {
      errs.push_back(InvalidFieldError("values[" + std::to_string(i) + "][" + key + "]",
                                       GoQuote(values[i]), Join(value_errs, "; ")));
    }
  }
  if (!errs.empty()) return InvalidError(Aggregate(errs));
  return LabelRequirement{std::move(key), op, std::move(values)};
}

bool LabelRequirement::Matches(const Json& labels) const {
  return RequirementMatches(*this, labels);
}

std::string LabelRequirement::String() const {
  std::string out = op == SelectorOperator::kDoesNotExist ? "!" + key : key;
  switch (op) {
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      return out;
    case SelectorOperator::kEquals:
      out += "=";
      break;
    case SelectorOperator::kDoubleEquals:
      out += "==";
      break;
    case SelectorOperator::kNotEquals:
      out += "!=";
      break;
    case SelectorOperator::kGreaterThan:
      out += ">";
      break;
    case SelectorOperator::kLessThan:
      out += "<";
      break;
    case SelectorOperator::kIn:
      out += " in ";
      break;
    case SelectorOperator::kNotIn:
      out += " notin ";
      break;
  }
  bool set = op == SelectorOperator::kIn || op == SelectorOperator::kNotIn;
  std::vector<std::string> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  return out + (set ? "(" : "") + Join(sorted, ",") + (set ? ")" : "");
}

LabelSelector LabelSelector::Nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

StatusOr<LabelSelector> LabelSelector::Parse(std::string_view selector) {
  Parser parser(selector);
  OSBX_ASSIGN_OR_RETURN(std::vector<LabelRequirement> requirements, parser.Parse());
  SortByKey(requirements);
  LabelSelector s;
  s.requirements_ = std::move(requirements);
  return s;
}

StatusOr<LabelSelector> LabelSelector::FromJson(const Json& label_selector) {
  if (label_selector.is_null()) return Nothing();
  if (!label_selector.is_object()) return InvalidError("a label selector must be an object");
  LabelSelector s;
  auto labels = label_selector.find("matchLabels");
  if (labels != label_selector.end() && labels->is_object()) {
    for (const auto& [key, value] : labels->items()) {
      std::string v = value.is_string() ? value.get<std::string>() : value.dump();
      OSBX_ASSIGN_OR_RETURN(LabelRequirement r,
                            NewLabelRequirement(key, SelectorOperator::kEquals, {v}));
      s.requirements_.push_back(std::move(r));
    }
  }
  auto exprs = label_selector.find("matchExpressions");
  if (exprs != label_selector.end() && exprs->is_array()) {
    for (const Json& expr : *exprs) {
      if (!expr.is_object()) return InvalidError("a label selector requirement must be an object");
      OSBX_ASSIGN_OR_RETURN(SelectorOperator op, OperatorFromJson(expr.value("operator", Json())));
      std::vector<std::string> values;
      auto vals = expr.find("values");
      if (vals != expr.end() && vals->is_array()) {
        for (const Json& v : *vals)
          values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      }
      Json key = expr.value("key", Json());
      OSBX_ASSIGN_OR_RETURN(LabelRequirement r,
                            NewLabelRequirement(key.is_string() ? key.get<std::string>() : "", op,
                                                std::move(values)));
      s.requirements_.push_back(std::move(r));
    }
  }
  SortByKey(s.requirements_);
  return s;
}

LabelSelector LabelSelector::FromSet(const std::map<std::string, std::string>& labels) {
  LabelSelector s;
  for (const auto& [key, value] : labels) {
    s.requirements_.push_back(LabelRequirement{key, SelectorOperator::kEquals, {value}});
  }
  return s;
}

bool LabelSelector::Matches(const Json& labels) const {
  if (nothing_) return false;
  for (const LabelRequirement& r : requirements_) {
    if (!RequirementMatches(r, labels)) return false;
  }
  return true;
}

bool LabelSelector::Matches(const std::map<std::string, std::string>& labels) const {
  if (nothing_) return false;
  for (const LabelRequirement& r : requirements_) {
    if (!RequirementMatches(r, labels)) return false;
  }
  return true;
}

std::optional<std::string> LabelSelector::RequiresExactMatch(std::string_view key) const {
  for (const LabelRequirement& r : requirements_) {
    if (r.key != key) continue;
    bool exact = r.op == SelectorOperator::kEquals || r.op == SelectorOperator::kDoubleEquals ||
                 r.op == SelectorOperator::kIn;
    if (exact && r.values.size() == 1) return r.values[0];
    return std::nullopt;
  }
  return std::nullopt;
}

std::string LabelSelector::String() const {
  std::vector<std::string> parts;
  for (const LabelRequirement& r : requirements_) parts.push_back(r.String());
  return Join(parts, ",");
}

}  // namespace osbx::kube
