#pragma once
// RocksDB compacts on a pool of background threads that every store in the process shares. The
// state and index families' keys are hashes, so each compaction into their level 1 rewrites
// all of it, and on a busy machine it takes CPU that Raft, apply and HTTP need: in a sustained
// run the commit latency rose to 0.4-5.7 s during each one (docs/benchmarks.md, "The
// allocator's arenas, and compactions at low CPU priority"). So by default the node runs
// compactions at the lowest CPU priority (nice 19), on the CPU its own work leaves ([storage]
// low_priority_compactions). Flushes keep theirs.
//
// The cost, where CPU is short for long: compactions fall behind, and RocksDB delays every
// write of the database once a family holds 20 level-0 files, the Raft log's included, and
// stops them at 36, which stalls the Raft driver (and its heartbeats) until compactions catch
// up. The pool also serves the other stores in the process: the patient key store's forced
// compaction when a key is destroyed, and the scratch store a received snapshot is verified in.
#include "medtrail/ledger/status.h"

namespace medtrail::node {

// Process-wide; each compaction thread lowers itself before the next job it runs.
ledger::Status lower_compaction_priority();

}  // namespace medtrail::node
