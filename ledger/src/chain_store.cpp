#include "medtrail/ledger/chain_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <set>

#include "medtrail/ledger/merkle_log.h"
#include "medtrail/ledger/search_index.h"
#include "medtrail/ledger/state_map_rocksdb.h"
#include "rocks_status.h"
#include "serialization.h"

namespace medtrail::ledger {
namespace {

constexpr const char* kColumnFamilyNames[] = {
    "blocks", "leaves", "merkle", "index", "meta", "state", "raft_log", "raft_state", "state_map"};
static_assert(std::size(kColumnFamilyNames) == std::size(kAllColumnFamilies),
              "a name for every column family");
// The memtable bloom filter of the families looked up by key, as a share of the store's memtable
// budget: 1.3 MiB for each of the two families' memtables under the node's 128 MiB.
constexpr double kMemtableBloomShare = 0.01;
// 2: contract state with its hash in the headers (chain-1 stores carried a zero digest).
// 3: contract state values in the binary encoding of contracts/state_codec.h (chain-2: JSON).
// 4: a vaccine dose's value lists the shipments it travelled in (`legs`).
// 5: checkpoints are signed over their C2SP note text (checkpoint_note.h); payloads ≤ 56 KiB.
// 6: prescriptions and identities carry the fields of the regulations issue 18 added (a
//    supply reason, qualifications and titles, TCM formulas, a delivery's carrier and receipt).
// 7: vaccine lots carry their label's storage range, multi-dose vials and the records of issue 18
//    §3 (storage, disposal, adverse events).
// 8: identities carry a doctor's practice_since, prescriptions the online fields, governance
//    proposals a licence; consultations (visit/) and licences (licence/) are state families.
// 9: a Merkle node's key is its last leaf, then its level (chain-8: level, then index), so
//    nodes are written in key order (merkle_key).
// 10: headers carry the authenticated state map's root (state_map.h, in the state_map family)
//    where they carried the state's LtHash digest.
// 11: state map nodes no longer store their inner hashes (state_map_node.h).
// 12: lots, doses and tableware batches keep their public facts at "pub/<key>" (public_facts.h).
// 13: each index subject keeps its trail head at "ixh/<subject>" (trail_head.h).
// 14: prescriptions keep their public facts at "pub/rx/<id>" too.
constexpr std::string_view kFormat = "medtrail-chain-14";

constexpr const char* kMetaChainId = "chain_id";
constexpr const char* kMetaSuite = "suite";
constexpr const char* kMetaFormat = "format";
constexpr const char* kMetaHead = "head";

// The chain head as persisted in meta; written in the same batch as each block.
struct Head {
  uint64_t height = 0;
  uint64_t tree_size = 0;
  Hash last_block_hash{};
  uint64_t last_timestamp_ms = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(height, tree_size, last_block_hash, last_timestamp_ms);
  }
};

rocksdb::Slice install_marker_slice() {
  return rocksdb::Slice(kInstallMarkerMetaKey.data(), kInstallMarkerMetaKey.size());
}

}  // namespace

struct ChainStore::Impl : public MerkleNodeReader {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // indexed by ColumnFamily
  rocksdb::WriteOptions write_options;
  // Guards `log`: appends swap in a new log while readers take proofs.
  mutable std::mutex mu;
  std::unique_ptr<MerkleLog> log;
  // Whether appends keep the search index, and whom its catch-up tells (ChainStoreOptions).
  bool search_index = false;
  std::function<void(uint64_t, uint64_t)> search_index_progress;
  uint64_t state_map_versions = kStateMapVersionsKept;
  // Over the state_map family; made by the ChainStore, which knows the suite.
  std::unique_ptr<StateMapRocksDbNodes> map_nodes;
  std::unique_ptr<StateMap> map;

  ~Impl() override {
    for (auto* h : handles) {
      if (h != nullptr) db->DestroyColumnFamilyHandle(h);
    }
  }

  rocksdb::ColumnFamilyHandle* cf(ColumnFamily which) const {
    return handles[static_cast<size_t>(which)];
  }

