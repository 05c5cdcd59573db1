#include "medtrail/consensus/rocksdb_log_storage.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "conf_replay.h"
#include "medtrail/consensus/codec.h"
#include "state_codec.h"

namespace medtrail::consensus {
namespace {

constexpr char kHardStateKey[] = "hard_state";
constexpr char kSnapshotMetaKey[] = "snapshot_meta";
constexpr char kSnapshotDataKey[] = "snapshot_data";
constexpr char kFirstIndexKey[] = "first_index";

// A conflicting suffix at most this long is removed key by key; a longer one with one range
// tombstone (many range tombstones would slow every read of the column family).
constexpr Index kMaxPointDeletes = 64;

// Big-endian, so RocksDB's bytewise order is index order.
std::string log_key(Index index) {
  std::string key(8, '\0');
  for (int i = 0; i < 8; ++i) key[i] = static_cast<char>((index >> (8 * (7 - i))) & 0xFF);
  return key;
}

std::optional<Index> parse_log_key(const rocksdb::Slice& key) {
  if (key.size() != 8) return std::nullopt;
  Index index = 0;
  for (size_t i = 0; i < 8; ++i) index = (index << 8) | static_cast<uint8_t>(key[i]);
  return index;
}

Status io_error(const char* what, const rocksdb::Status& s) {
  return Status::error("io_error", std::string(what) + ": " + s.ToString());
}

Status missing_entry(Index index) {
  return Status::error("corruption", "log entry " + std::to_string(index) + " is missing");
}

Result<Entry> decode_stored(const rocksdb::Slice& value, Index index) {
  Result<Entry> entry = decode_entry(std::string_view(value.data(), value.size()));
  if (!entry.ok()) {
    return Status::error("corruption",
                         "log entry " + std::to_string(index) + ": " + entry.status().message());
  }
  if (entry->index != index) {
    return Status::error("corruption", "entry stored at " + std::to_string(index) +
                                           " claims index " + std::to_string(entry->index));
  }
  return entry;
}

}  // namespace

RocksDbLogStorage::RocksDbLogStorage(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log_cf,
                                     rocksdb::ColumnFamilyHandle* state_cf)
    : db_(db), log_cf_(log_cf), state_cf_(state_cf) {}

Result<std::unique_ptr<RocksDbLogStorage>> RocksDbLogStorage::open(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log_cf, rocksdb::ColumnFamilyHandle* state_cf) {
  std::unique_ptr<RocksDbLogStorage> storage(new RocksDbLogStorage(db, log_cf, state_cf));
  if (Status s = storage->load(); !s.ok()) return s;
  return storage;
}

Status RocksDbLogStorage::load() {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), state_cf_, kHardStateKey, &value);
  if (s.ok()) {
    Result<HardState> hs = decode_hard_state(value);
    if (!hs.ok()) return hs.status();
    hard_state_ = *hs;
  } else if (!s.IsNotFound()) {
    return io_error("reading the hard state", s);
  }
  s = db_->Get(rocksdb::ReadOptions(), state_cf_, kSnapshotMetaKey, &value);
  if (s.ok()) {
    Result<SnapshotMeta> meta = decode_snapshot_meta(value);
    if (!meta.ok()) return meta.status();
    snapshot_meta_ = *meta;
  } else if (!s.IsNotFound()) {
    return io_error("reading the snapshot metadata", s);
  }
  // first_index is written in the same batch as the snapshot metadata: a disagreement means
  // the state column family was damaged or edited.
  s = db_->Get(rocksdb::ReadOptions(), state_cf_, kFirstIndexKey, &value);
  if (s.ok()) {
    Result<Index> first = decode_index(value);
    if (!first.ok()) return first.status();
    if (*first != first_index()) {
      return Status::error("corruption", "first_index disagrees with the snapshot metadata");
    }
  } else if (!s.IsNotFound()) {
    return io_error("reading first_index", s);
  }

  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_cf_));
  last_index_ = snapshot_meta_.index;
  it->SeekToFirst();
  if (it->Valid()) {
    std::optional<Index> first_key = parse_log_key(it->key());
    if (first_key != first_index()) {
      return Status::error("corruption", "the stored log does not start at first_index");
    }
    it->SeekToLast();
    std::optional<Index> last_key = it->Valid() ? parse_log_key(it->key()) : std::nullopt;
    if (!last_key) return Status::error("corruption", "unreadable log key");
    last_index_ = *last_key;
  }
  if (!it->status().ok()) return io_error("scanning the log", it->status());
  return {};
}

