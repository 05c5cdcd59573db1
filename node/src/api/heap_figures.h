#pragma once
// What the process's heap holds, read from the allocator at scrape time. Beside RocksDB's own
// figures (rocksdb_figures.h) it tells an operator whether resident memory that keeps growing
// is memory in use or memory the allocator keeps after it was freed (docs/benchmarks.md,
// "Compaction in a sustained run").
#include <cstdint>

namespace medtrail::node::api {

struct HeapFigures {
  uint64_t in_use_bytes = 0;  // allocated and not yet freed, including large mapped blocks
  uint64_t free_bytes = 0;    // freed, and still held by the allocator's arenas
};

// glibc's mallinfo2: walks every arena under its lock, so for scrapes, not hot paths.
HeapFigures read_heap_figures();

}  // namespace medtrail::node::api
