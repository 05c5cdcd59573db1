#pragma once
// Which peers may say who the client is. A node behind a reverse proxy (docs/deploy.md) sees
// every public request come from the proxy's address; the client's own address arrives in
// X-Forwarded-For. That header is believed only when the connection comes from a proxy the
// operator listed, and only as far as the chain of listed proxies goes, because any client can
// send the header itself.

#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/status.h"

namespace medtrail::node::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;  // trusts nobody

  // Each entry an IPv4 or IPv6 address, or a network "address/prefix" ("10.0.0.0/8",
  // "fd00::/8"). Errors: `bad_address` naming the entry. At most kMaxEntries entries.
  static ledger::Result<TrustedProxies> parse(const std::vector<std::string>& entries);

  bool empty() const { return networks_.empty(); }
  // `address` is a bare IP address (no port); anything unparsable is not trusted.
  bool contains(std::string_view address) const;

  static constexpr size_t kMaxEntries = 256;

 private:
  struct Network {
    bool v6 = false;
    unsigned char bytes[16] = {};
    unsigned prefix = 0;  // bits
  };
  std::vector<Network> networks_;
};

// The address a request is counted by (client_address.h's key: IPv4, or an IPv6 /64), given the
// socket's peer ("ip:port") and the request's X-Forwarded-For value ("" when absent). When the
// peer is trusted, the header is read from the right, past every trusted hop, and the first
// address that is not trusted is the client; a hop that is not an address stops the walk at the
// trusted hop before it (a header a proxy did not write must not pick someone else's bucket).
// When the peer is not trusted, the header is ignored.
std::string forwarded_client(std::string_view peer, std::string_view forwarded_for,
                             const TrustedProxies& trusted);

}  // namespace medtrail::node::http