Status RocksDbLogStorage::set_initial_conf(const ConfState& conf) {
  if (snapshot_meta_.index != 0) {
    return Status::error("invalid", "the initial configuration precedes any snapshot");
  }
  SnapshotMeta meta = snapshot_meta_;
  meta.conf = conf;
  rocksdb::WriteBatch batch;
  batch.Put(state_cf_, kSnapshotMetaKey, encode_snapshot_meta(meta));
  if (Status s = write(batch); !s.ok()) return s;
  snapshot_meta_ = meta;
  return {};
}

Result<InitialState> RocksDbLogStorage::initial_state() const {
  Index through = std::min(hard_state_.commit, last_index_);
  Result<ConfState> conf = replay_conf_changes(*this, snapshot_meta_.conf, snapshot_meta_.index,
                                               through);
  if (!conf.ok()) return conf.status();
  return InitialState{hard_state_, std::move(conf).value()};
}

Result<std::vector<Entry>> RocksDbLogStorage::entries(Index lo, Index hi,
                                                      uint64_t max_bytes) const {
  if (lo < first_index()) return Status::error("compacted", "entries below first index");
  if (hi > last_index_ + 1) return Status::error("unavailable", "entries past last index");
  std::vector<Entry> out;
  if (lo >= hi) return out;
  std::string upper = log_key(hi);
  rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, log_cf_));
  uint64_t bytes = 0;
  Index next = lo;
  for (it->Seek(log_key(lo)); it->Valid() && next < hi; it->Next(), ++next) {
    if (parse_log_key(it->key()) != next) return missing_entry(next);
    Result<Entry> entry = decode_stored(it->value(), next);
    if (!entry.ok()) return entry.status();
    bytes += entry->data.size();
    if (!out.empty() && bytes > max_bytes) return out;
    out.push_back(std::move(entry).value());
  }
  if (!it->status().ok()) return io_error("reading entries", it->status());
  if (next < hi) return missing_entry(next);
  return out;
}

Result<Term> RocksDbLogStorage::term(Index index) const {
  if (index == snapshot_meta_.index) return snapshot_meta_.term;
  if (index < snapshot_meta_.index) return Status::error("compacted", "term below first index");
  if (index > last_index_) return Status::error("unavailable", "term past last index");
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), log_cf_, log_key(index), &value);
  if (s.IsNotFound()) return missing_entry(index);
  if (!s.ok()) return io_error("reading an entry", s);
  Result<Entry> entry = decode_stored(value, index);
  if (!entry.ok()) return entry.status();
  return entry->term;
}

Result<Snapshot> RocksDbLogStorage::snapshot() const {
  Snapshot snap;
  snap.meta = snapshot_meta_;
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), state_cf_, kSnapshotDataKey, &value);
  if (s.IsNotFound()) return snap;  // no snapshot yet: empty data
  if (!s.ok()) return io_error("reading the snapshot data", s);
  Result<std::string> data = unseal_blob(value);
  if (!data.ok()) return data.status();
  snap.data = std::move(data).value();
  return snap;
}

