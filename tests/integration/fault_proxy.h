#pragma once
// A TCP proxy that puts network faults on one peer link without root: it listens on a free port
// of 127.0.0.1 and forwards every connection to 127.0.0.1:target, both ways, in order. A node
// dials its peer through it (node.toml [peer_routes]); since a node sends to a peer only on the
// link it dialed (node/src/peer/peer_network.h), the proxy for "i dials j" carries exactly what
// i says to j, so faults can be one-way.
//
// Faults, set at any time from any thread:
//   delay + jitter   each chunk waits base + uniform(0, jitter) (never overtaking the one before)
//   stall            nothing is delivered; bytes are held, then delivered in order on heal — a
//                    partition TCP rides out
//   cut              every connection is closed and new ones are closed on accept — a partition
//                    long enough that connections die, or a route that is gone
//   reset            a one-off: the current connections are closed, new ones pass
// The proxy runs its own thread; its destructor closes everything.
#include <chrono>
#include <cstdint>
#include <memory>

namespace medtrail::integration {

class FaultProxy {
 public:
  enum class Mode { kPass, kStall, kCut };
  struct Stats {
    uint64_t connections = 0;  // accepted and connected through
    uint64_t refused = 0;      // closed on accept (cut) or the target did not answer
    uint64_t bytes = 0;        // delivered
  };

  FaultProxy(uint16_t target_port, uint64_t seed);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  uint16_t port() const;
  void set_mode(Mode mode);
  Mode mode() const;
  void set_delay(std::chrono::milliseconds base, std::chrono::milliseconds jitter);
  void reset_connections();
  Stats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace medtrail::integration