  Result<std::string> get(ColumnFamily which, const std::string& key,
                          const std::string& what) const {
    std::string value;
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), cf(which), key, &value);
    if (!s.ok()) return from_rocks(s, what);
    return value;
  }

  Result<Hash> get_node(MerkleNodeId id) const override {
    auto value = get(ColumnFamily::kMerkle, merkle_key(id.level, id.index), "merkle node");
    if (!value.ok()) return value.status();
    if (value->size() != kHashSize) {
      return Status::error("corruption", "merkle node (" + std::to_string(id.level) + ", " +
                                             std::to_string(id.index) + ") is not a hash");
    }
    Hash h;
    std::copy(value->begin(), value->end(), h.begin());
    return h;
  }

  static Result<std::unique_ptr<Impl>> open_db(const std::string& dir, bool create, bool read_only,
                                               bool sync, const ChainStoreOptions& sizes);

  MerkleLog snapshot_log() const {
    std::lock_guard lock(mu);
    return *log;
  }
};

ChainStore::ChainStore(std::unique_ptr<Impl> impl, const CryptoSuite& suite, const Hash& chain_id)
    : impl_(std::move(impl)), suite_(&suite), chain_id_(chain_id) {
  impl_->map_nodes =
      std::make_unique<StateMapRocksDbNodes>(*impl_->db, *impl_->cf(ColumnFamily::kStateMap));
  impl_->map = std::make_unique<StateMap>(suite, *impl_->map_nodes);
}

ChainStore::~ChainStore() = default;

// The nodes an append completes all end at the new leaf, so keyed by that leaf they go to the
// end of the family, as blocks and leaves do: table files never overlap and compaction moves
// them down the levels without rewriting them. Keyed by level first, every flushed file spanned
// all the levels, and each compaction into level 1 rewrote the whole of level 1: 331 of the
// 915 MB compactions wrote in ten minutes of sustained ingest, more with every cycle
// (docs/benchmarks.md, "Compaction in a sustained run").
std::string ChainStore::merkle_key(uint8_t level, uint64_t index) {
  std::string key;
  append_be64(key, ((index + 1) << level) - 1);
  key.push_back(static_cast<char>(level));
  return key;
}

std::string ChainStore::height_key(uint64_t height) {
  std::string key;
  append_be64(key, height);
  return key;
}

