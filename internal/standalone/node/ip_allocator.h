#pragma once
// IpAllocator: hands out pod IPs from one IPv4 CIDR, each to at most one pod at a time. The
// addresses are only strings in pod status (the simulated node sends no traffic), but they must
// be unique, as endpoints built from them are. Allocation is next-fit over a bitmap, so handing
// out and releasing are O(1) amortised even with 100,000 pods.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "internal/utils/status.h"
#include "pkg/kube/workqueue/mutex.h"

namespace osbx::standalone {

class IpAllocator {
 public:
  // `cidr` like "10.244.0.0/14"; prefixes from /8 to /30. The network and broadcast addresses
  // are never handed out.
  [[nodiscard]] static StatusOr<std::unique_ptr<IpAllocator>> New(std::string_view cidr);

  // A free address, or nullopt when the range is exhausted.
  [[nodiscard]] std::optional<std::string> Allocate() OSBX_EXCLUDES(mu_);
  // Marks an address as taken (a pod that already has it). False when it is outside the range
  // or already taken.
  [[nodiscard]] bool Reserve(std::string_view ip) OSBX_EXCLUDES(mu_);
  // Frees an address; unknown or free addresses are ignored.
  void Release(std::string_view ip) OSBX_EXCLUDES(mu_);

  size_t InUse() const OSBX_EXCLUDES(mu_);
  size_t Capacity() const { return size_ - 2; }

 private:
  IpAllocator(uint32_t base, uint32_t size);
  // The offset of `ip` inside the range, or nullopt.
  std::optional<uint32_t> Offset(std::string_view ip) const;

  const uint32_t base_;  // network address, host byte order
  const uint32_t size_;  // addresses in the range, network and broadcast included
  mutable kube::Mutex mu_;
  std::vector<bool> used_ OSBX_GUARDED_BY(mu_);
  uint32_t next_ OSBX_GUARDED_BY(mu_) = 1;  // where the next search starts
  size_t in_use_ OSBX_GUARDED_BY(mu_) = 0;
};

// Dotted-quad parsing and printing, host byte order.
std::optional<uint32_t> ParseIpv4(std::string_view text);
std::string FormatIpv4(uint32_t ip);

}  // namespace osbx::standalone
