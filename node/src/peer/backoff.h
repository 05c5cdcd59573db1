#pragma once
// Redial delays: exponential growth from `min` to `max`, each delay drawn uniformly between
// `min` and the current ceiling ("full jitter" with a floor), so that nodes restarted together
// do not redial in lockstep, and a flapping peer is not hammered.

#include <chrono>
#include <cstdint>
#include <random>

namespace medtrail::node::peer {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max);
  // The delay before the next attempt; grows the ceiling for the one after.
  std::chrono::milliseconds next();
  // After a successful connection: the next failure starts again from `min`.
  void reset() { ceiling_ = min_; }

 private:
  std::chrono::milliseconds min_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds ceiling_;
  std::mt19937_64 rng_;
};

}  // namespace medtrail::node::peer
