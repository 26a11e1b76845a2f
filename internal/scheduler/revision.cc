#include "internal/scheduler/revision.h"

#include <openssl/sha.h>

#include <array>
#include <random>

namespace osbx::scheduler {
namespace {

constexpr std::string_view kNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
constexpr int kSuffixLength = 5;
// Kubernetes names are at most 63 characters for pods' hostnames; keep the suffix whole.
constexpr size_t kMaxPrefix = 63 - kSuffixLength - 1;

}  // namespace

std::string TemplateRevision(const Json& pod_template) {
  // nlohmann::json keeps object keys sorted, so dump() is canonical.
  const std::string canonical = pod_template.dump();
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(16);
  for (int i = 0; i < 8; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::vector<std::string> GeneratePodNames(std::string_view pool, int count,
                                          const std::set<std::string, std::less<>>& taken,
                                          uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, kNameAlphabet.size() - 1);
  const std::string prefix = std::string(pool.substr(0, kMaxPrefix)) + "-";
  std::set<std::string, std::less<>> chosen;
  std::vector<std::string> out;
  out.reserve(count > 0 ? static_cast<size_t>(count) : 0);
  while (static_cast<int>(out.size()) < count) {
    std::string name = prefix;
    for (int i = 0; i < kSuffixLength; ++i) name += kNameAlphabet[pick(rng)];
    if (taken.count(name) != 0 || !chosen.insert(name).second) continue;
    out.push_back(std::move(name));
  }
  return out;
}

}  // namespace osbx::scheduler
