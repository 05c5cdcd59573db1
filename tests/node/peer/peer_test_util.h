#pragma once
// Helpers for peer-network tests: io threads, identities and a frame sink.

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "medtrail/ledger/tls_identity.h"
#include "peer/peer_network.h"

namespace medtrail::node::peer::testing {

// An io_context run by two threads, as the node runs it.
class IoThreads {
 public:
  IoThreads() : guard_(boost::asio::make_work_guard(io_)) {
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] {
        io_.run();
        exited_.fetch_add(1);
      });
    }
  }
  ~IoThreads() {
    guard_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  boost::asio::io_context& io() { return io_; }
  // Lets run() return once no work is left.
  void release() { guard_.reset(); }
  int exited() const { return exited_.load(); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
  std::atomic<int> exited_{0};
};

struct Frame {
  std::string from;
  std::string bytes;
};

// Records every delivered frame; the handler runs on io threads.
class FrameSink {
 public:
  FrameHandler handler() {
    return [this](const std::string& from, std::string frame) {
      std::lock_guard lock(mutex_);
      frames_.push_back({from, std::move(frame)});
    };
  }
  std::vector<Frame> frames() const {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  size_t size() const {
    std::lock_guard lock(mutex_);
    return frames_.size();
  }
  std::vector<std::string> from(const std::string& node) const {
    std::vector<std::string> out;
    for (const Frame& f : frames()) {
      if (f.from == node) out.push_back(f.bytes);
    }
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Frame> frames_;
};

struct Member {
  std::string id;
  ledger::TlsIdentity tls;
  uint16_t port = 0;
  PeerEndpoint endpoint() const {
    return PeerEndpoint{id, "127.0.0.1:" + std::to_string(port), tls.spki_sha256};
  }
};

inline Member make_member(const std::string& id) {
  return Member{id, *ledger::generate_tls_identity(id), 0};
}

// A port nobody listens on (bound, read, released).
inline uint16_t unused_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// Options with short timers, so failures and reconnections happen within a test's patience.
inline PeerNetworkOptions options_for(const Member& self, std::vector<PeerEndpoint> peers,
                                      uint16_t port = 0) {
  PeerNetworkOptions o;
  o.self_id = self.id;
  o.listen_port = port;
  o.tls_cert_pem = self.tls.certificate_pem;
  o.tls_key_pem = self.tls.private_key_pem;
  o.peers = std::move(peers);
  o.max_frame_bytes = 1 << 20;
  o.handshake_timeout = std::chrono::milliseconds(2000);
  o.min_backoff = std::chrono::milliseconds(10);
  o.max_backoff = std::chrono::milliseconds(200);
  return o;
}

inline std::optional<PeerNetwork::PeerState> state_of(const PeerNetwork& net,
                                                      const std::string& node_id) {
  for (auto& s : net.peer_states()) {
    if (s.node_id == node_id) return s;
  }
  return std::nullopt;
}

inline bool outbound_up(const PeerNetwork& net, const std::string& node_id) {
  auto s = state_of(net, node_id);
  return s && s->outbound_connected;
}

inline bool inbound_up(const PeerNetwork& net, const std::string& node_id) {
  auto s = state_of(net, node_id);
  return s && s->inbound_connected;
}

}  // namespace medtrail::node::peer::testing
