#pragma once
// Stable storage behind the Raft core. The core only reads it; the driver writes it while
// handling a Ready (then calls advance). Two implementations: MemoryLogStorage (tests and the
// simulator; can lose unsynced writes on a simulated crash) and RocksDbLogStorage (column
// families `raft_log` and `raft_state` in a DB the caller owns, so the node shares one
// RocksDB instance and one fsync with the ledger).
//
// Index space: entries (snapshot.index, last_index()] are held; first_index() is
// snapshot.index + 1. term(snapshot.index) is answered from the snapshot metadata.
// Error codes: `compacted` (index below first_index), `unavailable` (above last_index),
// `corruption` (a stored entry fails its checksum or cannot be decoded), `io_error`.

#include <cstdint>
#include <vector>

#include "medtrail/consensus/status.h"
#include "medtrail/consensus/types.h"

namespace medtrail::consensus {

struct InitialState {
  HardState hard_state;
  ConfState conf_state;  // from the latest snapshot plus conf-change entries up to commit
};

class LogStorage {
 public:
  virtual ~LogStorage() = default;

  // --- read by the core ---
  virtual Result<InitialState> initial_state() const = 0;
  // Entries [lo, hi), stopping early once `max_bytes` of data are gathered (at least one
  // entry is always returned when lo < hi).
  virtual Result<std::vector<Entry>> entries(Index lo, Index hi, uint64_t max_bytes) const = 0;
  virtual Result<Term> term(Index index) const = 0;
  virtual Index first_index() const = 0;
  virtual Index last_index() const = 0;
  // The latest snapshot (metadata and data) for sending to a lagging follower.
  virtual Result<Snapshot> snapshot() const = 0;

  // --- written by the driver ---
  // Appends entries; entries[0].index may be ≤ last_index()+1, in which case the stored
  // suffix from there is replaced (a follower's conflicting tail).
  virtual Status append(const std::vector<Entry>& entries) = 0;
  virtual Status set_hard_state(const HardState& state) = 0;
  // Replaces the log with `snapshot`: entries up to snapshot.meta.index are dropped.
  virtual Status apply_snapshot(const Snapshot& snapshot) = 0;
  // The state machine took a snapshot at `index` (≤ applied): record it and drop entries
  // up to it (log compaction).
  virtual Status create_snapshot(Index index, const ConfState& conf, std::string data) = 0;
  virtual Status compact(Index through) = 0;
  // Makes everything written so far durable.
  virtual Status sync() = 0;
};

}  // namespace medtrail::consensus
