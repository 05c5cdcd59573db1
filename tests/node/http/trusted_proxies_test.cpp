#include "http/trusted_proxies.h"

#include <gtest/gtest.h>

namespace medtrail::node::http {
namespace {

TrustedProxies trust(std::vector<std::string> entries) {
  auto parsed = TrustedProxies::parse(entries);
  EXPECT_TRUE(parsed.ok()) << parsed.status().to_string();
  return parsed.ok() ? parsed.value() : TrustedProxies();
}

TEST(TrustedProxies, AddressesAndNetworksOfBothFamilies) {
  TrustedProxies t = trust({"192.0.2.10", "10.1.0.0/16", "2001:db8:aa::/48", "::1", "172.16.0.0/12"});
  EXPECT_TRUE(t.contains("192.0.2.10"));
  EXPECT_FALSE(t.contains("192.0.2.11"));
  EXPECT_TRUE(t.contains("10.1.255.3"));
  EXPECT_FALSE(t.contains("10.2.0.1"));
  EXPECT_TRUE(t.contains("172.31.255.255"));  // a prefix that is not a whole byte
  EXPECT_FALSE(t.contains("172.32.0.0"));
  EXPECT_TRUE(t.contains("2001:db8:aa:ffff::1"));
  EXPECT_FALSE(t.contains("2001:db8:ab::1"));
  EXPECT_TRUE(t.contains("::1"));
  EXPECT_TRUE(t.contains("::ffff:192.0.2.10"));  // how a dual-stack listener sees IPv4
  EXPECT_FALSE(t.contains("not an address"));
  EXPECT_FALSE(t.contains(""));
  EXPECT_FALSE(TrustedProxies().contains("127.0.0.1"));
}

TEST(TrustedProxies, MalformedEntriesAreRefusedByName) {
  for (const char* bad : {"", "proxy.example", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1",
                          "10.0.0.0/8x", "1.2.3.4:80"}) {
    auto parsed = TrustedProxies::parse({bad});
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), "bad_address");
    EXPECT_NE(parsed.status().message().find(std::string("\"") + bad + "\""), std::string::npos)
        << parsed.status().message();
  }
  std::vector<std::string> too_many(TrustedProxies::kMaxEntries + 1, "10.0.0.1");
  EXPECT_FALSE(TrustedProxies::parse(too_many).ok());
}

TEST(ForwardedClient, AnUntrustedPeerIsItself) {
  TrustedProxies t = trust({"10.0.0.5"});
  EXPECT_EQ(forwarded_client("198.51.100.9:4000", "203.0.113.1", t), "198.51.100.9");
  EXPECT_EQ(forwarded_client("2001:db8:1:2:3:4:5:6:4000", "", t), "2001:db8:1:2::/64");
}

TEST(ForwardedClient, ATrustedChainIsWalkedFromTheRight) {
  TrustedProxies t = trust({"10.0.0.0/24"});
  EXPECT_EQ(forwarded_client("10.0.0.5:4000", "203.0.113.1", t), "203.0.113.1");
  // The client wrote the first hop itself; the proxies appended the rest.
  EXPECT_EQ(forwarded_client("10.0.0.5:4000", "1.1.1.1, 203.0.113.1, 10.0.0.7", t), "203.0.113.1");
  EXPECT_EQ(forwarded_client("10.0.0.5:4000", " 203.0.113.1 ,10.0.0.7 ", t), "203.0.113.1");
  // Ports as some proxies write them.
  EXPECT_EQ(forwarded_client("10.0.0.5:4000", "203.0.113.1:5555", t), "203.0.113.1");
  EXPECT_EQ(forwarded_client("10.0.0.5:4000", "[2001:db8::7]:5555", t), "2001:db8::/64");
  // Every hop trusted: the leftmost (the first proxy) is as far as anyone can tell.
  EXPECT_EQ(forwarded_client("10.0.0.5:4000", "10.0.0.8, 10.0.0.7", t), "10.0.0.8");
}

TEST(ForwardedClient, WhatIsNotAnAddressStopsTheWalkAtTheTrustedHop) {
  TrustedProxies t = trust({"10.0.0.0/24"});
  EXPECT_EQ(forwarded_client("10.0.0.5:4000", "", t), "10.0.0.5");
  EXPECT_EQ(forwarded_client("10.0.0.5:4000", "unknown", t), "10.0.0.5");
  EXPECT_EQ(forwarded_client("10.0.0.5:4000", "203.0.113.1, garbage", t), "10.0.0.5");
  EXPECT_EQ(forwarded_client("10.0.0.5:4000", "garbage, 10.0.0.7", t), "10.0.0.7");
  EXPECT_EQ(forwarded_client("10.0.0.5:4000", ",,,", t), "10.0.0.5");
  EXPECT_EQ(forwarded_client("10.0.0.5:4000", std::string(10000, ','), t), "10.0.0.5");
}

}  // namespace
}  // namespace medtrail::node::http
