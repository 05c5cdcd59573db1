#pragma once
// Server-side TLS configuration from PEM strings (private: includes Asio SSL).

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "medtrail/ledger/status.h"

namespace medtrail::node::http {

// TLS 1.2 or newer only. A certificate or key that does not parse, or a key that does not
// match the certificate, is `bad_tls_identity`.
ledger::Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const std::string& cert_pem, const std::string& key_pem);

}  // namespace medtrail::node::http
