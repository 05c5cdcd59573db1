#include "node_url.h"

#include <algorithm>
#include <string_view>

namespace medtrail::cli {

std::string NodeUrl::origin() const {
  const bool default_port = port == (tls ? "443" : "80");
  return std::string(tls ? "https://" : "http://") + host + (default_port ? "" : ":" + port);
}

ledger::Result<NodeUrl> parse_node_url(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return ledger::Status::error("bad_url", url + ": " + why + " (expected http://host:port or https://host:port)");
  };
  NodeUrl out;
  std::string_view rest(url);
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
    out.tls = true;
  } else {
    return bad("only http and https URLs are supported");
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) return bad("no path, query or user info");
  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with("[")) {  // [IPv6]:port
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("an unclosed [");
    host = rest.substr(0, close + 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("junk after the address");
      port = after.substr(1);
    }
  } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (port.empty()) return bad("an empty port");
  }
  if (host.empty() || host == "[]") return bad("no host");
  if (!std::all_of(host.begin(), host.end(), [](char c) { return c > 0x20 && c < 0x7f; })) return bad("a bad host");
  if (port.empty()) port = out.tls ? "443" : "80";
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(std::string(port)) == 0 || std::stoul(std::string(port)) > 65535) {
    return bad("the port is a number 1..65535");
  }
  out.host = std::string(host);
  out.port = std::string(port);
  return out;
}

void trust_genesis_pins(NodeUrl& url, const ledger::Genesis& genesis) {
  for (const ledger::GenesisNode& n : genesis.nodes) url.spki_pins.push_back(n.tls_spki_sha256);
}

}  // namespace medtrail::cli
