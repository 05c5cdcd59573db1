#include "peer/peer_tls.h"

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/verify_context.hpp>

#include "medtrail/ledger/tls_identity.h"

namespace medtrail::node::peer {

namespace ssl = boost::asio::ssl;

namespace {

// Certificates are self-signed, so OpenSSL finds no trusted issuer for them. Those errors, and
// only for a lone leaf, are expected; anything else (a bad self-signature, an expired
// certificate, a chain) fails the handshake. Possession of the key is still proven by the
// CertificateVerify message (RFC 8446 §4.4.3), and who the key belongs to by the pin.
bool accept_self_signed(bool preverified, ssl::verify_context& ctx) {
  X509_STORE_CTX* store = ctx.native_handle();
  if (X509_STORE_CTX_get_error_depth(store) != 0) return false;
  if (preverified) return true;
  switch (X509_STORE_CTX_get_error(store)) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return true;
    default:
      return false;
  }
}

}  // namespace

ledger::Result<std::shared_ptr<ssl::context>> make_peer_tls_context(const std::string& cert_pem,
                                                                    const std::string& key_pem) {
  auto bad = [](const std::string& what) {
    return ledger::Status::error("bad_tls_identity", what);
  };
  auto context = std::make_shared<ssl::context>(ssl::context::tls);
  SSL_CTX* native = context->native_handle();
  // TLS 1.3 only (RFC 8446): encrypted certificates, no renegotiation, no legacy ciphers. All
  // nodes run this code, so there is nothing older to interoperate with.
  if (SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1) {
    return bad("cannot require TLS 1.3");
  }
  // Links are long-lived and asio never offers a saved session, so tickets would only be
  // bytes on the wire.
  SSL_CTX_set_num_tickets(native, 0);
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);

  boost::system::error_code ec;
  context->use_certificate(boost::asio::buffer(cert_pem), ssl::context::pem, ec);
  if (ec) return bad("certificate: " + ec.message());
  context->use_private_key(boost::asio::buffer(key_pem), ssl::context::pem, ec);
  if (ec) return bad("private key: " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) {
    return bad("private key does not match the certificate");
  }
  context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
  if (ec) return bad("verify mode: " + ec.message());
  context->set_verify_callback(accept_self_signed, ec);
  if (ec) return bad("verify callback: " + ec.message());
  return context;
}

bool peer_matches_pin(SSL* ssl, const ledger::Hash& pin) {
  if (ssl == nullptr) return false;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return false;
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  X509_free(cert);
  if (len <= 0 || der == nullptr) return false;
  auto spki = ledger::certificate_der_spki_sha256(ledger::ByteView(der, static_cast<size_t>(len)));
  OPENSSL_free(der);
  // Constant time, so a prober learns nothing from how long a wrong key takes to be refused.
  return spki.ok() && CRYPTO_memcmp(spki->data(), pin.data(), pin.size()) == 0;
}

}  // namespace medtrail::node::peer
