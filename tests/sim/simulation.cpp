#include "sim/simulation.h"

#include <vector>

namespace medtrail::sim {

consensus::Config sim_raft_config(Rng& rng) {
  consensus::Config config;
  config.election_ticks = static_cast<int>(rng.between(5, 15));
  config.heartbeat_ticks = static_cast<int>(rng.between(1, 3));
  // Most runs use the production settings; some turn the safeguards off, which makes
  // elections far more disruptive (and must still be safe).
  config.pre_vote = !rng.chance(0.2);
  config.check_quorum = !rng.chance(0.2);
  config.max_message_bytes = rng.pick(std::vector<uint64_t>{256, 1024, 1 << 20});
  config.max_inflight_messages = rng.pick(std::vector<size_t>{2, 8, 64});
  config.max_uncommitted_bytes = rng.pick(std::vector<uint64_t>{4096, 64ull << 20});
  config.snapshot_chunk_bytes = rng.pick(std::vector<uint64_t>{64, 512, 1 << 20});
  return config;
}

std::string SimResult::failure_report() const {
  if (!violation) return "";
  std::string out = "seed " + std::to_string(seed) + ": invariant " + violation->invariant +
                    " violated at t=" + std::to_string(violation->at) + "ms (step " +
                    std::to_string(steps + settle_steps) + ")\n  " + violation->detail + "\n";
  if (!trace.empty()) out += "last events:\n" + trace;
  return out;
}

namespace {

// Settled: a leader whose whole log is committed, every member has applied all of it, and no
// client is still waiting.
bool converged(Cluster& cluster, const Clients& clients) {
  if (!clients.idle()) return false;
  SimNode* leader = cluster.node(cluster.leader());
  if (leader == nullptr) return false;
  const Index commit = leader->raft().hard_state().commit;
  if (commit != leader->raft().last_index()) return false;
  const consensus::ConfState conf = leader->raft().conf_state();
  std::vector<NodeId> members = conf.voters;
  members.insert(members.end(), conf.learners.begin(), conf.learners.end());
  for (NodeId id : members) {
    SimNode* node = cluster.node(id);
    if (node == nullptr || !node->up() || node->state_machine().applied() != commit) return false;
  }
  return true;
}

}  // namespace

SimResult run_simulation(const SimOptions& options) {
  Rng rng(options.seed);
  ClusterOptions cluster_options;
  cluster_options.seed = rng.next();
  cluster_options.nodes = options.nodes;
  cluster_options.raft = sim_raft_config(rng);
  cluster_options.snapshot_every = rng.between(8, 64);
  cluster_options.unsafe_skip_sync = options.unsafe_skip_sync;
  cluster_options.retire_removed_after = options.retire_removed_after;
  cluster_options.verbose = options.verbose;
  cluster_options.trace_lines = options.trace_lines;
  Cluster cluster(cluster_options);

  WorkloadOptions workload = options.workload;
  if (options.vary_workload) {
    workload.clients = static_cast<int>(rng.between(1, 6));
    workload.read_fraction = static_cast<double>(rng.between(10, 60)) / 100;
  }
  Clients clients(cluster, rng.fork(), workload);
  Membership membership(cluster, rng.fork(), options.membership, options.nodes);
  Nemesis nemesis(cluster, rng.fork(), options.fault_options);
  clients.start();
  membership.start();
  if (options.faults) nemesis.start();

  SimResult result;
  result.seed = options.seed;
  while (cluster.steps() < options.steps && cluster.step()) {
  }
  result.steps = cluster.steps();

  if (!cluster.violation()) {
    nemesis.heal_everything();
    membership.stop();
    clients.stop();
    const uint64_t step_limit = cluster.steps() + options.settle_max_steps;
    const bool settled = cluster.run_until(
        [&] { return converged(cluster, clients) || cluster.steps() >= step_limit; },
        options.settle_timeout);
    if ((!settled || !converged(cluster, clients)) && !cluster.violation()) {
      cluster.invariants().fail(cluster.now(), "no_convergence_after_heal",
                                "no leader with every member caught up " +
                                    std::to_string(options.settle_timeout) + "ms (or " +
                                    std::to_string(options.settle_max_steps) +
                                    " steps) after every fault was healed");
    }
  }
  result.settle_steps = cluster.steps() - result.steps;
  if (!cluster.violation()) {
    cluster.invariants().full_scan(cluster.now());
    SimNode* leader = cluster.node(cluster.leader());
    if (leader != nullptr) cluster.invariants().check_acknowledged(cluster.now(), leader->state_machine());
  }
  if (!cluster.violation()) {
    result.linearizability = check_append_log(cluster.history().checkable());
    if (result.linearizability.outcome == LinearizabilityResult::Outcome::kNotLinearizable) {
      cluster.invariants().fail(cluster.now(), "linearizability",
                                result.linearizability.explanation);
    }
  }

  result.violation = cluster.violation();
  if (result.violation) result.trace = cluster.trace().dump();
  result.virtual_time = cluster.now();
  result.elections = cluster.invariants().elections();
  result.commits = cluster.invariants().committed();
  result.reads_checked = cluster.history().completed_reads();
  result.appends_acknowledged = clients.stats().acknowledged;
  result.operations = clients.stats().invoked;
  result.conf_changes = membership.stats().committed;
  result.crashes = nemesis.stats().crashes;
  result.lies = nemesis.stats().lies;
  result.messages = cluster.network().stats().sent;
  return result;
}

}  // namespace medtrail::sim
