#pragma once
// The whole node under simulation: a cluster of NodeStacks — real RocksDB stores in temp dirs,
// the real Raft driver, admission, apply, checkpoints and snapshots — stepped on one thread
// by a simulated clock, their frames carried by a simulated network that delays, drops,
// reorders and partitions, nodes crashing and restarting from their disks, clients submitting
// and resubmitting records. Everything random is drawn from one seed, so a failing run replays
// exactly. After every step the chain-level invariants are checked:
//   - every node's blocks agree with every other's at each height (so do their state roots,
//     which the headers carry);
//   - a checkpoint a block carries names a block every node agrees on;
// and once the faults stop and the cluster settles:
//   - every node holds the same chain, and it verifies (verify_chain);
//   - every record a client was told is on the chain is there, at the leaf it was told, on
//     every node; no record is on the chain twice.
#include <cstdint>
#include <string>

namespace medtrail::node::testing {

struct NodeSimOptions {
  uint64_t seed = 1;
  int nodes = 3;
  uint64_t fault_ms = 20000;   // simulated time with faults and load
  uint64_t settle_ms = 30000;  // then at most this long, healed and quiet, to agree
  int tick_ms = 10;            // a Raft tick
  double drop = 0.02;          // chance a frame is lost
  int max_delay_ms = 25;       // frames arrive after 0..max_delay_ms
  uint64_t snapshot_every = 40;  // applied entries between snapshots: a restarted node may need one
  double submit_per_ms = 0.05;   // new records a millisecond, on average
  bool crashes = true;
  bool partitions = true;
};

struct NodeSimReport {
  bool ok = true;
  std::string failure;  // the first invariant broken, and when
  uint64_t height = 0;  // the agreed chain's, at the end
  uint64_t acknowledged = 0;   // records clients were told are on the chain
  uint64_t submitted = 0;
  uint64_t crashes = 0;
  uint64_t partitions = 0;
  uint64_t snapshots_installed = 0;
  std::string head;  // hex of the agreed head block's hash: a replay gives the same
};

NodeSimReport run_node_sim(const NodeSimOptions& options);

}  // namespace medtrail::node::testing