Status RocksDbLogStorage::append(const std::vector<Entry>& entries) {
  if (entries.empty()) return {};
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].index != entries[0].index + i) {
      return Status::error("invalid", "appended entries are not contiguous");
    }
  }
  if (entries[0].index > last_index_ + 1) {
    return Status::error("invalid", "append would leave a gap after the last index");
  }
  // Entries below first_index are committed and already in the snapshot: skip them.
  size_t skip = entries[0].index < first_index()
                    ? std::min<size_t>(first_index() - entries[0].index, entries.size())
                    : 0;
  if (skip == entries.size()) return {};
  Index new_last = entries.back().index;
  rocksdb::WriteBatch batch;
  // A conflicting suffix beyond the new last entry must go; the rest is overwritten by Put.
  if (last_index_ > new_last) {
    if (last_index_ - new_last <= kMaxPointDeletes) {
      for (Index i = new_last + 1; i <= last_index_; ++i) batch.Delete(log_cf_, log_key(i));
    } else {
      batch.DeleteRange(log_cf_, log_key(new_last + 1), log_key(last_index_ + 1));
    }
  }
  for (size_t i = skip; i < entries.size(); ++i) {
    batch.Put(log_cf_, log_key(entries[i].index), encode_entry(entries[i]));
  }
  if (Status s = write(batch); !s.ok()) return s;
  last_index_ = new_last;
  return {};
}

Status RocksDbLogStorage::set_hard_state(const HardState& state) {
  rocksdb::WriteBatch batch;
  batch.Put(state_cf_, kHardStateKey, encode_hard_state(state));
  if (Status s = write(batch); !s.ok()) return s;
  hard_state_ = state;
  return {};
}

void RocksDbLogStorage::stage_snapshot(rocksdb::WriteBatch& batch, const SnapshotMeta& meta,
                                       std::string data, Index through) const {
  batch.Put(state_cf_, kSnapshotMetaKey, encode_snapshot_meta(meta));
  batch.Put(state_cf_, kSnapshotDataKey, seal_blob(std::move(data)));
  batch.Put(state_cf_, kFirstIndexKey, encode_index(meta.index + 1));
  if (through >= first_index()) {
    batch.DeleteRange(log_cf_, log_key(first_index()), log_key(through + 1));
  }
}

Status RocksDbLogStorage::apply_snapshot(const Snapshot& snapshot) {
  if (snapshot.meta.index <= snapshot_meta_.index) {
    return Status::error("compacted", "snapshot is older than the one held");
  }
  rocksdb::WriteBatch batch;
  stage_snapshot(batch, snapshot.meta, snapshot.data, last_index_);
  if (Status s = write(batch); !s.ok()) return s;
  snapshot_meta_ = snapshot.meta;
  last_index_ = snapshot.meta.index;
  return {};
}

Status RocksDbLogStorage::create_snapshot(Index index, const ConfState& conf, std::string data) {
  if (index <= snapshot_meta_.index) {
    return Status::error("compacted", "snapshot is older than the one held");
  }
  if (index > last_index_) return Status::error("unavailable", "snapshot past last index");
  Result<Term> term_at = term(index);
  if (!term_at.ok()) return term_at.status();
  SnapshotMeta meta{index, *term_at, conf};
  rocksdb::WriteBatch batch;
  stage_snapshot(batch, meta, std::move(data), index);
  if (Status s = write(batch); !s.ok()) return s;
  snapshot_meta_ = meta;
  return {};
}

Status RocksDbLogStorage::compact(Index through) {
  // create_snapshot already dropped everything up to the snapshot; going further would lose
  // entries that no snapshot covers.
  if (through > snapshot_meta_.index) {
    return Status::error("invalid", "cannot compact past the latest snapshot");
  }
  return {};
}

Status RocksDbLogStorage::sync() {
  // Syncs the WAL, which holds every batch written so far (flushing it first if the DB was
  // opened with manual_wal_flush).
  rocksdb::Status s = db_->FlushWAL(/*sync=*/true);
  if (!s.ok()) return io_error("syncing the WAL", s);
  return {};
}

Status RocksDbLogStorage::write(rocksdb::WriteBatch& batch) {
  rocksdb::WriteOptions options;
  options.sync = false;  // durability comes from sync(), once per Ready
  rocksdb::Status s = db_->Write(options, &batch);
  if (!s.ok()) return io_error("writing raft storage", s);
  return {};
}

}  // namespace medtrail::consensus
