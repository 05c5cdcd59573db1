#pragma once
// What the simulator's scenario tests share: the violation as one line, and waiting for a
// leader on the virtual clock.
#include <string>

#include "sim/cluster.h"

namespace medtrail::sim {

inline std::string report(const Cluster& cluster) {
  const auto& v = cluster.violation();
  return v ? v->invariant + ": " + v->detail : "no violation";
}

// The leader once one is elected within `timeout` of virtual time, else kNoNode.
inline NodeId await_leader(Cluster& cluster, Time timeout = 5000) {
  cluster.run_until([&] { return cluster.leader() != consensus::kNoNode; }, timeout);
  return cluster.leader();
}

}  // namespace medtrail::sim
