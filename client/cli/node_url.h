#pragma once
// A node's API address as the CLI takes it: "http://host[:port]" or "https://host[:port]" (a
// trailing "/" allowed; ports default to 80 and 443). Over https a command that holds the
// genesis file trusts the consortium's pins: the node must present one of the TLS keys genesis
// names (its own [tls] identity, what a node serves by default), and no CA or host name is
// consulted. Without pins the certificate is checked against the system's trust store (or the
// file SSL_CERT_FILE names) and the host name. The CLI also checks what it reads, but only TLS
// keeps a member's read of patient data private on the wire.
#include <string>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/status.h"

namespace medtrail::cli {

struct NodeUrl {
  std::string host;  // as written: a name, an IPv4 address, or an IPv6 address in brackets "[::1]"
  std::string port;
  bool tls = false;
  // SHA-256 of a certificate's SubjectPublicKeyInfo (RFC 7469): when any is set, an https node
  // must present one of these keys.
  std::vector<ledger::Hash> spki_pins;

  // "https://host[:port]", as the user would write it again (a default port left out).
  std::string origin() const;
};

// Errors: `bad_url` (another scheme, a path, user info, an empty host or a bad port).
ledger::Result<NodeUrl> parse_node_url(const std::string& url);
// Pins every TLS key genesis names to `url` (the consortium's nodes at founding).
void trust_genesis_pins(NodeUrl& url, const ledger::Genesis& genesis);

}  // namespace medtrail::cli
