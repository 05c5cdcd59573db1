#pragma once
// The operator: every so often it asks the current leader for a membership change (add a
// learner on a fresh node, promote a caught-up learner, remove a voter — sometimes the leader
// itself — or a learner) or a leadership transfer. One server at a time (thesis §4.1); the core
// refuses a second change while one is pending, which is fine: the operator just tries later.

#include <cstdint>
#include <optional>

#include "sim/cluster.h"

namespace medtrail::sim {

struct MembershipOptions {
  bool conf_changes = true;
  bool transfers = true;
  Time interval_min = 100;
  Time interval_max = 700;
  double remove_leader = 0.3;  // share of voter removals that target the leader
};

struct MembershipStats {
  uint64_t proposed = 0;   // conf changes accepted by a leader
  uint64_t committed = 0;  // conf changes committed
  uint64_t transfers = 0;  // transfers requested
};

class Membership : public ClusterListener {
 public:
  // Voters stay within [initial, initial + 1] and nodes within initial + 2.
  Membership(Cluster& cluster, Rng rng, const MembershipOptions& options, int initial_nodes);

  void start() { schedule(); }
  void stop() { stopped_ = true; }
  const MembershipStats& stats() const { return stats_; }

  void on_conf_committed(const consensus::ConfChange& change) override;

 private:
  void schedule();
  void act();
  bool caught_up(SimNode& leader, NodeId learner) const;
  void propose(SimNode& leader, consensus::ConfChangeType type, NodeId target);

  Cluster& cluster_;
  Rng rng_;
  MembershipOptions options_;
  size_t initial_;
  NodeId next_id_;
  // A node created for an add-learner that has not committed yet: reused by the next attempt.
  std::optional<NodeId> spare_;
  bool stopped_ = false;
  MembershipStats stats_;
};

}  // namespace medtrail::sim