Result<std::unique_ptr<ChainStore::Impl>> ChainStore::Impl::open_db(
    const std::string& dir, bool create, bool read_only, bool sync,
    const ChainStoreOptions& sizes) {
  if (create && !read_only) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::error("io_error", "cannot create " + dir + ": " + ec.message());
  }
  rocksdb::Options options;
  options.create_if_missing = create && !read_only;
  options.create_missing_column_families = create && !read_only;
  options.IncreaseParallelism(2);
  options.max_open_files = kStoreMaxOpenFiles;
  options.db_write_buffer_size = sizes.memtable_bytes;
  options.max_total_wal_size = kStoreMaxWalBytes;

  if (!create || read_only) {
    std::vector<std::string> existing;
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, dir, &existing);
    if (!s.ok()) {
      return Status::error("not_found", "no medtrail store at " + dir + " (" + s.ToString() + ")");
    }
    std::set<std::string> have(existing.begin(), existing.end());
    for (const char* name : kColumnFamilyNames) {
      if (!have.count(name)) {
        return Status::error("wrong_chain", dir + " is not a medtrail store (no column family " +
                                                std::string(name) + ")");
      }
    }
  }

  // Proofs and lookups are point reads: bloom filters skip SST files that lack the key, and
  // one block cache is shared by every column family. The SST files' index and filter blocks
  // live in that cache too, so the store's memory stays within its bounds as the chain grows
  // (outside it, they grow with every file: the soak's resident memory climbed with the chain's
  // size); level 0's, read on every lookup, stay pinned there.
  // Filters and indexes are cut into partitions of a few KiB, each cached on its own beneath a
  // small top level that stays pinned: a lookup reads the one partition its key falls in. A
  // whole-file filter is one block of about 10 bits per key, over a MiB in a compacted 64 MB
  // table, more than a shard of the cache holds, so once such tables existed every lookup read
  // it from disk and checksummed it again: four times the CPU per record after four minutes
  // of sustained ingest (docs/benchmarks.md, "A sustained run"). Each table file says which
  // kind it has, so a store written before keeps its whole filters until compaction rewrites
  // them.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.partition_filters = true;
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.block_cache = rocksdb::NewLRUCache(sizes.block_cache_bytes);
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Every record submitted is looked up in the index before it is admitted, again before it is
  // applied, and most are not there; contracts look up state keys they are about to create.
  // Such a miss walked the whole memtable's skip list (a tenth of the ingest profile's CPU was
  // memtable lookups). A whole-key bloom filter in these two families' memtables answers most
  // misses without the walk, out of the memtable's own memory.
  // RocksDB sizes the filter from a family's write_buffer_size (64 MiB by default), not from the
  // store's budget: the ratio is scaled so a small store (an image's scratch) gets a small one.
  rocksdb::ColumnFamilyOptions looked_up = cf_options;
  looked_up.memtable_whole_key_filtering = true;
  looked_up.memtable_prefix_bloom_size_ratio = kMemtableBloomShare *
                                               static_cast<double>(sizes.memtable_bytes) /
                                               static_cast<double>(looked_up.write_buffer_size);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (size_t i = 0; i < std::size(kColumnFamilyNames); ++i) {
    const auto family = static_cast<ColumnFamily>(i);
    const bool filtered = family == ColumnFamily::kIndex || family == ColumnFamily::kState ||
                          family == ColumnFamily::kStateMap;
    descriptors.emplace_back(kColumnFamilyNames[i], filtered ? looked_up : cf_options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = read_only
                          ? rocksdb::DB::OpenForReadOnly(options, dir, descriptors, &handles, &raw)
                          : rocksdb::DB::Open(options, dir, descriptors, &handles, &raw);
  if (!s.ok()) return Status::error("io_error", "cannot open store " + dir + ": " + s.ToString());

  auto impl = std::make_unique<ChainStore::Impl>();
  impl->db.reset(raw);
  raw->DestroyColumnFamilyHandle(handles[0]);  // default family: unused
  impl->handles.assign(handles.begin() + 1, handles.end());
  impl->write_options.sync = sync;
  return impl;
}

Result<std::unique_ptr<ChainStore>> ChainStore::open(const std::string& dir,
                                                     const CryptoSuite& suite, const Hash& chain_id,
                                                     const ChainStoreOptions& options) {
  auto impl =
      Impl::open_db(dir, options.create_if_missing, options.read_only, options.sync, options);
  if (!impl.ok()) return impl.status();
  Impl& db = **impl;

  auto stored_chain = db.get(ColumnFamily::kMeta, kMetaChainId, "chain id");
  if (stored_chain.ok()) {
    auto stored_suite = db.get(ColumnFamily::kMeta, kMetaSuite, "suite");
    if (to_bytes(*stored_chain) != Bytes(chain_id.begin(), chain_id.end())) {
      return Status::error("wrong_chain", dir + " holds chain " + to_hex(to_bytes(*stored_chain)) +
                                              ", not " + to_hex(chain_id));
    }
    if (!stored_suite.ok() || *stored_suite != suite.name()) {
      return Status::error("wrong_chain", dir + " uses another crypto suite");
    }
  } else if (stored_chain.status().code() == "not_found" && !options.read_only) {
    rocksdb::WriteBatch batch;
    batch.Put(db.cf(ColumnFamily::kMeta), kMetaChainId, slice(chain_id));
    batch.Put(db.cf(ColumnFamily::kMeta), kMetaSuite, std::string(suite.name()));
    batch.Put(db.cf(ColumnFamily::kMeta), kMetaFormat, std::string(kFormat));
    batch.Put(db.cf(ColumnFamily::kMeta), kMetaHead, as_chars(encode_value(Head{})));
    rocksdb::WriteOptions sync_write;
    sync_write.sync = true;
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(db.db->Write(sync_write, &batch), "initialise store"));
  } else {
    return stored_chain.status();
  }

  db.search_index = options.search_index && !options.read_only;
  db.search_index_progress = options.search_index_progress;
  db.state_map_versions = std::max<uint64_t>(options.state_map_versions, 1);
  std::unique_ptr<ChainStore> store(new ChainStore(std::move(impl).value(), suite, chain_id));
  MEDTRAIL_RETURN_IF_ERROR(store->load_meta(/*check_root=*/!options.read_only));
  MEDTRAIL_RETURN_IF_ERROR(store->catch_up_search_index());
  return store;
}

