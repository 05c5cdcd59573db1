#pragma once
// What the node's RocksDB holds and has written, read from its properties at scrape time: the
// figures an operator needs to see write amplification and memory over a long run
// (docs/benchmarks.md, "A sustained run").
#include <cstdint>

#include "medtrail/ledger/chain_store.h"

namespace medtrail::node::api {

struct RocksdbFigures {
  // Bytes since the database was opened. `user` is what the node's write batches carried;
  // `wal` is the log records' contents (without their few bytes of framing) and `tables` the
  // table files flushes and compactions wrote (every column family), so (wal + tables) / user
  // is the write amplification.
  uint64_t user_bytes_written = 0;
  uint64_t wal_bytes_written = 0;
  uint64_t table_bytes_written = 0;
  uint64_t disk_bytes = 0;          // table files of every column family plus the live WAL
  uint64_t memtable_bytes = 0;      // every column family's memtables, active and immutable
  uint64_t table_reader_bytes = 0;  // open table files' reader objects (index and filter
                                    // blocks live in the block cache: chain_store.cpp)
  uint64_t block_cache_bytes = 0;   // the cache the column families share
  // Whether compactions keep up (they run at nice 19: app/compaction_priority.h). RocksDB
  // delays every write of the database once a family holds 20 level-0 files, and stops them
  // at 36.
  uint64_t level0_files = 0;  // the most any column family holds
  bool writes_delayed = false;
  bool writes_stopped = false;
};

// Zeros for a store without a database; a property RocksDB does not answer reads as 0.
RocksdbFigures read_rocksdb_figures(const ledger::ChainStore& store);

}  // namespace medtrail::node::api
