#pragma once
// Peer links between nodes: TCP + TLS 1.3 with mutual authentication by key pinning. Each node
// dials every peer and uses that outbound link to send; it accepts inbound links to receive.
// (Two one-way links per pair: no tie-breaking between simultaneous dials.)
//
// Handshake: TLS 1.3 both ways (certificates are self-signed; no CA). The dialer checks the
// acceptor's certificate key against the pin for the node it meant to reach. The dialer then
// sends a hello frame naming itself; the acceptor checks the dialer's certificate key against
// the pin genesis gives that node id. A wrong pin, an unknown id, a plain-TCP client, or a
// hello that is not the first frame closes the link and counts as `auth_failures`.
//
// Frames: 4-byte big-endian length, then the bytes; max_frame_bytes bounds it both ways. A
// malformed or oversized frame closes the link (counted) and never reaches the handler.
// Sending is fire-and-forget: Raft tolerates loss. Per-peer send queues are bounded (frames and
// bytes): when full, send() drops and returns false. Lost links redial with exponential
// backoff and jitter.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/status.h"

namespace boost::asio {
class io_context;
}

namespace medtrail::node::peer {

using ledger::Result;
using ledger::Status;

struct PeerEndpoint {
  std::string node_id;
  std::string address;  // host:port
  ledger::Hash tls_spki_sha256{};
  bool operator==(const PeerEndpoint&) const = default;
};

struct PeerNetworkOptions {
  std::string self_id;
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;  // 0: pick; see port()
  std::string tls_cert_pem;
  std::string tls_key_pem;
  std::vector<PeerEndpoint> peers;  // every other node (self is ignored if present)
  uint64_t max_frame_bytes = 64 << 20;
  uint32_t max_queue_frames = 8192;
  uint64_t max_queue_bytes = 256 << 20;
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds min_backoff{50};
  std::chrono::milliseconds max_backoff{5000};
};

// Called on an io thread for every frame received from an authenticated peer.
using FrameHandler = std::function<void(const std::string& from_node_id, std::string frame)>;

class PeerNetwork {
 public:
  PeerNetwork(boost::asio::io_context& io, PeerNetworkOptions options, FrameHandler on_frame);
  ~PeerNetwork();
  PeerNetwork(const PeerNetwork&) = delete;
  PeerNetwork& operator=(const PeerNetwork&) = delete;

  // Listens and starts dialing. Errors: `bind_failed`, `bad_tls_identity`.
  Status start();
  uint16_t port() const;
  void stop();  // idempotent, any thread

  // Queues `frame` for `to`. False (and dropped) if `to` is unknown, the frame is too large,
  // or the queue is full. Thread-safe.
  bool send(const std::string& to, std::string frame);
  // Replaces the peer set (membership changes): links to removed peers close, new ones dial.
  void set_peers(std::vector<PeerEndpoint> peers);

  struct PeerState {
    std::string node_id;
    std::string address;
    bool outbound_connected = false;
    bool inbound_connected = false;
    uint64_t frames_sent = 0;
    uint64_t frames_received = 0;
    uint64_t frames_dropped = 0;  // queue full or link lost before sending
    uint32_t queued_frames = 0;
  };
  std::vector<PeerState> peer_states() const;

  struct Stats {
    uint64_t auth_failures = 0;     // wrong pin, unknown id, no certificate, not TLS
    uint64_t malformed_frames = 0;  // oversized or bad hello
    uint64_t connections_accepted = 0;
  };
  Stats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace medtrail::node::peer
