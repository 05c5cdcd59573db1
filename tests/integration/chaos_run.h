#pragma once
// What chaos-style runs (chaos_test.cpp, soak_test.cpp) share: the cluster they run, every peer
// link through a fault proxy and the clients ready, and what they check once the faults are
// over — the nodes agree on one head, each stops cleanly, all hold the same chain and pass
// verify-chain, and the clients' history is linearizable against that chain
// (chaos_history.h). Failures are reported as test failures.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "integration/chaos_history.h"
#include "integration/chaos_nemesis.h"
#include "integration/chaos_workload.h"
#include "integration/cluster_harness.h"

namespace medtrail::integration::chaos {

// Three nodes whose peer links run through the nemesis's proxies, and four clients.
struct ChaosCluster {
  ChaosCluster(const NemesisOptions& nemesis_options, uint64_t seed);
  // Starts the nodes, waits for a leader and registers the clients' people; false, with why,
  // when the cluster would not come up.
  bool start(std::string* why);

  Cluster cluster;
  Nemesis nemesis;
  Workload workload;
};

struct Verdict {
  CheckReport history;
  uint64_t blocks = 0;
  uint64_t records = 0;
};

// Heals nothing itself: call it with the faults healed and the clients stopped.
Verdict settle_and_check(Cluster& cluster, const std::vector<Op>& history);

uint64_t env_number(const char* name, uint64_t fallback);
// The faults the environment variable `name` lists (comma-separated names of kAllFaults), or
// `fallback` when it is unset or empty. An unknown name throws std::invalid_argument: a typo
// must not quietly run a quieter nemesis.
std::set<std::string> env_faults(const char* name, const std::set<std::string>& fallback);

}  // namespace medtrail::integration::chaos
