#pragma once
// The chain on disk: one RocksDB instance with column families
//   blocks  height(be64)               -> encode_block
//   leaves  leaf index(be64)           -> encode_leaf
//   merkle  last leaf(be64) || level(1) -> perfect-subtree hash (see merkle_log.h)
//   index   'r' || record hash         -> leaf index(be64) of the record's first occurrence;
//           and the node-local search lists (search_index.h)
//   meta    chain_id, suite, format, head; image_installing while a ledger image is being
//           installed (ledger_image.h)
//   state   contract state and the contracts' indexes: key -> value, written only through
//           BlockDraft::state_writes so that the state map stays exact
//   raft_log, raft_state            -> owned by consensus; created here so the node shares one
//                                      instance (and one fsync) with it.
//   state_map  the authenticated state map over `state` (state_map.h): version h is the state
//           after block h, whose header carries its root; the newest
//           ChainStoreOptions::state_map_versions versions are kept, older nodes pruned.
// A block, its leaves, Merkle nodes, index entries and the caller's own writes (contract
// state, applied Raft index) go in one WriteBatch: after a crash either all are there or none.
//
// Not thread-safe for writers: one thread appends. Readers may run concurrently with it.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/merkle.h"
#include "medtrail/ledger/merkle_log.h"
#include "medtrail/ledger/state_map.h"
#include "medtrail/ledger/status.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace medtrail::ledger {

enum class ColumnFamily {
  kBlocks, kLeaves, kMerkle, kIndex, kMeta, kState, kRaftLog, kRaftState, kStateMap };
inline constexpr ColumnFamily kAllColumnFamilies[] = {
    ColumnFamily::kBlocks,  ColumnFamily::kLeaves,    ColumnFamily::kMerkle,
    ColumnFamily::kIndex,   ColumnFamily::kMeta,      ColumnFamily::kState,
    ColumnFamily::kRaftLog, ColumnFamily::kRaftState, ColumnFamily::kStateMap};

// The store keeps at most this many RocksDB files open (each a file descriptor).
inline constexpr int kStoreMaxOpenFiles = 512;
// Memory every column family's memtables share, and the most WAL kept before the families that
// hold it back are flushed. Without them RocksDB's defaults (64 MiB × 2 per family, a WAL of
// four times all of that) let a node's memory grow with its chain to about a GiB before
// anything is flushed — found by the soak (docs/reliability.md, "Soak").
inline constexpr size_t kStoreMemtableBytes = 128 << 20;
inline constexpr uint64_t kStoreMaxWalBytes = 256 << 20;
// The block cache all column families share.
inline constexpr size_t kStoreBlockCacheBytes = 64 << 20;
// Heights whose state map stays provable: at a block a second, about 18 hours of checkpoints a
// client may hold and ask a proof against.
inline constexpr uint64_t kStateMapVersionsKept = 65536;

struct ChainStoreOptions {
  bool create_if_missing = true;
  bool sync = true;  // fsync the WAL on every block; off only in tests and benchmarks
  bool read_only = false;
  // Keep the search index (search_index.h): written with every block, and caught up on open and
  // reload when it lags. Off for scratch stores that only verify.
  bool search_index = true;
  // Told (leaves indexed, leaves in all) while open() or reload() catches the search index up.
  std::function<void(uint64_t done, uint64_t total)> search_index_progress;
  // RocksDB's memory (the bounds above). A scratch store that only verifies a ledger image runs
  // beside the node's own, and takes less.
  size_t memtable_bytes = kStoreMemtableBytes;
  size_t block_cache_bytes = kStoreBlockCacheBytes;
  // The newest this many heights' state maps are kept (at least 1); older nodes are pruned a
  // bounded step per block.
  uint64_t state_map_versions = kStateMapVersionsKept;
};

// One executed envelope, before the block gives it a height and a timestamp.
struct LeafDraft {
  Envelope envelope;
  Bytes signer_public_key;
  ExecutionResult result;
  // The payload's fields when the caller has parsed them (apply has): the search index takes
  // them instead of parsing the payload a second time. Absent: append parses.
  std::optional<PayloadFields> fields{};
  // The record's hash, set by a caller that found the record neither on the chain nor among the
  // draft's earlier leaves (apply has, to tell duplicates): append then indexes it without
  // hashing the envelope or looking the record up again. Absent: append does both.
  std::optional<Hash> new_record{};
};

// Contract state changes of one block: key -> new value, or nullopt to delete the key.
using StateWrites = std::map<std::string, std::optional<std::string>, std::less<>>;

// Present in meta from the first batch of a ledger image install to its last (ledger_image.h).
// The first batch also empties the head, so a store that holds it is an empty chain that must
// not grow: what it holds is part of an image, not a chain anyone verified.
inline constexpr std::string_view kInstallMarkerMetaKey = "image_installing";

inline constexpr size_t kMaxStateKeyBytes = 1024;
inline constexpr size_t kMaxStateValueBytes = 1 << 20;

// What the apply step hands over; the store derives the header fields from it (the header's
// state root from the state map after `state_writes`).
struct BlockDraft {
  uint64_t timestamp_ms = 0;
  StateWrites state_writes;
  uint64_t raft_term = 0;
  uint64_t raft_index = 0;
  std::vector<LeafDraft> leaves;
  std::vector<SignedCheckpoint> checkpoints;
};

class ChainStore {
 public:
  ~ChainStore();
  ChainStore(const ChainStore&) = delete;
  ChainStore& operator=(const ChainStore&) = delete;

