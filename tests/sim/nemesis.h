#pragma once
// Fault injection. At random intervals it strikes one of: crash (cleanly, or in the middle of
// persisting a Ready, before or after the sync) and later restart; pause and later resume; a
// symmetric partition; one-way link cuts; isolating the leader; swizzle-clog (cut nodes' links
// one at a time, then heal them one at a time in a different random order); a spell of lossy,
// duplicating, reordering, slow links; a lying member (sim/liar.h) that, for a while, sends
// messages no honest peer would. At most one network fault is active at a time, and node
// faults keep a majority up except, rarely, on purpose.

#include <cstdint>
#include <set>
#include <vector>

#include "sim/cluster.h"

namespace medtrail::sim {

struct FaultOptions {
  bool crashes = true;
  bool pauses = true;
  bool partitions = true;
  bool link_faults = true;
  bool lies = true;
  Time interval_min = 30;
  Time interval_max = 300;
  double beyond_minority = 0.05;  // chance a node fault may take down a majority
  // The network's everyday imperfection while faults are on.
  LinkFaults baseline{0.01, 0.01, 0.05, 1, 6, 30};
};

struct FaultStats {
  uint64_t crashes = 0;
  uint64_t torn_crashes = 0;
  uint64_t pauses = 0;
  uint64_t partitions = 0;
  uint64_t link_spells = 0;
  uint64_t lying_spells = 0;
  uint64_t lies = 0;  // messages forged by lying members
};

class Nemesis {
 public:
  Nemesis(Cluster& cluster, Rng rng, const FaultOptions& options);

  void start();
  // Stops injecting and undoes everything: heals the network, resumes and restarts nodes.
  void heal_everything();
  const FaultStats& stats() const { return stats_; }

 private:
  void schedule();
  void act();
  bool may_take_down(size_t more);
  void crash();
  void pause();
  void partition();
  void one_way_cuts();
  void isolate_leader();
  void swizzle_clog();
  void link_spell();
  void lying_spell();
  void lie(NodeId liar);
  void heal_network_after(Time delay);

  Cluster& cluster_;
  Rng rng_;
  FaultOptions options_;
  std::set<NodeId> down_;  // crashed or paused by the nemesis, not yet back
  bool network_fault_ = false;
  uint64_t network_epoch_ = 0;  // a heal scheduled for an earlier fault must not end a later one
  bool stopped_ = false;
  FaultStats stats_;
};

}  // namespace medtrail::sim
