#include "medtrail/ledger/state_map_rocksdb.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <string>

#include "rocks_status.h"

namespace medtrail::ledger {
namespace {

Result<std::optional<Bytes>> read_from(rocksdb::DB& db, rocksdb::ColumnFamilyHandle& family,
                                       const rocksdb::ReadOptions& options, ByteView key) {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db.Get(options, &family, slice(key), &value);
  if (s.IsNotFound()) return std::optional<Bytes>();
  MEDTRAIL_RETURN_IF_ERROR(from_rocks(s, "reading a state map node"));
  return std::optional<Bytes>(Bytes(value.data(), value.data() + value.size()));
}

class PinnedRocksDbNodes : public StateMapNodeSource {
 public:
  PinnedRocksDbNodes(rocksdb::DB& db, rocksdb::ColumnFamilyHandle& family)
      : db_(db), family_(family) {
    // nullptr (no snapshot) only for memtables updated in place, which the chain store does
    // not use; the reads are then of the database as it is.
    read_.snapshot = db_.GetSnapshot();
  }
  ~PinnedRocksDbNodes() override {
    if (read_.snapshot != nullptr) db_.ReleaseSnapshot(read_.snapshot);
  }
  PinnedRocksDbNodes(const PinnedRocksDbNodes&) = delete;
  PinnedRocksDbNodes& operator=(const PinnedRocksDbNodes&) = delete;

  Result<std::optional<Bytes>> read_node(ByteView key) const override {
    return read_from(db_, family_, read_, key);
  }

 private:
  rocksdb::DB& db_;
  rocksdb::ColumnFamilyHandle& family_;
  rocksdb::ReadOptions read_;
};

}  // namespace

Result<std::optional<Bytes>> StateMapRocksDbNodes::read_node(ByteView key) const {
  return read_from(db_, family_, rocksdb::ReadOptions(), key);
}

std::unique_ptr<const StateMapNodeSource> StateMapRocksDbNodes::pinned() const {
  return std::make_unique<PinnedRocksDbNodes>(db_, family_);
}

Status StateMapRocksDbNodes::add(const StateMapWrite& write, rocksdb::WriteBatch& batch) const {
  for (const auto& [key, node] : write.nodes) {
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(batch.Put(&family_, slice(key), slice(node)),
                                        "adding a state map node to a batch"));
  }
  for (const Bytes& key : write.stale) {
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(batch.Put(&family_, slice(key), rocksdb::Slice()),
                                        "adding a stale entry to a batch"));
  }
  return Status::ok_status();
}

Result<size_t> StateMapRocksDbNodes::prune(uint64_t keep_from, size_t limit,
                                           rocksdb::WriteBatch& batch) const {
  // Stale entries sort by the version that replaced their node: those up to keep_from are
  // 'S' || be64(0 .. keep_from), below 'S' || be64(keep_from + 1) (or past every 'S' key).
  Bytes first{kStateMapStaleTag};
  Bytes end{kStateMapStaleTag};
  if (keep_from == UINT64_MAX) {
    end = Bytes{static_cast<uint8_t>(kStateMapStaleTag + 1)};
  } else {
    append_be64(end, keep_from + 1);
  }
  const rocksdb::Slice upper = slice(end);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(read, &family_));
  size_t taken = 0;
  std::string first_taken, last_taken;
  for (it->Seek(slice(first)); it->Valid() && taken < limit; it->Next()) {
    const rocksdb::Slice key = it->key();
    const ByteView stale_key(reinterpret_cast<const uint8_t*>(key.data()), key.size());
    auto stale = decode_stale_state_key(stale_key);
    if (stale.ok()) {
      MEDTRAIL_RETURN_IF_ERROR(from_rocks(batch.Delete(&family_, slice(stale->node_key)),
                                          "adding a node's deletion to a batch"));
    }
    if (taken == 0) first_taken = key.ToString();
    last_taken = key.ToString();
    ++taken;
  }
  MEDTRAIL_RETURN_IF_ERROR(from_rocks(it->status(), "reading the state map's stale index"));
  if (taken > 0) {
    // One range tombstone for the entries taken, not one per entry: the next call seeks from
    // the start of the index again and would otherwise step over every tombstone left so far.
    last_taken.push_back('\0');
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(batch.DeleteRange(&family_, first_taken, last_taken),
                                        "adding the stale entries' deletion to a batch"));
  }
  return taken;
}

}  // namespace medtrail::ledger
