#include "pkg/http/request.h"

namespace osbx::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string_view> QueryParams::Get(std::string_view key) const {
  for (const Param& p : params_) {
    if (p.first == key) return std::string_view(p.second);
  }
  return std::nullopt;
}

std::string_view QueryParams::GetOr(std::string_view key, std::string_view fallback) const {
  std::optional<std::string_view> value = Get(key);
  return value ? *value : fallback;
}

std::vector<std::string_view> QueryParams::GetAll(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const Param& p : params_) {
    if (p.first == key) out.push_back(p.second);
  }
  return out;
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<QueryParams> ParseQuery(std::string_view raw_query) {
  std::vector<QueryParams::Param> params;
  while (!raw_query.empty()) {
    size_t amp = raw_query.find('&');
    std::string_view part = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view() : raw_query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::optional<std::string> key = PercentDecode(part.substr(0, eq), true);
    std::optional<std::string> value =
        eq == std::string_view::npos ? std::string() : PercentDecode(part.substr(eq + 1), true);
    if (!key || !value) return std::nullopt;
    params.emplace_back(std::move(*key), std::move(*value));
  }
  return QueryParams(std::move(params));
}

bool ParseTarget(std::string_view target, Request& request) {
  if (target.empty() || (target[0] != '/' && target != "*")) return false;
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  std::string_view raw_query =
      q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  size_t hash = raw_query.find('#');
  if (hash != std::string_view::npos) raw_query = raw_query.substr(0, hash);
  std::optional<std::string> path = PercentDecode(raw_path, false);
  std::optional<QueryParams> query = ParseQuery(raw_query);
  if (!path || !query) return false;
  request.path = std::move(*path);
  request.raw_query = std::string(raw_query);
  request.query = std::move(*query);
  return true;
}

}  // namespace osbx::http
