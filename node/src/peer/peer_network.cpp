// PeerNetwork: membership, the listener, and the bookkeeping that ties links to node ids.

#include "peer/peer_network.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <map>
#include <mutex>
#include <unordered_map>

#include "net/listener.h"
#include "peer/frame_codec.h"
#include "peer/inbound_link.h"
#include "peer/link_events.h"
#include "peer/outbound_link.h"
#include "peer/peer_tls.h"
#include "medtrail/ledger/secure_bytes.h"

namespace medtrail::node::peer {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Inbound connections that have not (yet) proven who they are, beyond one per peer.
constexpr size_t kMaxUnauthenticatedInbound = 64;

struct PeerNetwork::Impl : LinkEvents, std::enable_shared_from_this<Impl> {
  // What the network knows about one member. Counters live here, not in the links, so they
  // survive reconnections; the outbound link's own counters are added on read.
  struct Peer {
    PeerEndpoint endpoint;
    std::shared_ptr<OutboundLink> outbound;
    const InboundLink* inbound = nullptr;  // the authenticated link from this peer, if any
    uint64_t frames_received = 0;
  };

  Impl(asio::io_context& io, PeerNetworkOptions options, FrameHandler on_frame)
      : io_(io), options_(std::move(options)), on_frame_(std::move(on_frame)), acceptor_(io) {
    limits_.max_frame_bytes = std::min<uint64_t>(options_.max_frame_bytes, UINT32_MAX);
    limits_.max_queue_frames = options_.max_queue_frames;
    limits_.max_queue_bytes = options_.max_queue_bytes;
    limits_.handshake_timeout = options_.handshake_timeout;
    limits_.min_backoff = options_.min_backoff;
    limits_.max_backoff = options_.max_backoff;
  }

  Status start();
  Status open_acceptor();
  void do_accept();  // requires accept_mutex_
  void on_accept(error_code ec, tcp::socket socket);
  void stop();
  void apply_peers(std::vector<PeerEndpoint> peers);  // requires mutex_
  std::shared_ptr<OutboundLink> make_outbound(const PeerEndpoint& endpoint);

  // LinkEvents
  void count_auth_failure() override { auth_failures_.fetch_add(1); }
  void count_malformed_frame() override { malformed_frames_.fetch_add(1); }
  std::optional<ledger::Hash> pin_for(const std::string& node_id) override;
  bool inbound_authenticated(const std::shared_ptr<InboundLink>& link,
                             const std::string& node_id) override;
  void inbound_frame(const InboundLink* link, const std::string& node_id,
                     std::string frame) override;
  void inbound_closed(const InboundLink* link) override;

  asio::io_context& io_;
  PeerNetworkOptions options_;  // not const: start() wipes the key's text once the TLS context holds it
  const FrameHandler on_frame_;
  LinkLimits limits_;
  std::shared_ptr<asio::ssl::context> tls_;  // set by start(), then read-only

  // Guards acceptor_: stop() may run on any thread while an accept is being re-armed.
  std::mutex accept_mutex_;
  tcp::acceptor acceptor_;
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};

  // Lock order: mutex_, then a link's own mutex. Links call back without holding theirs.
  mutable std::mutex mutex_;
  std::map<std::string, Peer> peers_;
  // True from a successful start() until stop(): only then do links exist (they need tls_).
  bool dialing_ = false;
  // Owns every open inbound link, authenticated or not, so stop() can close them all.
  std::unordered_map<const InboundLink*, std::shared_ptr<InboundLink>> inbound_;

  std::atomic<uint64_t> auth_failures_{0};
  std::atomic<uint64_t> malformed_frames_{0};
  std::atomic<uint64_t> connections_accepted_{0};
};

Status PeerNetwork::Impl::start() {
  if (stopped_.load()) return Status::error("bind_failed", "peer network was stopped");
  if (started_.exchange(true)) return Status::error("bind_failed", "peer network already started");
  if (!encode_hello(options_.self_id)) {
    return Status::error("bad_tls_identity", "self_id must be 1..64 bytes without NUL");
  }
  auto tls = make_peer_tls_context(options_.tls_cert_pem, options_.tls_key_pem);
  ledger::wipe_string(options_.tls_key_pem);  // the context holds the key now
  if (!tls.ok()) return tls.status();
  tls_ = std::move(tls.value());
  MEDTRAIL_RETURN_IF_ERROR(open_acceptor());
  {
    std::lock_guard lock(accept_mutex_);
    do_accept();
  }
  std::lock_guard lock(mutex_);
  if (stopped_.load()) return Status::ok_status();
  dialing_ = true;
  for (auto& [id, peer] : peers_) {
    peer.outbound = make_outbound(peer.endpoint);
    peer.outbound->start();
  }
  return Status::ok_status();
}

