#pragma once
// The key a rate limit counts a client by, from Request::remote_address.

#include <string>
#include <string_view>

namespace medtrail::node::http {

// `remote_address` is the server's "ip:port" (http_server_core.cpp joins Asio's address text and
// the port with ':', so IPv6 comes unbracketed: "2001:db8::1:443"); "[v6]:port" and a bare
// address are taken too. Returns:
//   IPv4 (and IPv4-mapped IPv6, which is how a dual-stack listener sees IPv4 clients): "1.2.3.4"
//   IPv6: its /64, canonical, e.g. "2001:db8:1:2::/64" — a client gets a whole /64, so a limit
//         per /128 is bypassed by changing the interface id
//   anything unparsable (including ""): `remote_address` unchanged.
std::string client_address(std::string_view remote_address);

}  // namespace medtrail::node::http
