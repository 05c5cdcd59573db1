#pragma once
// LogStorage in memory, for tests and the cluster simulator. It models a disk: every write is
// visible to reads at once but only survives crash() once sync() has run, so a test can check
// that the driver syncs before it sends (Ready step 1). Entries are held in their stored
// encoding (encode_entry, with its CRC-32C) so corrupt_entry() is caught the way real damage is.
// Thread-compatible: the simulator drives it from one thread.

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "medtrail/consensus/log_storage.h"

namespace medtrail::consensus {

class MemoryLogStorage : public LogStorage {
 public:
  MemoryLogStorage() = default;

  // The bootstrap configuration, kept as the ConfState of the empty initial snapshot (as etcd's
  // storage does). Durable at once: it models files written before the node first starts.
  void set_initial_conf(const ConfState& conf);

  Result<InitialState> initial_state() const override;
  Result<std::vector<Entry>> entries(Index lo, Index hi, uint64_t max_bytes) const override;
  Result<Term> term(Index index) const override;
  Index first_index() const override;
  Index last_index() const override;
  Result<Snapshot> snapshot() const override;

  Status append(const std::vector<Entry>& entries) override;
  Status set_hard_state(const HardState& state) override;
  Status apply_snapshot(const Snapshot& snapshot) override;
  Status create_snapshot(Index index, const ConfState& conf, std::string data) override;
  Status compact(Index through) override;
  Status sync() override;

  // --- fault injection ---
  // Power loss: every write since the last sync() is lost.
  void crash();
  // Flips one byte of the stored entry at `index` (in both the live and the durable copy), so
  // reading it yields `corruption`. Errors: `compacted`, `unavailable`.
  Status corrupt_entry(Index index);
  bool has_unsynced_writes() const;

 private:
  struct View {
    HardState hard_state;
    Snapshot snapshot;
    std::deque<std::string> log;  // log[i] is encode_entry of index snapshot.meta.index + 1 + i
  };

  Result<Entry> read_entry(Index index) const;

  View live_;     // what reads see
  View durable_;  // what crash() restores

  // What live_ changed since the last sync, so sync() copies only that and not the whole log.
  bool hard_state_dirty_ = false;
  bool snapshot_dirty_ = false;
  bool log_replaced_ = false;          // apply_snapshot: the durable log is replaced wholesale
  Index log_dirty_from_ = UINT64_MAX;  // live entries at or above this may differ from durable_
};

}  // namespace medtrail::consensus
