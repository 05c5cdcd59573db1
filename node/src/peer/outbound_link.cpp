#include "peer/outbound_link.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "peer/peer_tls.h"

namespace medtrail::node::peer {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// "host:port" or "[v6]:port". A malformed address leaves host or port empty; resolving then
// fails and the link keeps retrying with backoff, which is all a typo in membership can get.
void split_address(const std::string& address, std::string& host, std::string& port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return;
  host = address.substr(0, colon);
  port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
}

}  // namespace

OutboundLink::OutboundLink(asio::io_context& io, std::shared_ptr<ssl::context> tls,
                           std::string self_id, PeerEndpoint peer, LinkLimits limits,
                           std::weak_ptr<LinkEvents> events)
    : tls_(std::move(tls)),
      peer_(std::move(peer)),
      limits_(limits),
      events_(std::move(events)),
      hello_(encode_hello(self_id).value_or(std::string())),
      strand_(asio::make_strand(io)),
      resolver_(strand_),
      deadline_(strand_),
      redial_(strand_),
      backoff_(limits.min_backoff, limits.max_backoff) {
  split_address(peer_.address, host_, port_);
}

template <typename F>
void OutboundLink::with_events(F&& f) {
  if (auto events = events_.lock()) f(*events);
}

void OutboundLink::start() {
  asio::post(strand_, [self = shared_from_this()] { self->dial(); });
}

void OutboundLink::close() {
  if (closed_.exchange(true)) return;
  asio::post(strand_, [self = shared_from_this()] { self->close_on_strand(); });
}

void OutboundLink::close_on_strand() {
  resolver_.cancel();
  deadline_.cancel();
  redial_.cancel();
  if (current_) {
    error_code ignored;
    current_->stream.lowest_layer().close(ignored);
    current_.reset();
  }
  connected_.store(false);
  std::lock_guard lock(mutex_);
  frames_dropped_ += queue_.size();
  queue_.clear();
  queued_bytes_ = 0;
}

bool OutboundLink::enqueue(std::string frame) {
  std::lock_guard lock(mutex_);
  if (closed_.load() || queue_.size() >= limits_.max_queue_frames ||
      queued_bytes_ + frame.size() > limits_.max_queue_bytes) {
    ++frames_dropped_;
    return false;
  }
  queued_bytes_ += frame.size();
  queue_.push_back(std::move(frame));
  if (!kick_posted_) {
    kick_posted_ = true;
    asio::post(strand_, [self = shared_from_this()] {
      {
        std::lock_guard lock(self->mutex_);
        self->kick_posted_ = false;
      }
      self->write_next();
    });
  }
  return true;
}

OutboundLink::Counters OutboundLink::counters() const {
  std::lock_guard lock(mutex_);
  return Counters{connected_.load(), frames_sent_, frames_dropped_,
                  static_cast<uint32_t>(queue_.size())};
}

void OutboundLink::dial() {
  if (closed_.load()) return;
  auto c = std::make_shared<Connection>(strand_, *tls_);
  current_ = c;
  // One deadline for connect, TLS handshake and hello: a peer that accepts TCP but never
  // completes TLS must not hold the link forever.
  deadline_.expires_after(limits_.handshake_timeout);
  deadline_.async_wait([self = shared_from_this(), c](error_code ec) {
    if (!ec && self->current_ == c && !c->ready) self->fail(c);
  });
  resolver_.async_resolve(
      host_, port_,
      [self = shared_from_this(), c](error_code ec, tcp::resolver::results_type results) {
        self->on_resolved(c, ec, results);
      });
}

void OutboundLink::on_resolved(const ConnectionPtr& c, error_code ec,
                               const tcp::resolver::results_type& results) {
  if (current_ != c) return;
  if (ec) return fail(c);
  asio::async_connect(c->stream.lowest_layer(), results,
                      [self = shared_from_this(), c](error_code ec, const tcp::endpoint&) {
                        self->on_connected(c, ec);
                      });
}

void OutboundLink::on_connected(const ConnectionPtr& c, error_code ec) {
  if (current_ != c) return;
  if (ec) return fail(c);
  error_code ignored;
  // Raft messages are small and latency-bound; Nagle would hold heartbeats back.
  c->stream.lowest_layer().set_option(tcp::no_delay(true), ignored);
  c->stream.async_handshake(
      ssl::stream_base::client,
      [self = shared_from_this(), c](error_code ec) { self->on_handshake(c, ec); });
}

void OutboundLink::on_handshake(const ConnectionPtr& c, error_code ec) {
  if (current_ != c) return;
  if (ec) return fail(c);
  // Whoever answered at this address must hold the key membership names for the peer;
  // otherwise we would be sending Raft traffic to an impostor.
  if (!peer_matches_pin(c->stream.native_handle(), peer_.tls_spki_sha256)) {
    with_events([](LinkEvents& e) { e.count_auth_failure(); });
    return fail(c);
  }
  c->header = encode_frame_header(static_cast<uint32_t>(hello_.size()));
  std::array<asio::const_buffer, 2> buffers{asio::buffer(c->header), asio::buffer(hello_)};
  asio::async_write(c->stream, buffers, [self = shared_from_this(), c](error_code ec, size_t) {
    self->on_hello_sent(c, ec);
  });
}

void OutboundLink::on_hello_sent(const ConnectionPtr& c, error_code ec) {
  if (current_ != c) return;
  if (ec) return fail(c);
  deadline_.cancel();
  c->ready = true;
  connected_.store(true);
  backoff_.reset();
  watch_for_close(c);
  write_next();
}

// The acceptor never sends on this link, so the only thing a read can return is its close
// (or a protocol violation). Without it a dead peer would go unnoticed until the next write.
void OutboundLink::watch_for_close(const ConnectionPtr& c) {
  c->stream.async_read_some(asio::buffer(c->probe),
                            [self = shared_from_this(), c](error_code ec, size_t n) {
                              if (self->current_ != c) return;
                              if (!ec && n > 0) {
                                self->with_events([](LinkEvents& e) { e.count_malformed_frame(); });
                              }
                              self->fail(c);
                            });
}

void OutboundLink::write_next() {
  ConnectionPtr c = current_;
  if (!c || !c->ready || c->writing) return;
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) return;
    c->in_flight = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= c->in_flight.size();
  }
  c->writing = true;
  c->header = encode_frame_header(static_cast<uint32_t>(c->in_flight.size()));
  std::array<asio::const_buffer, 2> buffers{asio::buffer(c->header), asio::buffer(c->in_flight)};
  asio::async_write(c->stream, buffers, [self = shared_from_this(), c](error_code ec, size_t) {
    c->writing = false;
    c->in_flight.clear();
    {
      std::lock_guard lock(self->mutex_);
      if (ec) {
        ++self->frames_dropped_;
      } else {
        ++self->frames_sent_;
      }
    }
    if (self->current_ != c) return;
    if (ec) return self->fail(c);
    self->write_next();
  });
}

// Ends the current attempt (if `c` still is it) and schedules the next one.
void OutboundLink::fail(const ConnectionPtr& c) {
  if (current_ != c) return;
  error_code ignored;
  c->stream.lowest_layer().close(ignored);
  current_.reset();
  connected_.store(false);
  deadline_.cancel();
  if (closed_.load()) return;
  redial_.expires_after(backoff_.next());
  redial_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->dial();
  });
}

}  // namespace medtrail::node::peer
