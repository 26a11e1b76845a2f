#include "pkg/kube/meta/names.h"

#include <cctype>
#include <cstdio>

namespace osbx::kube {
namespace {

constexpr std::string_view kDns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDns1123LabelErrMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
constexpr std::string_view kDns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kDns1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr std::string_view kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr std::string_view kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view kGenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
constexpr size_t kGenerateNameSuffixLength = 5;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool MatchesDns1123Label(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

bool MatchesDns1123Subdomain(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!MatchesDns1123Label(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool MatchesQualifiedNamePart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::string MaxLenError(size_t length) {
  return "must be no more than " + std::to_string(length) + " characters";
}

std::string RegexError(std::string_view msg, std::string_view fmt,
                       std::initializer_list<std::string_view> examples) {
  std::string out(msg);
  if (examples.size() == 0)
    return out + " (regex used for validation is '" + std::string(fmt) + "')";
  out += " (e.g. ";
  bool first = true;
  for (std::string_view example : examples) {
    if (!first) out += " or ";
    first = false;
    out += "'" + std::string(example) + "', ";
  }
  return out + "regex used for validation is '" + std::string(fmt) + "')";
}

std::string QualifiedNameRegexError() {
  return RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"});
}

// kube masks a trailing '-' of a generateName prefix before validating it as a name.
std::string MaskTrailingDash(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out.back() == '-') out.back() = 'a';
  return out;
}

}  // namespace

std::vector<std::string> IsDns1123Label(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kDns1123LabelMaxLength) errs.push_back(MaxLenError(kDns1123LabelMaxLength));
  if (!MatchesDns1123Label(value)) {
    if (MatchesDns1123Subdomain(value)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(RegexError(kDns1123LabelErrMsg, kDns1123LabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

std::vector<std::string> IsDns1123Subdomain(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kDns1123SubdomainMaxLength) {
    errs.push_back(MaxLenError(kDns1123SubdomainMaxLength));
  }
  if (!MatchesDns1123Subdomain(value)) {
    errs.push_back(RegexError(kDns1123SubdomainErrMsg, kDns1123SubdomainFmt, {"example.com"}));
  }
  return errs;
}

std::vector<std::string> IsQualifiedName(std::string_view value) {
  std::vector<std::string> errs;
  std::string_view name = value;
  size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos) {
      errs.push_back("a qualified name " + QualifiedNameRegexError() +
                     " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errs;
    }
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (const std::string& msg : IsDns1123Subdomain(prefix))
        errs.push_back("prefix part " + msg);
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > kQualifiedNameMaxLength) {
    errs.push_back("name part " + MaxLenError(kQualifiedNameMaxLength));
  }
  if (!MatchesQualifiedNamePart(name)) errs.push_back("name part " + QualifiedNameRegexError());
  return errs;
}

std::vector<std::string> IsValidLabelValue(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kLabelValueMaxLength) errs.push_back(MaxLenError(kLabelValueMaxLength));
  if (!value.empty() && !MatchesQualifiedNamePart(value)) {
    errs.push_back(RegexError(kLabelValueErrMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

std::string GoQuote(std::string_view value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

StatusCause InvalidValueCause(std::string field, std::string_view value, std::string_view detail) {
  return StatusCause{"FieldValueInvalid",
                     "Invalid value: " + GoQuote(value) + ": " + std::string(detail),
                     std::move(field)};
}

std::vector<StatusCause> ValidateObjectName(const Json& object) {
  std::vector<StatusCause> causes;
  auto meta_string = [&object](const char* key) -> std::string {
    if (!object.is_object()) return "";
    auto meta = object.find("metadata");
    if (meta == object.end() || !meta->is_object()) return "";
    auto it = meta->find(key);
    return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
  };
  const std::string name = meta_string("name");
  const std::string generate_name = meta_string("generateName");
  if (!generate_name.empty()) {
    for (const std::string& msg : IsDns1123Subdomain(MaskTrailingDash(generate_name))) {
      causes.push_back(InvalidValueCause("metadata.generateName", generate_name, msg));
    }
  }
  if (name.empty()) {
    if (generate_name.empty()) {
      causes.push_back({"FieldValueRequired", "Required value: name or generateName is required",
                        "metadata.name"});
    }
    return causes;
  }
  for (const std::string& msg : IsDns1123Subdomain(name)) {
    causes.push_back(InvalidValueCause("metadata.name", name, msg));
  }
  return causes;
}

std::vector<StatusCause> ValidateLabels(const Json& labels, std::string_view field) {
  std::vector<StatusCause> causes;
  if (!labels.is_object()) return causes;
  for (const auto& [key, value] : labels.items()) {
    for (const std::string& msg : IsQualifiedName(key)) {
      causes.push_back(InvalidValueCause(std::string(field), key, msg));
    }
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    for (const std::string& msg : IsValidLabelValue(text)) {
      causes.push_back(InvalidValueCause(std::string(field), text, msg));
    }
  }
  return causes;
}

std::vector<StatusCause> ValidateAnnotations(const Json& annotations, std::string_view field) {
  std::vector<StatusCause> causes;
  if (!annotations.is_object()) return causes;
  size_t total = 0;
  for (const auto& [key, value] : annotations.items()) {
    std::string lower = key;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const std::string& msg : IsQualifiedName(lower)) {
      causes.push_back(InvalidValueCause(std::string(field), key, msg));
    }
    total += key.size() + (value.is_string() ? value.get_ref<const std::string&>().size() : 0);
  }
  if (total > kTotalAnnotationSizeLimit) {
    causes.push_back(
        {"FieldValueTooLong",
         "Too long: must have at most " + std::to_string(kTotalAnnotationSizeLimit) + " bytes",
         std::string(field)});
  }
  return causes;
}

std::string GenerateNameSuffix(const std::function<uint64_t()>& random) {
  std::string out;
  out.reserve(kGenerateNameSuffixLength);
  for (size_t i = 0; i < kGenerateNameSuffixLength; ++i) {
    out += kGenerateNameAlphabet[random() % kGenerateNameAlphabet.size()];
  }
  return out;
}

std::string GenerateName(std::string_view base, const std::function<uint64_t()>& random) {
  constexpr size_t kMaxBase = kDns1123LabelMaxLength - kGenerateNameSuffixLength;
  if (base.size() > kMaxBase) base = base.substr(0, kMaxBase);
  return std::string(base) + GenerateNameSuffix(random);
}

}  // namespace osbx::kube
