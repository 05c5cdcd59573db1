#pragma once
// LogStorage in two column families of a RocksDB instance the caller owns (the node shares one
// DB, and so one WAL fsync, with the ledger):
//   raft_log    big-endian u64 index -> encode_entry(entry)  (CRC-32C sealed)
//   raft_state  "hard_state", "snapshot_meta", "snapshot_data", "first_index" (each sealed)
// Every write is one atomic WriteBatch without fsync; sync() makes them all durable at once.
// first/last index, the hard state and the snapshot metadata are cached in memory.
// Not thread-safe: the node's Raft driver is its only user.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "medtrail/consensus/log_storage.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace medtrail::consensus {

class RocksDbLogStorage : public LogStorage {
 public:
  // Loads the cached state; `db` and the handles must outlive the storage. Errors:
  // `corruption` (a damaged state record, or a log inconsistent with it), `io_error`.
  static Result<std::unique_ptr<RocksDbLogStorage>> open(rocksdb::DB* db,
                                                         rocksdb::ColumnFamilyHandle* log_cf,
                                                         rocksdb::ColumnFamilyHandle* state_cf);

  // The bootstrap configuration, as the ConfState of the empty initial snapshot. Only before
  // any snapshot exists (`invalid` otherwise).
  Status set_initial_conf(const ConfState& conf);

  Result<InitialState> initial_state() const override;
  Result<std::vector<Entry>> entries(Index lo, Index hi, uint64_t max_bytes) const override;
  Result<Term> term(Index index) const override;
  Index first_index() const override { return snapshot_meta_.index + 1; }
  Index last_index() const override { return last_index_; }
  Result<Snapshot> snapshot() const override;

  Status append(const std::vector<Entry>& entries) override;
  Status set_hard_state(const HardState& state) override;
  Status apply_snapshot(const Snapshot& snapshot) override;
  Status create_snapshot(Index index, const ConfState& conf, std::string data) override;
  Status compact(Index through) override;
  Status sync() override;

 private:
  RocksDbLogStorage(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log_cf,
                    rocksdb::ColumnFamilyHandle* state_cf);
  Status load();
  Status write(rocksdb::WriteBatch& batch);
  // Adds to `batch` the writes that make `meta` (and `data`) the latest snapshot and drop the
  // log entries in [first_index(), through].
  void stage_snapshot(rocksdb::WriteBatch& batch, const SnapshotMeta& meta, std::string data,
                      Index through) const;

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* log_cf_;
  rocksdb::ColumnFamilyHandle* state_cf_;
  // Mirrors of what is stored; updated only after the WriteBatch holding the change succeeds.
  HardState hard_state_;
  SnapshotMeta snapshot_meta_;  // first_index() is snapshot_meta_.index + 1
  Index last_index_ = 0;
};

}  // namespace medtrail::consensus