Status PeerNetwork::Impl::open_acceptor() {
  const std::string where = options_.listen_host + ":" + std::to_string(options_.listen_port);
  error_code ec;
  asio::ip::address address = asio::ip::make_address(options_.listen_host, ec);
  if (ec) return Status::error("bind_failed", "parse " + where + ": " + ec.message());
  tcp::endpoint endpoint(address, options_.listen_port);
  std::lock_guard lock(accept_mutex_);
  MEDTRAIL_RETURN_IF_ERROR(net::open_listener(acceptor_, endpoint, where));
  port_.store(acceptor_.local_endpoint(ec).port());
  return Status::ok_status();
}

void PeerNetwork::Impl::do_accept() {
  if (stopped_.load() || !acceptor_.is_open()) return;
  // A strand per connection: its handlers never run concurrently, even on many io threads.
  acceptor_.async_accept(asio::make_strand(io_),
                         [self = shared_from_this()](error_code ec, tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void PeerNetwork::Impl::on_accept(error_code ec, tcp::socket socket) {
  if (stopped_.load() || ec == asio::error::operation_aborted) return;
  if (!ec) {
    connections_accepted_.fetch_add(1);
    auto link = std::make_shared<InboundLink>(std::move(socket), tls_, limits_, weak_from_this());
    bool registered = false;
    {
      std::lock_guard lock(mutex_);
      // Authenticated links are at most one per peer; the rest are strangers mid-handshake,
      // and a bounded number of those keeps a connection flood from exhausting descriptors.
      if (!stopped_.load() && inbound_.size() < peers_.size() + kMaxUnauthenticatedInbound) {
        inbound_.emplace(link.get(), link);
        registered = true;
      }
    }
    // Not registered: stopped, or too many pending; dropping the last reference closes it.
    if (registered) link->start();
  }
  // Other accept errors (e.g. out of file descriptors) are transient: keep accepting.
  std::lock_guard lock(accept_mutex_);
  do_accept();
}

void PeerNetwork::Impl::stop() {
  if (stopped_.exchange(true)) return;
  {
    // Closed synchronously, so the port is free when stop() returns.
    std::lock_guard lock(accept_mutex_);
    error_code ignored;
    acceptor_.close(ignored);
  }
  std::lock_guard lock(mutex_);
  dialing_ = false;
  for (auto& [id, peer] : peers_) {
    if (peer.outbound) peer.outbound->close();
    peer.inbound = nullptr;
  }
  for (auto& [raw, link] : inbound_) link->close();
  inbound_.clear();
}

std::shared_ptr<OutboundLink> PeerNetwork::Impl::make_outbound(const PeerEndpoint& endpoint) {
  return std::make_shared<OutboundLink>(io_, tls_, options_.self_id, endpoint, limits_,
                                        weak_from_this());
}

void PeerNetwork::Impl::apply_peers(std::vector<PeerEndpoint> peers) {
  std::map<std::string, PeerEndpoint> wanted;
  for (PeerEndpoint& p : peers) {
    if (p.node_id == options_.self_id || p.node_id.empty()) continue;
    wanted[p.node_id] = std::move(p);
  }
  auto close_links = [this](Peer& peer) {
    if (peer.outbound) peer.outbound->close();
    peer.outbound.reset();
    if (peer.inbound) {
      auto it = inbound_.find(peer.inbound);
      if (it != inbound_.end()) it->second->close();
      peer.inbound = nullptr;
    }
  };
  for (auto it = peers_.begin(); it != peers_.end();) {
    auto w = wanted.find(it->first);
    if (w == wanted.end()) {
      close_links(it->second);
      it = peers_.erase(it);
      continue;
    }
    if (!(w->second == it->second.endpoint)) {
      // A new address or a new key: links made under the old endpoint no longer prove anything.
      close_links(it->second);
      it->second.endpoint = w->second;
    }
    ++it;
  }
  for (auto& [id, endpoint] : wanted) {
    Peer& peer = peers_[id];
    peer.endpoint = endpoint;
    if (dialing_ && !peer.outbound) {
      peer.outbound = make_outbound(endpoint);
      peer.outbound->start();
    }
  }
}

std::optional<ledger::Hash> PeerNetwork::Impl::pin_for(const std::string& node_id) {
  std::lock_guard lock(mutex_);
  auto it = peers_.find(node_id);
  if (it == peers_.end()) return std::nullopt;
  return it->second.endpoint.tls_spki_sha256;
}

bool PeerNetwork::Impl::inbound_authenticated(const std::shared_ptr<InboundLink>& link,
                                              const std::string& node_id) {
  std::shared_ptr<InboundLink> replaced;
  {
    std::lock_guard lock(mutex_);
    auto it = peers_.find(node_id);
    if (stopped_.load() || it == peers_.end() || !inbound_.count(link.get())) return false;
    // The newest link wins: an older one from the same node is a connection its process
    // abandoned (e.g. it restarted) and would otherwise linger until TCP noticed.
    if (it->second.inbound != nullptr && it->second.inbound != link.get()) {
      auto old = inbound_.find(it->second.inbound);
      if (old != inbound_.end()) replaced = old->second;
    }
    it->second.inbound = link.get();
  }
  if (replaced) replaced->close();
  return true;
}

void PeerNetwork::Impl::inbound_frame(const InboundLink* link, const std::string& node_id,
                                      std::string frame) {
  {
    std::lock_guard lock(mutex_);
    auto it = peers_.find(node_id);
    // A link already replaced or a peer already removed delivers nothing more.
    if (stopped_.load() || it == peers_.end() || it->second.inbound != link) return;
    ++it->second.frames_received;
  }
  if (!on_frame_) return;
  try {
    on_frame_(node_id, std::move(frame));
  } catch (...) {
    // The handler's bug must not unwind through io_context::run() and take the node down.
  }
}

void PeerNetwork::Impl::inbound_closed(const InboundLink* link) {
  std::shared_ptr<InboundLink> owned;  // released after the lock
  std::lock_guard lock(mutex_);
  auto it = inbound_.find(link);
  if (it != inbound_.end()) {
    owned = std::move(it->second);
    inbound_.erase(it);
  }
  for (auto& [id, peer] : peers_) {
    if (peer.inbound == link) peer.inbound = nullptr;
  }
}

PeerNetwork::PeerNetwork(asio::io_context& io, PeerNetworkOptions options, FrameHandler on_frame)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(on_frame))) {
  std::lock_guard lock(impl_->mutex_);
  impl_->apply_peers(impl_->options_.peers);
}

PeerNetwork::~PeerNetwork() { stop(); }

Status PeerNetwork::start() { return impl_->start(); }

uint16_t PeerNetwork::port() const { return impl_->port_.load(); }

void PeerNetwork::stop() { impl_->stop(); }

bool PeerNetwork::send(const std::string& to, std::string frame) {
  if (impl_->stopped_.load() || !frame_length_ok(frame.size(), impl_->limits_.max_frame_bytes)) {
    return false;
  }
  std::shared_ptr<OutboundLink> link;
  {
    std::lock_guard lock(impl_->mutex_);
    auto it = impl_->peers_.find(to);
    if (it == impl_->peers_.end()) return false;
    link = it->second.outbound;
  }
  // Before start() there is no link yet: nothing could carry the frame.
  return link && link->enqueue(std::move(frame));
}

void PeerNetwork::set_peers(std::vector<PeerEndpoint> peers) {
  std::lock_guard lock(impl_->mutex_);
  if (impl_->stopped_.load()) return;
  impl_->apply_peers(std::move(peers));
}

std::vector<PeerNetwork::PeerState> PeerNetwork::peer_states() const {
  std::lock_guard lock(impl_->mutex_);
  std::vector<PeerState> states;
  states.reserve(impl_->peers_.size());
  for (const auto& [id, peer] : impl_->peers_) {
    PeerState state;
    state.node_id = id;
    state.address = peer.endpoint.address;
    state.inbound_connected = peer.inbound != nullptr;
    state.frames_received = peer.frames_received;
    if (peer.outbound) {
      OutboundLink::Counters c = peer.outbound->counters();
      state.outbound_connected = c.connected;
      state.frames_sent = c.frames_sent;
      state.frames_dropped = c.frames_dropped;
      state.queued_frames = c.queued_frames;
    }
    states.push_back(std::move(state));
  }
  return states;
}

PeerNetwork::Stats PeerNetwork::stats() const {
  return Stats{impl_->auth_failures_.load(), impl_->malformed_frames_.load(),
               impl_->connections_accepted_.load()};
}

}  // namespace medtrail::node::peer
