#include "http/http_tls_context.h"

#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>

namespace medtrail::node::http {

namespace ssl = boost::asio::ssl;

ledger::Result<std::shared_ptr<ssl::context>> make_server_tls_context(const std::string& cert_pem,
                                                                      const std::string& key_pem) {
  auto bad = [](const std::string& what) {
    return ledger::Status::error("bad_tls_identity", what);
  };
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1) {
    return bad("cannot require TLS 1.2");
  }
  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(cert_pem), ec);
  if (ec) return bad("certificate: " + ec.message());
  context->use_private_key(boost::asio::buffer(key_pem), ssl::context::pem, ec);
  if (ec) return bad("private key: " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return bad("private key does not match the certificate");
  }
  return context;
}

}  // namespace medtrail::node::http
