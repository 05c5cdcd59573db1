#include "http/client_address.h"

#include <gtest/gtest.h>

namespace medtrail::node::http {
namespace {

TEST(ClientAddress, Ipv4LosesItsPort) {
  EXPECT_EQ(client_address("1.2.3.4:5678"), "1.2.3.4");
  EXPECT_EQ(client_address("1.2.3.4"), "1.2.3.4");
}

TEST(ClientAddress, BracketedIpv6IsItsSlash64) {
  EXPECT_EQ(client_address("[2001:db8::1]:443"), "2001:db8::/64");
  EXPECT_EQ(client_address("[2001:db8:0:0:ffff::1]:1"), "2001:db8::/64");
  EXPECT_EQ(client_address("[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:80"), "2001:db8:1:2::/64");
  EXPECT_EQ(client_address("[2001:db8::1]"), "2001:db8::/64");
}

TEST(ClientAddress, TheServersUnbracketedIpv6FormIsRead) {
  // http_server_core.cpp writes address.to_string() + ":" + port.
  EXPECT_EQ(client_address("2001:db8::1:443"), "2001:db8::/64");
  EXPECT_EQ(client_address("2001:db8:1:2:3:4:5:6:65535"), "2001:db8:1:2::/64");
  EXPECT_EQ(client_address("::1:8080"), "::/64");
  EXPECT_EQ(client_address("fe80::1%eth0:443"), "fe80::/64");
}

TEST(ClientAddress, OneSlash64IsOneKeyAndTheNextIsAnother) {
  EXPECT_EQ(client_address("[2001:db8:1:2::1]:1"), client_address("[2001:db8:1:2:ffff::9]:2"));
  EXPECT_NE(client_address("[2001:db8:1:2::1]:1"), client_address("[2001:db8:1:3::1]:1"));
}

TEST(ClientAddress, Ipv4MappedIsTheIpv4Address) {
  // A dual-stack listener sees IPv4 clients so; as one /64 they would all share one bucket.
  EXPECT_EQ(client_address("::ffff:1.2.3.4:5678"), "1.2.3.4");
  EXPECT_EQ(client_address("[::ffff:1.2.3.4]:5678"), "1.2.3.4");
  EXPECT_NE(client_address("::ffff:1.2.3.4:1"), client_address("::ffff:1.2.3.5:1"));
}

TEST(ClientAddress, BareFullIpv6WithoutPortIsRead) {
  EXPECT_EQ(client_address("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
}

TEST(ClientAddress, UnparsableTextIsReturnedAsIs) {
  for (const char* text : {"", "garbage", "garbage:80", "1.2.3:80", "[2001:db8::1", "[::1]x",
                           "[nope]:80", "1.2.3.4.5:80", "1:2:3:4:5:6:7:8:9:80"}) {
    EXPECT_EQ(client_address(text), text);
  }
  std::string long_text(200, '1');
  EXPECT_EQ(client_address(long_text), long_text);
}

}  // namespace
}  // namespace medtrail::node::http
