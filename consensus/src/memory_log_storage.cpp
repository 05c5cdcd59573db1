#include "medtrail/consensus/memory_log_storage.h"

#include <algorithm>

#include "conf_replay.h"
#include "medtrail/consensus/codec.h"

namespace medtrail::consensus {

void MemoryLogStorage::set_initial_conf(const ConfState& conf) {
  live_.snapshot.meta.conf = conf;
  durable_.snapshot.meta.conf = conf;
}

Result<InitialState> MemoryLogStorage::initial_state() const {
  const SnapshotMeta& meta = live_.snapshot.meta;
  Index through = std::min(live_.hard_state.commit, last_index());
  Result<ConfState> conf = replay_conf_changes(*this, meta.conf, meta.index, through);
  if (!conf.ok()) return conf.status();
  return InitialState{live_.hard_state, std::move(conf).value()};
}

Index MemoryLogStorage::first_index() const { return live_.snapshot.meta.index + 1; }

Index MemoryLogStorage::last_index() const { return live_.snapshot.meta.index + live_.log.size(); }

Result<Entry> MemoryLogStorage::read_entry(Index index) const {
  Result<Entry> entry = decode_entry(live_.log[index - first_index()]);
  if (entry.ok() && entry->index != index) {
    return Status::error("corruption", "entry stored at " + std::to_string(index) +
                                           " claims index " + std::to_string(entry->index));
  }
  return entry;
}

Result<std::vector<Entry>> MemoryLogStorage::entries(Index lo, Index hi,
                                                     uint64_t max_bytes) const {
  if (lo < first_index()) return Status::error("compacted", "entries below first index");
  if (hi > last_index() + 1) return Status::error("unavailable", "entries past last index");
  std::vector<Entry> out;
  uint64_t bytes = 0;
  for (Index i = lo; i < hi; ++i) {
    Result<Entry> entry = read_entry(i);
    if (!entry.ok()) return entry.status();
    bytes += entry->data.size();
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(std::move(entry).value());
  }
  return out;
}

Result<Term> MemoryLogStorage::term(Index index) const {
  const SnapshotMeta& meta = live_.snapshot.meta;
  if (index == meta.index) return meta.term;
  if (index < meta.index) return Status::error("compacted", "term below first index");
  if (index > last_index()) return Status::error("unavailable", "term past last index");
  Result<Entry> entry = read_entry(index);
  if (!entry.ok()) return entry.status();
  return entry->term;
}

Result<Snapshot> MemoryLogStorage::snapshot() const { return live_.snapshot; }

Status MemoryLogStorage::append(const std::vector<Entry>& entries) {
  if (entries.empty()) return {};
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].index != entries[0].index + i) {
      return Status::error("invalid", "appended entries are not contiguous");
    }
  }
  if (entries[0].index > last_index() + 1) {
    return Status::error("invalid", "append would leave a gap after the last index");
  }
  // Entries below first_index are committed and already in the snapshot: skip them.
  size_t skip = entries[0].index < first_index()
                    ? std::min<size_t>(first_index() - entries[0].index, entries.size())
                    : 0;
  if (skip == entries.size()) return {};
  Index start = entries[skip].index;
  live_.log.resize(start - first_index());  // drops the conflicting suffix, if any
  for (size_t i = skip; i < entries.size(); ++i) live_.log.push_back(encode_entry(entries[i]));
  log_dirty_from_ = std::min(log_dirty_from_, start);
  return {};
}

Status MemoryLogStorage::set_hard_state(const HardState& state) {
  live_.hard_state = state;
  hard_state_dirty_ = true;
  return {};
}

Status MemoryLogStorage::apply_snapshot(const Snapshot& snapshot) {
  if (snapshot.meta.index <= live_.snapshot.meta.index) {
    return Status::error("compacted", "snapshot is older than the one held");
  }
  live_.snapshot = snapshot;
  live_.log.clear();
  snapshot_dirty_ = true;
  log_replaced_ = true;
  return {};
}

Status MemoryLogStorage::create_snapshot(Index index, const ConfState& conf, std::string data) {
  if (index <= live_.snapshot.meta.index) {
    return Status::error("compacted", "snapshot is older than the one held");
  }
  if (index > last_index()) return Status::error("unavailable", "snapshot past last index");
  Result<Term> term_at = term(index);
  if (!term_at.ok()) return term_at.status();
  Index first = first_index();
  live_.snapshot = Snapshot{SnapshotMeta{index, *term_at, conf}, std::move(data)};
  live_.log.erase(live_.log.begin(), live_.log.begin() + static_cast<ptrdiff_t>(index - first + 1));
  snapshot_dirty_ = true;
  return {};
}

Status MemoryLogStorage::compact(Index through) {
  // create_snapshot already dropped everything up to the snapshot; going further would lose
  // entries that no snapshot covers.
  if (through > live_.snapshot.meta.index) {
    return Status::error("invalid", "cannot compact past the latest snapshot");
  }
  return {};
}

Status MemoryLogStorage::sync() {
  // The log first: its alignment depends on the durable snapshot index before this sync.
  Index live_first = first_index();
  Index durable_first = durable_.snapshot.meta.index + 1;
  if (log_replaced_ || live_first < durable_first) {
    durable_.log = live_.log;
  } else {
    size_t drop = std::min<size_t>(live_first - durable_first, durable_.log.size());
    durable_.log.erase(durable_.log.begin(), durable_.log.begin() + static_cast<ptrdiff_t>(drop));
    // Live entries below log_dirty_from_ are unchanged since the last sync, hence durable.
    Index unchanged_end = std::max(log_dirty_from_, live_first);
    size_t keep = std::min<size_t>({unchanged_end - live_first, durable_.log.size(),
                                    live_.log.size()});
    durable_.log.resize(keep);
    durable_.log.insert(durable_.log.end(), live_.log.begin() + static_cast<ptrdiff_t>(keep),
                        live_.log.end());
  }
  if (snapshot_dirty_) durable_.snapshot = live_.snapshot;
  if (hard_state_dirty_) durable_.hard_state = live_.hard_state;
  hard_state_dirty_ = snapshot_dirty_ = log_replaced_ = false;
  log_dirty_from_ = UINT64_MAX;
  return {};
}

void MemoryLogStorage::crash() {
  live_ = durable_;
  hard_state_dirty_ = snapshot_dirty_ = log_replaced_ = false;
  log_dirty_from_ = UINT64_MAX;
}

bool MemoryLogStorage::has_unsynced_writes() const {
  return hard_state_dirty_ || snapshot_dirty_ || log_replaced_ || log_dirty_from_ != UINT64_MAX;
}

Status MemoryLogStorage::corrupt_entry(Index index) {
  auto flip = [index](View& view) {
    Index first = view.snapshot.meta.index + 1;
    if (index < first || index - first >= view.log.size()) return false;
    std::string& bytes = view.log[index - first];
    bytes[bytes.size() / 2] ^= 0x20;
    return true;
  };
  bool live = flip(live_);
  bool durable = flip(durable_);
  if (live || durable) return {};
  if (index < first_index()) return Status::error("compacted", "entry below first index");
  return Status::error("unavailable", "entry past last index");
}

}  // namespace medtrail::consensus
