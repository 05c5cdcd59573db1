#include "peer/backoff.h"

#include <algorithm>

namespace medtrail::node::peer {

Backoff::Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
    : min_(std::max(min, std::chrono::milliseconds(1))),
      max_(std::max(max, min_)),
      ceiling_(min_),
      rng_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::next() {
  std::uniform_int_distribution<int64_t> pick(min_.count(), ceiling_.count());
  std::chrono::milliseconds delay(pick(rng_));
  ceiling_ = std::min(max_, ceiling_ * 2);
  return delay;
}

}  // namespace medtrail::node::peer
