#pragma once
// What every chaos-style run (chaos_test.cpp, soak_test.cpp) checks once its faults are over:
// the nodes agree on one head, each stops cleanly, all hold the same chain and pass
// verify-chain, and the clients' history is linearizable against that chain
// (chaos_history.h). Failures are reported as test failures.
#include <cstdint>
#include <string>
#include <vector>

#include "integration/chaos_history.h"
#include "integration/cluster_harness.h"

namespace medtrail::integration::chaos {

struct Verdict {
  CheckReport history;
  uint64_t blocks = 0;
  uint64_t records = 0;
};

// Heals nothing itself: call it with the faults healed and the clients stopped.
Verdict settle_and_check(Cluster& cluster, const std::vector<Op>& history);

uint64_t env_number(const char* name, uint64_t fallback);

}  // namespace medtrail::integration::chaos
