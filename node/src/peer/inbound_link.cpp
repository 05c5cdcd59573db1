#include "peer/inbound_link.h"

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>

#include "peer/peer_tls.h"

namespace medtrail::node::peer {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using boost::system::error_code;

InboundLink::InboundLink(asio::ip::tcp::socket socket, std::shared_ptr<ssl::context> tls,
                         LinkLimits limits, std::weak_ptr<LinkEvents> events)
    : tls_(std::move(tls)),
      limits_(limits),
      events_(std::move(events)),
      stream_(std::move(socket), *tls_),
      deadline_(stream_.get_executor()) {}

template <typename F>
void InboundLink::with_events(F&& f) {
  if (auto events = events_.lock()) f(*events);
}

void InboundLink::start() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->closed_.load()) return self->fail(Failure::kQuiet);
    error_code ignored;
    self->stream_.lowest_layer().set_option(asio::ip::tcp::no_delay(true), ignored);
    // Until the hello is accepted the dialer is anonymous; a slow or silent one must not keep
    // a socket and a TLS state forever.
    self->deadline_.expires_after(self->limits_.handshake_timeout);
    self->deadline_.async_wait([self](error_code ec) {
      if (!ec && self->node_id_.empty()) self->fail(Failure::kAuth);
    });
    self->stream_.async_handshake(ssl::stream_base::server,
                                  [self](error_code ec) { self->on_handshake(ec); });
  });
}

void InboundLink::close() {
  if (closed_.exchange(true)) return;
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->fail(Failure::kQuiet); });
}

void InboundLink::on_handshake(error_code ec) {
  // A plain-TCP client, a missing client certificate, or a certificate the verify callback
  // refuses all end here.
  if (ec) return fail(Failure::kAuth);
  read_header();
}

void InboundLink::read_header() {
  if (done_) return;
  asio::async_read(stream_, asio::buffer(header_),
                   [self = shared_from_this()](error_code ec, size_t) { self->on_header(ec); });
}

void InboundLink::on_header(error_code ec) {
  if (ec) return fail(node_id_.empty() ? Failure::kAuth : Failure::kQuiet);
  uint32_t length = decode_frame_length(header_);
  // Before the hello only a hello fits: nothing larger is buffered for an unauthenticated peer.
  uint64_t max = node_id_.empty() ? kMaxHelloBytes : limits_.max_frame_bytes;
  if (!frame_length_ok(length, max)) {
    return fail(node_id_.empty() ? Failure::kBadHello : Failure::kMalformed);
  }
  body_.resize(length);
  asio::async_read(stream_, asio::buffer(body_),
                   [self = shared_from_this()](error_code ec, size_t) { self->on_body(ec); });
}

void InboundLink::on_body(error_code ec) {
  if (ec) return fail(node_id_.empty() ? Failure::kAuth : Failure::kQuiet);
  if (node_id_.empty()) return on_hello();
  std::string frame = std::move(body_);
  body_ = std::string();
  with_events([&](LinkEvents& e) { e.inbound_frame(this, node_id_, std::move(frame)); });
  read_header();
}

void InboundLink::on_hello() {
  std::optional<std::string> id = decode_hello(body_);
  if (!id) return fail(Failure::kBadHello);
  std::optional<ledger::Hash> pin;
  with_events([&](LinkEvents& e) { pin = e.pin_for(*id); });
  // The certificate alone says nothing about which node this is: the hello names the node and
  // the pin binds that name to a key, so a member cannot pass itself off as another.
  if (!pin || !peer_matches_pin(stream_.native_handle(), *pin)) return fail(Failure::kAuth);
  deadline_.cancel();
  node_id_ = std::move(*id);
  bool accepted = false;
  with_events(
      [&](LinkEvents& e) { accepted = e.inbound_authenticated(shared_from_this(), node_id_); });
  if (!accepted) return fail(Failure::kQuiet);
  read_header();
}

void InboundLink::fail(Failure why) {
  if (done_) return;
  done_ = true;
  closed_.store(true);
  with_events([why](LinkEvents& e) {
    if (why == Failure::kAuth || why == Failure::kBadHello) e.count_auth_failure();
    if (why == Failure::kMalformed || why == Failure::kBadHello) e.count_malformed_frame();
  });
  deadline_.cancel();
  error_code ignored;
  stream_.lowest_layer().close(ignored);
  with_events([this](LinkEvents& e) { e.inbound_closed(this); });
}

}  // namespace medtrail::node::peer
