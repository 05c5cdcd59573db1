#include "http/trusted_proxies.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "http/client_address.h"

namespace medtrail::node::http {
namespace {

// Parses a bare IPv4 or IPv6 address (an IPv4-mapped IPv6 address reads as IPv4).
bool parse_ip(std::string_view text, bool& v6, unsigned char out[16]) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (text.empty() || text.size() >= sizeof buf) return false;
  std::memcpy(buf, text.data(), text.size());
  in_addr a4{};
  if (inet_pton(AF_INET, buf, &a4) == 1) {
    v6 = false;
    std::memcpy(out, &a4, 4);
    return true;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, buf, &a6) != 1) return false;
  if (IN6_IS_ADDR_V4MAPPED(&a6)) {
    v6 = false;
    std::memcpy(out, a6.s6_addr + 12, 4);
    return true;
  }
  v6 = true;
  std::memcpy(out, a6.s6_addr, 16);
  return true;
}

bool prefix_matches(const unsigned char* a, const unsigned char* b, unsigned bits) {
  unsigned whole = bits / 8;
  if (std::memcmp(a, b, whole) != 0) return false;
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The bare address of a socket peer "ip:port" (the server's form, IPv6 unbracketed).
std::string_view peer_ip(std::string_view peer) {
  size_t colon = peer.rfind(':');
  return colon == std::string_view::npos ? peer : peer.substr(0, colon);
}

// An X-Forwarded-For hop: a bare address, or one with a port ("1.2.3.4:5678", "[v6]:5678") as
// some proxies write it.
std::string_view hop_ip(std::string_view hop) {
  if (hop.starts_with('[')) {
    size_t close = hop.find(']');
    return close == std::string_view::npos ? std::string_view() : hop.substr(1, close - 1);
  }
  size_t colon = hop.find(':');
  if (colon != std::string_view::npos && hop.find(':', colon + 1) == std::string_view::npos) {
    return hop.substr(0, colon);  // exactly one colon: IPv4 with a port
  }
  return hop;
}

}  // namespace

ledger::Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries) {
  if (entries.size() > kMaxEntries) {
    return ledger::Status::error("bad_address", "more than " + std::to_string(kMaxEntries) +
                                                    " trusted proxies");
  }
  TrustedProxies out;
  for (const std::string& entry : entries) {
    std::string_view text = entry;
    std::string_view address = text.substr(0, text.find('/'));
    Network n;
    if (!parse_ip(address, n.v6, n.bytes)) {
      return ledger::Status::error("bad_address", "\"" + entry + "\": not an IP address or network");
    }
    const unsigned max_bits = n.v6 ? 128 : 32;
    n.prefix = max_bits;
    if (address.size() < text.size()) {
      std::string_view bits = text.substr(address.size() + 1);
      unsigned value = 0;
      auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), value);
      if (bits.empty() || ec != std::errc() || end != bits.data() + bits.size() || value > max_bits) {
        return ledger::Status::error("bad_address", "\"" + entry + "\": prefix must be 0.." +
                                                        std::to_string(max_bits));
      }
      n.prefix = value;
    }
    out.networks_.push_back(n);
  }
  return out;
}

bool TrustedProxies::contains(std::string_view address) const {
  bool v6 = false;
  unsigned char bytes[16] = {};
  if (networks_.empty() || !parse_ip(address, v6, bytes)) return false;
  for (const Network& n : networks_) {
    if (n.v6 == v6 && prefix_matches(n.bytes, bytes, n.prefix)) return true;
  }
  return false;
}

std::string forwarded_client(std::string_view peer, std::string_view forwarded_for,
                             const TrustedProxies& trusted) {
  std::string_view client = peer_ip(peer);
  if (!trusted.contains(client)) return client_address(peer);
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    size_t comma = rest.rfind(',');
    std::string_view hop = hop_ip(trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1)));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    bool v6 = false;
    unsigned char bytes[16];
    if (!parse_ip(hop, v6, bytes)) break;  // not an address: the last trusted hop is the client
    client = hop;
    if (!trusted.contains(hop)) break;
  }
  return client_address(client);
}

}  // namespace medtrail::node::http
