#pragma once
// The node's wall clock, in the chain's unit (ms since the Unix epoch, UTC): what a read is
// judged against (a signed query's freshness, a prescription's validity today), never what a
// block records (blocks carry the leader's time).
#include <chrono>
#include <cstdint>

namespace medtrail::node::api {

inline int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace medtrail::node::api
