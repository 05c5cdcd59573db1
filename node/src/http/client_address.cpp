#include "http/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace medtrail::node::http {
namespace {

bool is_port(std::string_view text) {
  return !text.empty() && text.size() <= 5 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The address part of "host:port", "[host]:port" or a bare host; empty when it cannot be found.
std::string_view strip_port(std::string_view remote) {
  if (remote.starts_with('[')) {
    size_t close = remote.find(']');
    if (close == std::string_view::npos) return {};
    std::string_view rest = remote.substr(close + 1);
    if (!rest.empty() && !(rest.starts_with(':') && is_port(rest.substr(1)))) return {};
    return remote.substr(1, close - 1);
  }
  size_t colon = remote.rfind(':');
  if (colon != std::string_view::npos && is_port(remote.substr(colon + 1))) {
    return remote.substr(0, colon);
  }
  return remote;
}

// Text of the address's key, or "" when `host` is not an address.
std::string key_of(std::string_view host) {
  // A scope ("fe80::1%eth0") names the server's interface, not the client.
  host = host.substr(0, host.find('%'));
  char text[INET6_ADDRSTRLEN] = {};
  if (host.size() >= sizeof text) return {};
  host.copy(text, host.size());  // inet_pton wants a terminated string (and "" may have no data)

  in_addr v4{};
  if (inet_pton(AF_INET, text, &v4) == 1) {
    char out[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, &v4, out, sizeof out) ? std::string(out) : std::string();
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text, &v6) != 1) return {};
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    // Otherwise every IPv4 client of a dual-stack listener would share ::ffff:0:0's /64.
    in_addr mapped{};
    std::memcpy(&mapped, v6.s6_addr + 12, 4);
    char out[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, &mapped, out, sizeof out) ? std::string(out) : std::string();
  }
  std::memset(v6.s6_addr + 8, 0, 8);
  char out[INET6_ADDRSTRLEN];
  if (!inet_ntop(AF_INET6, &v6, out, sizeof out)) return {};
  return std::string(out) + "/64";
}

}  // namespace

std::string client_address(std::string_view remote_address) {
  // The server's unbracketed "v6:port" cannot be told from a bare IPv6 address whose last group
  // is all digits, so the server's form (always with a port) wins; the whole text is tried only
  // when the text without its "port" is not an address ("2001:db8:1:2:3:4:5:6" is read right,
  // a bare "1::2:3:4:5:6" is not: callers pass the server's form or brackets).
  std::string key = key_of(strip_port(remote_address));
  if (key.empty()) key = key_of(remote_address);
  return key.empty() ? std::string(remote_address) : key;
}

}  // namespace medtrail::node::http
