#pragma once
// TLS for peer links (private: includes Asio SSL). One context serves both roles, since every
// node dials and accepts with the same identity.

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/status.h"

namespace medtrail::node::peer {

// TLS 1.3 only, mutual authentication required, self-signed certificates accepted: a peer is
// authenticated afterwards by its pinned key (peer_matches_pin). Errors: `bad_tls_identity`.
ledger::Result<std::shared_ptr<boost::asio::ssl::context>> make_peer_tls_context(
    const std::string& cert_pem, const std::string& key_pem);

// True iff the handshake on `ssl` is done and the peer's certificate key hashes (SHA-256 of the
// DER SubjectPublicKeyInfo, RFC 7469 §2.4) to `pin`. Compared in constant time.
bool peer_matches_pin(SSL* ssl, const ledger::Hash& pin);

}  // namespace medtrail::node::peer
