#pragma once
// glibc's malloc gives a thread that allocates while others do an arena of its own, up to eight
// per core (sixteen on a 2-core machine), and memory freed into one arena is not reused by
// another. The node's threads (HTTP, verification, Raft, apply, RocksDB's) free what other
// threads allocated. With one arena per core, glibc kept 15-50% less freed memory after a
// ten-minute run, at the same throughput, and in one run near the machine's limit the
// CPU per record stopped growing (docs/benchmarks.md, "The allocator's arenas"). So the node
// caps them at start, before any thread, unless MALLOC_ARENA_MAX in its environment says
// otherwise.
#include <cstdlib>

namespace medtrail::node {

struct MallocArenas {
  int cap = 0;                    // in force; 0 when glibc's default holds
  bool from_environment = false;  // MALLOC_ARENA_MAX set: glibc read it, the node left it alone
};

// One per core, and at least two.
int default_malloc_arenas();

// Caps glibc's arenas at `cap` unless MALLOC_ARENA_MAX is set. Call before any thread starts:
// arenas made earlier stay.
MallocArenas cap_malloc_arenas(int cap = default_malloc_arenas());

}  // namespace medtrail::node
