#include "internal/standalone/node/ip_allocator.h"

#include <set>

#include <gtest/gtest.h>

namespace osbx::standalone {
namespace {

TEST(IpAllocatorTest, RejectsBadCidrs) {
  EXPECT_FALSE(IpAllocator::New("10.0.0.0").ok());
  EXPECT_FALSE(IpAllocator::New("10.0.0/16").ok());
  EXPECT_FALSE(IpAllocator::New("10.0.0.0/31").ok());
  EXPECT_FALSE(IpAllocator::New("10.0.0.0/4").ok());
  EXPECT_FALSE(IpAllocator::New("300.0.0.0/16").ok());
}

TEST(IpAllocatorTest, HandsOutEveryHostAddressOnceThenNothing) {
  auto ips = IpAllocator::New("10.88.0.0/29");
  ASSERT_TRUE(ips.ok());
  std::set<std::string> seen;
  for (int i = 0; i < 6; ++i) {
    auto ip = (*ips)->Allocate();
    ASSERT_TRUE(ip);
    EXPECT_NE(*ip, "10.88.0.0");
    EXPECT_NE(*ip, "10.88.0.7");
    EXPECT_TRUE(seen.insert(*ip).second) << *ip;
  }
  EXPECT_FALSE((*ips)->Allocate());
  EXPECT_EQ((*ips)->InUse(), 6u);
}

TEST(IpAllocatorTest, ReleasedAddressesCanBeHandedOutAgain) {
  auto ips = IpAllocator::New("10.88.0.0/30");
  ASSERT_TRUE(ips.ok());
  auto a = (*ips)->Allocate();
  auto b = (*ips)->Allocate();
  ASSERT_TRUE(a && b);
  EXPECT_FALSE((*ips)->Allocate());
  (*ips)->Release(*a);
  EXPECT_EQ((*ips)->Allocate(), a);
}

TEST(IpAllocatorTest, ReservedAddressesAreNotHandedOut) {
  auto ips = IpAllocator::New("10.88.0.0/30");
  ASSERT_TRUE(ips.ok());
  EXPECT_TRUE((*ips)->Reserve("10.88.0.1"));
  EXPECT_FALSE((*ips)->Reserve("10.88.0.1"));
  EXPECT_FALSE((*ips)->Reserve("10.89.0.1"));
  EXPECT_EQ((*ips)->Allocate(), "10.88.0.2");
  EXPECT_FALSE((*ips)->Allocate());
}

TEST(IpAllocatorTest, LargeRangeHoldsAHundredThousandPods) {
  auto ips = IpAllocator::New("10.244.0.0/14");
  ASSERT_TRUE(ips.ok());
  EXPECT_GE((*ips)->Capacity(), 100'000u);
}

TEST(Ipv4Test, ParsesAndFormats) {
  EXPECT_EQ(ParseIpv4("10.244.1.2"), (10u << 24) | (244u << 16) | (1u << 8) | 2u);
  EXPECT_FALSE(ParseIpv4("10.244.1"));
  EXPECT_FALSE(ParseIpv4("10.244.1.2.3"));
  EXPECT_FALSE(ParseIpv4("10.244.1.256"));
  EXPECT_EQ(FormatIpv4(*ParseIpv4("192.168.0.1")), "192.168.0.1");
}

}  // namespace
}  // namespace osbx::standalone