Result<std::unique_ptr<ChainStore>> ChainStore::open_existing(const std::string& dir,
                                                              bool read_only) {
  auto impl = Impl::open_db(dir, /*create=*/false, read_only, /*sync=*/true, ChainStoreOptions());
  if (!impl.ok()) return impl.status();
  auto chain = (*impl)->get(ColumnFamily::kMeta, kMetaChainId, "chain id");
  if (!chain.ok()) return Status::error("wrong_chain", dir + " has no chain id");
  auto suite_name = (*impl)->get(ColumnFamily::kMeta, kMetaSuite, "suite");
  if (!suite_name.ok()) return suite_name.status();
  const CryptoSuite* suite = find_suite(*suite_name);
  if (suite == nullptr) return Status::error("unknown_suite", "store uses suite " + *suite_name);
  if (chain->size() != kHashSize)
    return Status::error("corruption", "stored chain id is not a hash");
  Hash chain_id;
  std::copy(chain->begin(), chain->end(), chain_id.begin());
  std::unique_ptr<ChainStore> store(new ChainStore(std::move(impl).value(), *suite, chain_id));
  MEDTRAIL_RETURN_IF_ERROR(store->load_meta(/*check_root=*/!read_only));
  return store;
}

Status ChainStore::load_meta(bool check_root) {
  std::string marker;
  rocksdb::Status marker_status = impl_->db->Get(
      rocksdb::ReadOptions(), impl_->cf(ColumnFamily::kMeta), install_marker_slice(), &marker);
  if (!marker_status.ok() && !marker_status.IsNotFound()) {
    return from_rocks(marker_status, "install marker");
  }
  if (marker_status.ok()) install_interrupted_ = true;  // even if what follows fails
  auto format = impl_->get(ColumnFamily::kMeta, kMetaFormat, "store format");
  if (!format.ok()) return format.status();
  if (*format != kFormat) {
    return Status::error("wrong_format", "store format is " + format->substr(0, 64) +
                                             ", this build reads " + std::string(kFormat) +
                                             " (start the node on a new data dir)");
  }
  auto head_bytes = impl_->get(ColumnFamily::kMeta, kMetaHead, "chain head");
  if (!head_bytes.ok()) return head_bytes.status();
  auto head = decode_value<Head>(as_bytes(*head_bytes), "chain head");
  if (!head.ok()) return head.status();
  auto log = MerkleLog::open(*suite_, *impl_, head->tree_size);
  if (!log.ok()) {
    return Status::error("corruption",
                         "cannot rebuild the Merkle frontier: " + log.status().message());
  }
  if (head->height > 0 && check_root) {
    // The frontier is read back from stored nodes; the head block says what it must give.
    // Read-only tools skip this so that verify_chain can name the bad height instead.
    auto block = block_at(head->height);
    if (!block.ok()) return block.status();
    if (block->header.tree_size != head->tree_size || block->header.tree_root != log->root()) {
      return Status::error("corruption",
                           "stored Merkle nodes do not give the head block's tree root");
    }
    auto root = impl_->map->root(head->height);
    if (!root.ok() || *root != block->header.state_root) {
      return Status::error("corruption",
                           "the stored state map does not give the head block's state root" +
                               (root.ok() ? std::string() : ": " + root.status().message()));
    }
  }
  {
    std::lock_guard lock(impl_->mu);
    height_ = head->height;
    last_block_hash_ = head->height == 0 ? chain_id_ : head->last_block_hash;
    impl_->log = std::make_unique<MerkleLog>(std::move(log).value());
  }
  last_timestamp_ms_ = head->last_timestamp_ms;
  install_interrupted_ = marker_status.ok();
  return {};
}

