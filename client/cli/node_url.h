#pragma once
// A node's API address as the CLI takes it: "http://host[:port]" or "https://host[:port]" (a
// trailing "/" allowed; ports default to 80 and 443). Over https the node's certificate is
// checked against the system's trust store (or the file SSL_CERT_FILE names) and the host name;
// the CLI also checks what it reads, but only TLS keeps a member's read of patient data private
// on the wire.
#include <string>

#include "medtrail/ledger/status.h"

namespace medtrail::cli {

struct NodeUrl {
  std::string host;  // as written: a name, an IPv4 address, or an IPv6 address in brackets "[::1]"
  std::string port;
  bool tls = false;

  // "https://host[:port]", as the user would write it again (a default port left out).
  std::string origin() const;
};

// Errors: `bad_url` (another scheme, a path, user info, an empty host or a bad port).
ledger::Result<NodeUrl> parse_node_url(const std::string& url);

}  // namespace medtrail::cli
