#pragma once
// A minimal in-memory LogStorage for the Raft unit tests (independent of MemoryLogStorage).
// entries_[0] is a dummy standing for the snapshot: its index and term are the snapshot's.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "medtrail/consensus/log_storage.h"

namespace medtrail::consensus::raft_test {

class TestStorage final : public LogStorage {
 public:
  explicit TestStorage(ConfState conf = {}) : entries_(1) { snapshot_.meta.conf = conf; }

  Result<InitialState> initial_state() const override { return InitialState{hard_, conf()}; }
  Result<std::vector<Entry>> entries(Index lo, Index hi, uint64_t max_bytes) const override {
    if (lo <= offset()) return Status::error("compacted", "compacted");
    if (hi > last_index() + 1) return Status::error("unavailable", "unavailable");
    std::vector<Entry> out;
    uint64_t bytes = 0;
    for (Index i = lo; i < hi; ++i) {
      const Entry& e = entries_[i - offset()];
      if (!out.empty() && bytes + e.data.size() > max_bytes) break;
      bytes += e.data.size();
      out.push_back(e);
    }
    return out;
  }
  Result<Term> term(Index index) const override {
    if (index < offset()) return Status::error("compacted", "compacted");
    if (index > last_index()) return Status::error("unavailable", "unavailable");
    return entries_[index - offset()].term;
  }
  Index first_index() const override { return offset() + 1; }
  Index last_index() const override { return offset() + entries_.size() - 1; }
  Result<Snapshot> snapshot() const override { return snapshot_; }

  Status append(const std::vector<Entry>& entries) override {
    if (entries.empty()) return Status();
    Index from = entries.front().index;
    if (from <= offset() || from > last_index() + 1) return Status::error("invalid", "gap");
    entries_.resize(from - offset());
    entries_.insert(entries_.end(), entries.begin(), entries.end());
    return Status();
  }
  Status set_hard_state(const HardState& state) override {
    hard_ = state;
    return Status();
  }
  Status apply_snapshot(const Snapshot& snapshot) override {
    snapshot_ = snapshot;
    entries_.assign(1, Entry{snapshot.meta.term, snapshot.meta.index, EntryType::kNormal, ""});
    return Status();
  }
  Status create_snapshot(Index index, const ConfState& conf, std::string data) override {
    if (index <= offset() || index > last_index()) return Status::error("invalid", "range");
    snapshot_.meta = SnapshotMeta{index, entries_[index - offset()].term, conf};
    snapshot_.data = std::move(data);
    return compact(index);
  }
  Status compact(Index through) override {
    if (through <= offset() || through > last_index()) return Status::error("invalid", "range");
    entries_.erase(entries_.begin(), entries_.begin() + (through - offset()));
    return Status();
  }
  Status sync() override { return Status(); }

  const HardState& hard_state() const { return hard_; }
  // Conf as the restarted node should see it: the snapshot's (tests set it explicitly).
  ConfState conf() const { return conf_override_ ? *conf_override_ : snapshot_.meta.conf; }
  void set_conf(ConfState conf) { conf_override_ = std::move(conf); }

 private:
  Index offset() const { return entries_[0].index; }

  std::vector<Entry> entries_;
  HardState hard_;
  Snapshot snapshot_;
  std::optional<ConfState> conf_override_;
};

}  // namespace medtrail::consensus::raft_test