Status ChainStore::reload() {
  MEDTRAIL_RETURN_IF_ERROR(load_meta(/*check_root=*/true));
  return catch_up_search_index();
}

Status ChainStore::catch_up_search_index() {
  if (!impl_->search_index) return {};
  return ledger::catch_up_search_index(*this, impl_->search_index_progress);
}

std::vector<std::string> ChainStore::own_meta_keys() {
  return {kMetaChainId, kMetaSuite, kMetaFormat, kMetaHead};
}

void ChainStore::begin_install(rocksdb::WriteBatch& batch) const {
  rocksdb::ColumnFamilyHandle* meta = impl_->cf(ColumnFamily::kMeta);
  batch.Put(meta, install_marker_slice(), rocksdb::Slice());
  batch.Put(meta, kMetaHead, as_chars(encode_value(Head{})));
}

void ChainStore::finish_install(rocksdb::WriteBatch& batch) const {
  batch.Delete(impl_->cf(ColumnFamily::kMeta), install_marker_slice());
}

uint64_t ChainStore::height() const {
  std::lock_guard lock(impl_->mu);
  return height_;
}

Hash ChainStore::last_block_hash() const {
  std::lock_guard lock(impl_->mu);
  return last_block_hash_;
}

uint64_t ChainStore::tree_size() const {
  std::lock_guard lock(impl_->mu);
  return impl_->log->size();
}

Hash ChainStore::tree_root() const {
  std::lock_guard lock(impl_->mu);
  return impl_->log->root();
}

