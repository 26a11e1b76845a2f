#include "internal/standalone/store/continue_token.h"

#include <fmt/format.h>

#include <array>

#include "internal/utils/json.h"

namespace osbx::standalone {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(in[k])); };
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(v >> shift) & 63];
  }
  size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

// Strict unpadded base64url, as Go's base64.RawURLEncoding decodes it.
StatusOr<std::string> Base64UrlDecode(std::string_view in) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (size_t k = 0; k < kAlphabet.size(); ++k) {
    value[static_cast<unsigned char>(kAlphabet[k])] = static_cast<int>(k);
  }
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t k = 0; k < in.size(); ++k) {
    int v = value[static_cast<unsigned char>(in[k])];
    if (v < 0) return BadRequestError(fmt::format("illegal base64 data at input byte {}", k));
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (in.size() % 4 == 1) {
    return BadRequestError(fmt::format("illegal base64 data at input byte {}", in.size() - 1));
  }
  return out;
}

Status Invalid(const std::string& why) { return BadRequestError("invalid continue token: " + why); }

}  // namespace

std::string EncodeContinueToken(const ContinueToken& token) {
  // Field order as kube-apiserver writes it, so tokens are byte-identical.
  OrderedJson doc = {{"v", "meta.k8s.io/v1"}, {"rv", token.rv}, {"start", token.start}};
  return Base64UrlEncode(doc.dump());
}

StatusOr<ContinueToken> DecodeContinueToken(std::string_view token) {
  auto raw = Base64UrlDecode(token);
  if (!raw.ok()) return Invalid("continue key is not valid: " + raw.status().message());
  Json doc = Json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return Invalid("continue key is not valid JSON");
  auto v = doc.find("v");
  if (v == doc.end() || *v != "meta.k8s.io/v1") {
    return Invalid("server does not recognize this encoded version");
  }
  auto rv = doc.find("rv");
  auto start = doc.find("start");
  if (rv == doc.end() || !rv->is_number_integer() || start == doc.end() || !start->is_string()) {
    return Invalid("continue key is not valid: missing rv or start");
  }
  ContinueToken out;
  out.rv = rv->get<int64_t>();
  out.start = start->get<std::string>();
  return out;
}

}  // namespace osbx::standalone
