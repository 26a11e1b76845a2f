#include "internal/standalone/node/ip_allocator.h"

#include <charconv>

#include <fmt/format.h>

namespace osbx::standalone {

std::optional<uint32_t> ParseIpv4(std::string_view text) {
  uint32_t ip = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    unsigned octet = 0;
    auto [next, err] = std::from_chars(p, end, octet);
    if (err != std::errc() || next == p || next - p > 3 || octet > 255) return std::nullopt;
    ip = (ip << 8) | octet;
    p = next;
  }
  if (p != end) return std::nullopt;
  return ip;
}

std::string FormatIpv4(uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

StatusOr<std::unique_ptr<IpAllocator>> IpAllocator::New(std::string_view cidr) {
  size_t slash = cidr.find('/');
  if (slash == std::string_view::npos) return InvalidError(fmt::format("bad CIDR \"{}\"", cidr));
  auto ip = ParseIpv4(cidr.substr(0, slash));
  std::string_view prefix_text = cidr.substr(slash + 1);
  int prefix = -1;
  auto [end, err] =
      std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
  if (!ip || err != std::errc() || end != prefix_text.data() + prefix_text.size() || prefix < 8 ||
      prefix > 30) {
    return InvalidError(fmt::format("bad CIDR \"{}\": want a.b.c.d/8../30", cidr));
  }
  uint32_t size = uint32_t{1} << (32 - prefix);
  uint32_t base = *ip & ~(size - 1);
  return std::unique_ptr<IpAllocator>(new IpAllocator(base, size));
}

IpAllocator::IpAllocator(uint32_t base, uint32_t size)
    : base_(base), size_(size), used_(size, false) {
  used_[0] = true;         // network address
  used_[size - 1] = true;  // broadcast address
}

std::optional<std::string> IpAllocator::Allocate() {
  kube::MutexLock lock(mu_);
  if (in_use_ >= size_ - 2) return std::nullopt;
  // Next-fit: resume after the last hand-out, so a released address is not reused at once.
  for (uint32_t i = 0; i < size_; ++i) {
    uint32_t offset = next_;
    next_ = next_ + 1 == size_ ? 0 : next_ + 1;
    if (used_[offset]) continue;
    used_[offset] = true;
    ++in_use_;
    return FormatIpv4(base_ + offset);
  }
  return std::nullopt;
}

std::optional<uint32_t> IpAllocator::Offset(std::string_view ip) const {
  auto parsed = ParseIpv4(ip);
  if (!parsed || *parsed < base_ || *parsed - base_ >= size_) return std::nullopt;
  uint32_t offset = *parsed - base_;
  if (offset == 0 || offset == size_ - 1) return std::nullopt;
  return offset;
}

bool IpAllocator::Reserve(std::string_view ip) {
  auto offset = Offset(ip);
  if (!offset) return false;
  kube::MutexLock lock(mu_);
  if (used_[*offset]) return false;
  used_[*offset] = true;
  ++in_use_;
  return true;
}

void IpAllocator::Release(std::string_view ip) {
  auto offset = Offset(ip);
  if (!offset) return;
  kube::MutexLock lock(mu_);
  if (!used_[*offset]) return;
  used_[*offset] = false;
  --in_use_;
}

size_t IpAllocator::InUse() const {
  kube::MutexLock lock(mu_);
  return in_use_;
}

}  // namespace osbx::standalone
