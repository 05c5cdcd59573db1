#pragma once
// One randomized run from one seed: a cluster under a client workload, membership changes and
// (optionally) faults for a number of steps; then every fault is healed and the cluster must
// converge; then the final checks (no acknowledged append lost, the client history
// linearizable). The same options and seed always give the same run.

#include <cstdint>
#include <optional>
#include <string>

#include "sim/clients.h"
#include "sim/cluster.h"
#include "sim/linearizability.h"
#include "sim/membership.h"
#include "sim/nemesis.h"

namespace medtrail::sim {

struct SimOptions {
  uint64_t seed = 1;
  int nodes = 3;
  uint64_t steps = 2000;  // events in the faulty phase
  bool faults = true;
  bool verbose = false;
  size_t trace_lines = 60;  // events printed with a violation
  Time settle_timeout = 20'000;
  uint64_t settle_max_steps = 400'000;  // a message storm must not hang the run
  bool unsafe_skip_sync = false;  // see ClusterOptions
  Time retire_removed_after = 300;  // see ClusterOptions
  WorkloadOptions workload;
  bool vary_workload = true;  // clients and read share drawn from the seed
  MembershipOptions membership;
  FaultOptions fault_options;
};

struct SimResult {
  uint64_t seed = 0;
  std::optional<Violation> violation;
  std::string trace;  // the last events, when there is a violation
  uint64_t steps = 0;
  uint64_t settle_steps = 0;
  Time virtual_time = 0;
  uint64_t elections = 0;
  uint64_t commits = 0;
  uint64_t reads_checked = 0;
  uint64_t appends_acknowledged = 0;
  uint64_t operations = 0;
  uint64_t conf_changes = 0;
  uint64_t crashes = 0;
  uint64_t lies = 0;  // messages forged by lying members
  uint64_t messages = 0;
  LinearizabilityResult linearizability;

  bool ok() const { return !violation; }
  // Seed, invariant, detail and the last events: everything needed to replay and debug.
  std::string failure_report() const;
};

// The Raft tuning the randomized runs use (small limits, so batching, flow control and
// chunked snapshots all happen within a short run), varied by the seed.
consensus::Config sim_raft_config(Rng& rng);

SimResult run_simulation(const SimOptions& options);

}  // namespace medtrail::sim