  // Opens (or creates) the store of chain `chain_id` under `suite`. An existing store of
  // another chain or suite is refused (`wrong_chain`), never touched.
  static Result<std::unique_ptr<ChainStore>> open(const std::string& dir, const CryptoSuite& suite,
                                                  const Hash& chain_id,
                                                  const ChainStoreOptions& options = {});
  // Opens an existing store taking chain id and suite from its own meta (offline tools).
  static Result<std::unique_ptr<ChainStore>> open_existing(const std::string& dir,
                                                           bool read_only = true);

  const CryptoSuite& suite() const { return *suite_; }
  const Hash& chain_id() const { return chain_id_; }
  // Safe to call while another thread appends: each reads one consistent head.
  uint64_t height() const;
  uint64_t tree_size() const;
  Hash tree_root() const;
  Hash last_block_hash() const;
  // The head block's timestamp (0 for an empty chain). For the appending thread.
  uint64_t last_timestamp_ms() const { return last_timestamp_ms_; }

  // Derives the header (height, prev hash, leaf range, tree root, state root, checkpoints
  // digest), writes everything plus `extra` (may be null) in one batch, and returns the header.
  // Rejects a timestamp earlier than the previous block's, and state keys or values that are
  // empty or beyond the bounds above (`bad_block`); refuses while install_interrupted()
  // (`install_interrupted`).
  Result<BlockHeader> append_block(const BlockDraft& draft, rocksdb::WriteBatch* extra = nullptr);

  // A contract state value; nullopt when the key is absent. Safe from any thread.
  Result<std::optional<std::string>> get_state(std::string_view key) const;
  // The authenticated state map: version h is the state after block h (for h ≥ 1, while kept).
  // Safe from any thread.
  const StateMap& state_map() const;
  // Builds the state map's `version` (the height of the state it is) from the state column
  // family into the empty state_map family (an install clears it with the ledger families), in
  // parts of `part_entries`, each part's nodes a batch handed to `write` (which writes it, as
  // an install writes its own batches, and may empty it). For an installed ledger image, whose
  // families carry no map. Returns the root; the caller compares it with that block's. Version
  // 0 is the empty map and writes nothing; a state for it is refused (`invalid_argument`), as is
  // a family that is not empty.
  Result<Hash> rebuild_state_map(uint64_t version,
                                 const std::function<Status(rocksdb::WriteBatch&)>& write,
                                 size_t part_entries = 4096);

  Result<Block> block_at(uint64_t height) const;
  Result<BlockHeader> header_at(uint64_t height) const;
  Result<LeafRecord> leaf_at(uint64_t leaf_index) const;
  // The leaf's bytes as stored (encode_leaf): an entry of the tlog-tiles entry bundles.
  Result<Bytes> leaf_bytes(uint64_t leaf_index) const;
  // The stored perfect-subtree hashes, for the tlog-tiles hash tiles (tlog_tiles.h).
  const MerkleNodeReader& merkle_nodes() const;
  // Leaf index of the first leaf holding this record (`not_found` if none, and while
  // install_interrupted()).
  Result<uint64_t> find_record(const Hash& record_hash) const;

  Result<Hash> root_at(uint64_t tree_size) const;
  Result<InclusionProof> inclusion_proof(uint64_t leaf_index, uint64_t tree_size) const;
  Result<ConsistencyProof> consistency_proof(uint64_t first_size, uint64_t second_size) const;

  // Raw access for the node (shared fsync) and for the offline verifier.
  rocksdb::DB* db() const;
  rocksdb::ColumnFamilyHandle* column_family(ColumnFamily cf) const;

  static std::string merkle_key(uint8_t level, uint64_t index);
  // The meta keys the store itself owns (chain id, suite, format, head) and that an image
  // carries. Not the install marker: an image never carries that.
  static std::vector<std::string> own_meta_keys();

  // True while the store holds kInstallMarkerMetaKey: an image install began and has not
  // finished (a crash, an error). The chain is then empty and append_block refuses until an
  // install completes. Read at open() and reload().
  bool install_interrupted() const { return install_interrupted_; }
  // Adds to `batch` the first writes of an install: the marker, and an empty chain's head
  // (what open() writes for a new store).
  void begin_install(rocksdb::WriteBatch& batch) const;
  // Adds to `batch` the removal of the marker: the install's last batch.
  void finish_install(rocksdb::WriteBatch& batch) const;
  // Re-reads the head after the ledger column families were replaced underneath (an installed
  // ledger image), and catches the search index up. Readers may run concurrently; the caller is
  // the only writer.
  Status reload();
  static std::string height_key(uint64_t height);
  // The height a meta entry names when it is the chain head (an image's, before it is
  // installed); nullopt for any other key. `corruption` for a head that does not decode.
  static Result<std::optional<uint64_t>> head_height_of(std::string_view meta_key,
                                                        std::string_view value);

 private:
  struct Impl;
  ChainStore(std::unique_ptr<Impl> impl, const CryptoSuite& suite, const Hash& chain_id);
  Status load_meta(bool check_root);
  // Indexes the leaves the search index lags behind (when this store keeps it).
  Status catch_up_search_index();

  std::unique_ptr<Impl> impl_;
  const CryptoSuite* suite_;
  Hash chain_id_;
  uint64_t height_ = 0;
  Hash last_block_hash_{};
  uint64_t last_timestamp_ms_ = 0;
  std::atomic<bool> install_interrupted_ = false;
};

}  // namespace medtrail::ledger
