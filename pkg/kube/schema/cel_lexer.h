#pragma once
// Tokenizer of the CEL subset. Literals are decoded here (escapes, hex, `u` suffixes), so the
// parser only sees typed tokens.

#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/status.h"
#include "pkg/kube/schema/cel_value.h"

namespace osbx::kube::schema::cel {

struct Token {
  enum Kind { kIdent, kLiteral, kPunct, kEnd };
  Kind kind = kEnd;
  std::string text;  // identifier or punctuation ("&&", "(", "in" is an identifier)
  Value literal;     // kLiteral
  int pos = 0;
};

// Splits `source` into tokens ending with kEnd, or InvalidError naming the bad character.
StatusOr<std::vector<Token>> Lex(std::string_view source);

}  // namespace osbx::kube::schema::cel
