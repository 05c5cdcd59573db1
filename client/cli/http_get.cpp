#include "http_get.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <algorithm>
#include <cctype>
#include <optional>

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "medtrail/ledger/tls_identity.h"

namespace medtrail::cli {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

// The host as a resolver and a certificate check take it: an IPv6 literal without brackets.
std::string bare_host(const std::string& host) {
  return host.size() >= 2 && host.front() == '[' && host.back() == ']' ? host.substr(1, host.size() - 2) : host;
}

// One exchange over `stream` (plain TCP or TLS over it), within the io_context's deadline.
template <class Stream>
void exchange(Stream& stream, tcp::resolver& resolver, const NodeUrl& node,
              http::request<http::string_body>& request, beast::flat_buffer& buffer,
              http::response_parser<http::string_body>& parser, beast::error_code& result, bool& done) {
  auto finish = [&](beast::error_code ec) {
    result = ec;
    done = true;
  };
  // Every step runs after exchange() returned: they capture the caller's objects and copies of
  // these two lambdas, never this frame's locals (ASan caught `send` reading a dead `finish`).
  auto send = [&stream, &request, &buffer, &parser, finish] {
    http::async_write(stream, request, [&stream, &buffer, &parser, finish](beast::error_code ec, size_t) {
      if (ec) return finish(ec);
      http::async_read(stream, buffer, parser, [finish](beast::error_code ec, size_t) { finish(ec); });
    });
  };
  resolver.async_resolve(bare_host(node.host), node.port,
                         [&stream, finish, send](beast::error_code ec, tcp::resolver::results_type endpoints) {
    if (ec) return finish(ec);
    beast::get_lowest_layer(stream).async_connect(endpoints, [&stream, finish, send](beast::error_code ec,
                                                                                  const tcp::endpoint&) {
      if (ec) return finish(ec);
      if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
        stream.async_handshake(ssl::stream_base::client, [finish, send](beast::error_code ec) {
          if (ec) return finish(ec);
          send();
        });
      } else {
        send();
      }
    });
  });
}

// SHA-256 of the SubjectPublicKeyInfo of `cert`, if it encodes.
std::optional<ledger::Hash> spki_of(X509* cert) {
  unsigned char* der = nullptr;
  const int len = cert == nullptr ? 0 : i2d_X509(cert, &der);
  if (len <= 0 || der == nullptr) return std::nullopt;
  auto spki = ledger::certificate_der_spki_sha256(ledger::ByteView(der, static_cast<size_t>(len)));
  OPENSSL_free(der);
  return spki.ok() ? std::optional<ledger::Hash>(*spki) : std::nullopt;
}

// A node serving its own identity (the default) presents its self-signed certificate alone: no
// issuer is found for it, and those errors only are forgiven (a bad self-signature or an expired
// certificate still fail), provided the key is one of the pins. Possession of the key is proven
// by the handshake.
bool pinned_leaf(const std::vector<ledger::Hash>& pins, bool preverified, ssl::verify_context& ctx) {
  X509_STORE_CTX* store = ctx.native_handle();
  if (X509_STORE_CTX_get_error_depth(store) != 0) return false;
  if (!preverified) {
    switch (X509_STORE_CTX_get_error(store)) {
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        break;
      default:
        return false;
    }
  }
  const std::optional<ledger::Hash> spki = spki_of(X509_STORE_CTX_get_current_cert(store));
  return spki && std::any_of(pins.begin(), pins.end(), [&](const ledger::Hash& pin) {
           return CRYPTO_memcmp(pin.data(), spki->data(), pin.size()) == 0;
         });
}

}  // namespace

ledger::Result<HttpReply> http_get(const NodeUrl& node, const std::string& target,
                                   std::chrono::milliseconds timeout, size_t max_body_bytes,
                                   const HttpHeaders& headers) {
  return http_exchange(node, "GET", target, "", timeout, max_body_bytes, headers);
}

ledger::Result<HttpReply> http_exchange(const NodeUrl& node, const std::string& method, const std::string& target,
                                        const std::string& body, std::chrono::milliseconds timeout,
                                        size_t max_body_bytes, const HttpHeaders& headers) {
  auto unreachable = [&](const std::string& what) {
    return ledger::Status::error("unreachable", node.origin() + target + ": " + what);
  };
  // Asynchronous steps run for at most `timeout` in all: a node that accepts and never answers,
  // or answers a byte at a time, cannot hold the CLI (the synchronous calls have no deadline).
  boost::asio::io_context io;
  tcp::resolver resolver(io);
  beast::flat_buffer buffer;
  http::request<http::string_body> request(http::string_to_verb(method), target, 11);
  if (request.method() == http::verb::unknown) return unreachable("unknown method " + method);
  request.set(http::field::host, node.host);
  if (!body.empty() || request.method() == http::verb::post) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
  }
  request.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) request.set(name, value);
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_body_bytes);
  beast::error_code result = boost::asio::error::timed_out;
  bool done = false;

  // Over https: TLS 1.2 or later; the node's key one of the pins, or else its chain trusted by
  // the default trust store (SSL_CERT_FILE / SSL_CERT_DIR when set) and its name or address the
  // URL's host.
  ssl::context tls(ssl::context::tls_client);
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  if (node.tls) {
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls.set_default_verify_paths();
    tls.set_verify_mode(ssl::verify_peer);
    secure.emplace(io, tls);
    const std::string host = bare_host(node.host);
    // A pinned key, or else (a listener given a certificate of its own) a trusted chain for the
    // URL's host.
    secure->set_verify_callback([pins = &node.spki_pins, by_name = ssl::host_name_verification(host)](
                                    bool preverified, ssl::verify_context& ctx) mutable {
      return (!pins->empty() && pinned_leaf(*pins, preverified, ctx)) || by_name(preverified, ctx);
    });
    // SNI for names only: an address is not a server name (RFC 6066 §3).
    beast::error_code ignored;
    boost::asio::ip::make_address(host, ignored);
    if (ignored) SSL_set_tlsext_host_name(secure->native_handle(), host.c_str());
    exchange(*secure, resolver, node, request, buffer, parser, result, done);
  } else {
    plain.emplace(io);
    exchange(*plain, resolver, node, request, buffer, parser, result, done);
  }
  io.run_for(timeout);
  beast::tcp_stream& lowest = node.tls ? beast::get_lowest_layer(*secure) : *plain;
  if (!done) {
    beast::error_code ignored;
    lowest.socket().close(ignored);
    resolver.cancel();
    io.restart();
    io.run();  // lets the cancelled handlers finish before the locals they use go away
    return unreachable("no answer within " + std::to_string(timeout.count()) + " ms");
  }
  if (result) {
    if (node.tls && !node.spki_pins.empty() && result.category() == boost::asio::error::get_ssl_category()) {
      return unreachable("TLS: " + result.message() + " (its key is none the genesis file pins, nor is its certificate trusted for this host)");
    }
    return unreachable(result.message());
  }
  beast::error_code ignored;
  lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
  HttpReply reply{static_cast<int>(parser.get().result_int()), std::move(parser.get().body()), {}};
  for (const auto& field : parser.get()) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  return reply;
}

}  // namespace medtrail::cli
