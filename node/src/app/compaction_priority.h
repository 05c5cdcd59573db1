#pragma once
// RocksDB compacts on a pool of background threads that every store in the process shares. The
// state and index families' keys are hashes, so each compaction into their level 1 rewrites
// all of it, and on a busy machine it takes CPU that Raft, apply and HTTP need: in a sustained
// run the commit latency rose to seconds during each one (docs/benchmarks.md, "Compactions at
// low CPU priority"). The node runs compactions at the lowest CPU priority (nice 19), on the CPU
// its own work leaves. Flushes keep theirs. Should compactions fall behind, RocksDB slows the
// writes down itself (its level-0 file triggers), the back-pressure it was built with.
#include "medtrail/ledger/status.h"

namespace medtrail::node {

// Process-wide; each compaction thread lowers itself before the next job it runs.
ledger::Status lower_compaction_priority();

}  // namespace medtrail::node
