#pragma once
// Waiting in tests for something another thread or process brings about. The timeout has no
// default: how long is worth waiting differs per suite (an in-process server, a Raft group, a
// cluster of processes), and each call says it.
#include <chrono>
#include <functional>
#include <thread>

namespace medtrail::testing {

// Checks `condition` every `interval` until it holds or `timeout` has passed; true when it
// held. The last check starts after the timeout, so a condition is given all of it. The
// default interval suits cheap, in-process conditions; a costlier one (asking a cluster of
// node processes, say) passes a longer interval so that the polling does not become the load.
inline bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds interval = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const bool last = std::chrono::steady_clock::now() >= deadline;
    if (condition()) return true;
    if (last) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace medtrail::testing