Result<BlockHeader> ChainStore::append_block(const BlockDraft& draft, rocksdb::WriteBatch* extra) {
  if (install_interrupted_) {
    return Status::error("install_interrupted",
                         "a ledger image install did not finish: install one before appending");
  }
  if (draft.timestamp_ms < last_timestamp_ms_) {
    return Status::error("bad_block", "block timestamp is earlier than the previous block's");
  }
  for (const LeafDraft& d : draft.leaves) {
    if (d.envelope.suite != suite_->name()) {
      return Status::error("bad_block", "envelope of suite " + d.envelope.suite.substr(0, 32) +
                                            " in a " + std::string(suite_->name()) + " chain");
    }
  }
  for (const auto& [key, value] : draft.state_writes) {
    if (key.empty() || key.size() > kMaxStateKeyBytes ||
        (value.has_value() && value->size() > kMaxStateValueBytes)) {
      return Status::error("bad_block", "state write outside the key or value bounds");
    }
  }
  rocksdb::WriteBatch local;
  rocksdb::WriteBatch& batch = extra != nullptr ? *extra : local;

  std::vector<StateMapChange> changes;
  changes.reserve(draft.state_writes.size());
  for (const auto& [key, value] : draft.state_writes) {
    StateMapChange& change = changes.emplace_back();
    change.key_hash = state_key_hash(*suite_, as_bytes(key));
    if (value.has_value()) {
      change.value_hash = state_value_hash(*suite_, as_bytes(*value));
      batch.Put(impl_->cf(ColumnFamily::kState), key, *value);
    } else {
      batch.Delete(impl_->cf(ColumnFamily::kState), key);
    }
  }
  const uint64_t version = height_ + 1;
  auto map_write = impl_->map->update(height_ == 0 ? std::nullopt : std::optional(height_), version,
                                      std::move(changes));
  if (!map_write.ok()) return map_write.status();
  MEDTRAIL_RETURN_IF_ERROR(impl_->map_nodes->add(*map_write, batch));
  if (version > impl_->state_map_versions) {
    // Each block prunes at least as many replaced nodes as it replaces, so the map keeps to
    // its window however long the chain runs.
    const size_t limit = std::max<size_t>(1024, 2 * map_write->stale.size());
    auto pruned = impl_->map_nodes->prune(version + 1 - impl_->state_map_versions, limit, batch);
    if (!pruned.ok()) return pruned.status();
  }

  MerkleLog log = impl_->snapshot_log();
  BlockHeader header;
  header.chain_id = chain_id_;
  header.height = height_ + 1;
  header.prev_block_hash = last_block_hash_;
  header.timestamp_ms = draft.timestamp_ms;
  header.first_leaf = log.size();
  header.leaf_count = draft.leaves.size();
  header.state_root = map_write->root;
  header.raft_term = draft.raft_term;
  header.raft_index = draft.raft_index;
  header.checkpoints_digest = checkpoints_digest(*suite_, draft.checkpoints);

  std::vector<MerkleNode> nodes;
  std::set<Hash> new_records;
  std::string key;
  std::vector<std::string> search;
  for (const LeafDraft& d : draft.leaves) {
    LeafRecord leaf{d.envelope, d.signer_public_key, d.result, header.height, header.timestamp_ms};
    Bytes encoded = encode_leaf(leaf);
    uint64_t index = log.size();
    log.append(merkle_leaf_hash(*suite_, encoded), nodes);
    batch.Put(impl_->cf(ColumnFamily::kLeaves), height_key(index), slice(encoded));

    // The index points at a record's first occurrence; a later copy stays a leaf of its own.
    const Hash record = d.new_record ? *d.new_record : record_hash(*suite_, d.envelope);
    key.assign(1, 'r');
    key.append(as_chars(record));
    if (new_records.insert(record).second && (d.new_record || !find_record(record).ok())) {
      batch.Put(impl_->cf(ColumnFamily::kIndex), key, height_key(index));
    }
    if (impl_->search_index) {
      if (d.fields) {
        search_keys(&*d.fields, d.result.accepted, index, search);
      } else {
        search_keys(d.envelope, d.result.accepted, index, search);
      }
    }
  }
  if (impl_->search_index) {
    for (const std::string& k : search)
      batch.Put(impl_->cf(ColumnFamily::kIndex), k, rocksdb::Slice());
    batch.Put(impl_->cf(ColumnFamily::kMeta),
              rocksdb::Slice(kSearchIndexMetaKey.data(), kSearchIndexMetaKey.size()),
              height_key(log.size()));
  }
  for (const MerkleNode& n : nodes) {
    batch.Put(impl_->cf(ColumnFamily::kMerkle), merkle_key(n.id.level, n.id.index), slice(n.hash));
  }
  header.tree_size = log.size();
  header.tree_root = log.root();

  Block block{header, draft.checkpoints};
  Hash hash = block_hash(*suite_, header);
  batch.Put(impl_->cf(ColumnFamily::kBlocks), height_key(header.height),
            slice(encode_block(block)));
  Head head{header.height, header.tree_size, hash, header.timestamp_ms};
  batch.Put(impl_->cf(ColumnFamily::kMeta), kMetaHead, slice(encode_value(head)));

  MEDTRAIL_RETURN_IF_ERROR(
      from_rocks(impl_->db->Write(impl_->write_options, &batch), "append block"));

  {
    std::lock_guard lock(impl_->mu);
    *impl_->log = std::move(log);
    height_ = header.height;
    last_block_hash_ = hash;
  }
  last_timestamp_ms_ = header.timestamp_ms;  // the appending thread's alone
  return header;
}

Result<std::optional<std::string>> ChainStore::get_state(std::string_view key) const {
  std::string value;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(ColumnFamily::kState),
                                     rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  MEDTRAIL_RETURN_IF_ERROR(from_rocks(s, "state"));
  return std::optional<std::string>(std::move(value));
}

const StateMap& ChainStore::state_map() const { return *impl_->map; }

Result<std::optional<uint64_t>> ChainStore::head_height_of(std::string_view meta_key,
                                                           std::string_view value) {
  if (meta_key != kMetaHead) return std::optional<uint64_t>();
  auto head = decode_value<Head>(as_bytes(value), "chain head");
  if (!head.ok()) return head.status();
  return std::optional<uint64_t>(head->height);
}

