#pragma once
// State map nodes in a RocksDB column family, under the keys of state_map.h. A version's nodes
// and stale entries go into the caller's WriteBatch, so they land with the block that made
// them or not at all; pruning likewise adds its deletions to a batch. Both read the database,
// not the batch: one prune per batch, and a batch that an error left half filled is discarded,
// never written.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "medtrail/ledger/state_map.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace medtrail::ledger {

class StateMapRocksDbNodes : public StateMapNodeSource {
 public:
  // `db` and `family` must outlive this.
  StateMapRocksDbNodes(rocksdb::DB& db, rocksdb::ColumnFamilyHandle& family)
      : db_(db), family_(family) {}

  // Errors: `io_error`, `corruption` (RocksDB's own).
  Result<std::optional<Bytes>> read_node(ByteView key) const override;
  // Reads under a RocksDB snapshot, released with the view.
  std::unique_ptr<const StateMapNodeSource> pinned() const override;

  // Puts the version's nodes and stale entries into `batch`.
  Status add(const StateMapWrite& write, rocksdb::WriteBatch& batch) const;

  // Adds to `batch` the deletion of the nodes no version from `keep_from` on reads, taking at
  // most `limit` stale entries (a block's batch stays bounded: `limit` node deletions and one
  // range deletion of the entries; what is left waits for the next call). A stale entry that
  // names no node, or names one its version could not have replaced, is deleted alone.
  // Returns the number of stale entries taken.
  Result<size_t> prune(uint64_t keep_from, size_t limit, rocksdb::WriteBatch& batch) const;

 private:
  rocksdb::DB& db_;
  rocksdb::ColumnFamilyHandle& family_;
};

}  // namespace medtrail::ledger
