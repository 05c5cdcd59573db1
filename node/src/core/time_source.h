#pragma once
// Where the node's core reads time: the Raft driver (ticks, queue ages, block timestamps) and
// admission (how long a record stays pending). A running node reads the real clocks; the
// whole-node simulator (tests/node/sim) drives a cluster from one simulated clock, so that a
// run replays exactly from its seed.
#include <chrono>
#include <cstdint>

namespace medtrail::node {

class TimeSource {
 public:
  virtual ~TimeSource() = default;
  // For timeouts and ages.
  virtual std::chrono::steady_clock::time_point now() const = 0;
  // Unix time in milliseconds, for block timestamps (the leader's clock stamps each block).
  virtual uint64_t wall_ms() const = 0;
};

// std::chrono::steady_clock and system_clock.
const TimeSource& real_time();

}  // namespace medtrail::node