Result<Hash> ChainStore::rebuild_state_map(uint64_t version,
                                           const std::function<Status(rocksdb::WriteBatch&)>& write,
                                           size_t part_entries) {
  impl_->map->forget_top_levels();  // of the versions the family held before
  {
    std::unique_ptr<rocksdb::Iterator> any(
        impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(ColumnFamily::kStateMap)));
    any->SeekToFirst();
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(any->status(), "reading the state map"));
    if (any->Valid()) {
      return Status::error("invalid_argument", "the state map is rebuilt into an empty family");
    }
  }
  part_entries = std::max<size_t>(part_entries, 1);
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(ColumnFamily::kState)));
  it->SeekToFirst();
  if (version == 0) {
    // No block commits to any state: there must be none.
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(it->status(), "reading the state"));
    if (it->Valid())
      return Status::error("invalid_argument", "an empty chain holds contract state");
    return state_map_empty_root();
  }
  bool first = true;
  Hash root = state_map_empty_root();
  while (first || it->Valid()) {
    std::vector<StateMapChange> part;
    for (; it->Valid() && part.size() < part_entries; it->Next()) {
      part.push_back({state_key_hash(*suite_, as_bytes(it->key().ToStringView())),
                      state_value_hash(*suite_, as_bytes(it->value().ToStringView()))});
    }
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(it->status(), "reading the state"));
    auto nodes = first ? impl_->map->update(std::nullopt, version, std::move(part))
                       : impl_->map->extend(version, std::move(part));
    if (!nodes.ok()) return nodes.status();
    rocksdb::WriteBatch batch;
    MEDTRAIL_RETURN_IF_ERROR(impl_->map_nodes->add(*nodes, batch));
    MEDTRAIL_RETURN_IF_ERROR(write(batch));
    root = nodes->root;
    first = false;
  }
  return root;
}

Result<Block> ChainStore::block_at(uint64_t height) const {
  auto value =
      impl_->get(ColumnFamily::kBlocks, height_key(height), "block " + std::to_string(height));
  if (!value.ok()) return value.status();
  return decode_block(as_bytes(*value));
}

Result<BlockHeader> ChainStore::header_at(uint64_t height) const {
  auto block = block_at(height);
  if (!block.ok()) return block.status();
  return block->header;
}

Result<LeafRecord> ChainStore::leaf_at(uint64_t leaf_index) const {
  auto value = impl_->get(ColumnFamily::kLeaves, height_key(leaf_index),
                          "leaf " + std::to_string(leaf_index));
  if (!value.ok()) return value.status();
  return decode_leaf(as_bytes(*value));
}

Result<Bytes> ChainStore::leaf_bytes(uint64_t leaf_index) const {
  auto value = impl_->get(ColumnFamily::kLeaves, height_key(leaf_index),
                          "leaf " + std::to_string(leaf_index));
  if (!value.ok()) return value.status();
  return Bytes(value->begin(), value->end());
}

const MerkleNodeReader& ChainStore::merkle_nodes() const { return *impl_; }

Result<uint64_t> ChainStore::find_record(const Hash& record) const {
  // The index may hold part of an image whose install did not finish: not a record of this chain.
  if (install_interrupted_) {
    return Status::error("not_found", "record " + to_hex(record) + ": not found");
  }
  std::string key(1, 'r');
  key.append(as_chars(record));
  // Every record submitted is looked up here: an answer that finds it carries no message, so
  // none is made for it.
  std::string value;
  rocksdb::Status s =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(ColumnFamily::kIndex), key, &value);
  if (!s.ok()) return from_rocks(s, "record " + to_hex(record));
  if (value.size() != 8) {
    return Status::error("corruption", "record index entry is not a leaf index");
  }
  return read_be64(reinterpret_cast<const uint8_t*>(value.data()));
}

Result<Hash> ChainStore::root_at(uint64_t size) const {
  return impl_->snapshot_log().root_at(*impl_, size);
}

Result<InclusionProof> ChainStore::inclusion_proof(uint64_t leaf_index, uint64_t size) const {
  return impl_->snapshot_log().inclusion_proof(*impl_, leaf_index, size);
}

Result<ConsistencyProof> ChainStore::consistency_proof(uint64_t first, uint64_t second) const {
  return impl_->snapshot_log().consistency_proof(*impl_, first, second);
}

rocksdb::DB* ChainStore::db() const { return impl_->db.get(); }

rocksdb::ColumnFamilyHandle* ChainStore::column_family(ColumnFamily cf) const {
  return impl_->cf(cf);
}

}  // namespace medtrail::ledger
