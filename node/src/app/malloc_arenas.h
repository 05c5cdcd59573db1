#pragma once
// glibc's malloc gives a thread that allocates while others do an arena of its own, up to eight
// per core (sixteen on a 2-core machine), and memory freed into one arena is not reused by
// another. The node's threads (HTTP, verification, Raft, apply, RocksDB's) free what other
// threads allocated. With one arena per core, glibc kept 14-36% less freed memory at the end
// of a ten-minute run, at the same throughput (docs/benchmarks.md, "The allocator's arenas").
// So the node caps them at start, before any thread, unless MALLOC_ARENA_MAX in its
// environment says otherwise.
#include <string>

namespace medtrail::node {

struct MallocArenas {
  int cap = 0;              // set by the node; 0 when it set none
  std::string environment;  // "MALLOC_ARENA_MAX" or "GLIBC_TUNABLES" when that set them instead
};

// One per core this process may run on, and at least two.
int default_malloc_arenas();

// Caps glibc's arenas at `cap` unless MALLOC_ARENA_MAX or GLIBC_TUNABLES' glibc.malloc.arena_max
// is set. Call before any thread starts: arenas made earlier stay.
MallocArenas cap_malloc_arenas(int cap = default_malloc_arenas());

}  // namespace medtrail::node
