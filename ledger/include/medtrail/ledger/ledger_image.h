#pragma once
// A ledger image: every key of a store's ledger column families (blocks, leaves, Merkle nodes,
// indexes, contract state) and its own meta keys, read from one consistent RocksDB snapshot.
// A node that is too far behind to catch up by log receives one (through Raft's snapshot
// chunks) and installs it — but only after it verified the image as a whole chain in a scratch
// store: the hash chain, every leaf and signature, the Merkle nodes, every index entry, and the
// checkpoints against the consortium's trust. The Raft log and caller-owned meta keys (the node
// id) are never part of an image and never touched by an install.
//
// Layout: magic "MTIMAGE1", chain id, then entries (cf u8, key len be64, key, value len be64,
// value) — the ledger families in key order, then the meta entries — then 0xFF and the suite
// hash of everything before it.
//
// Streaming. An image grows with the chain (about 1 GB at 500k records), so the *_file
// functions never hold one: export writes through a bounded buffer and an incremental hash,
// verify and install read through a bounded buffer and write RocksDB in batches of about
// ImageInstallOptions::batch_bytes. Memory stays at a few tens of MiB whatever the chain's size:
// a length field is checked against the bytes the image still holds, and against the largest
// entry the ledger writes, before anything is allocated; RocksDB's memtables, which a writer as
// fast as an install outruns, are flushed (and waited for) past 32 MiB; the scratch store that
// verifies an image has small memtables and a small cache of its own. The string functions run
// the same code over bytes in memory (tests, the fuzz target), and refuse images over 2 GiB.
//
// Installing. An install into a live store spans many batches, and a crash may stop it between
// any two. A crash must never leave a store that looks like a valid, shorter chain: the node
// would append to it, or serve it, as if it were the ledger. So:
//   1. (synced) the marker meta key kInstallMarkerMetaKey is put, the image's families are
//      cleared (one range tombstone each), the caller's meta keys and the search index's are
//      deleted, and the head is reset to an empty chain's (the state map's family is cleared
//      too; the last batches rebuild it from the image's state, before the head is written);
//   2..n-1 (unsynced) the ledger families' entries;
//   n. (synced) the image's meta entries — its head among them — and the marker's removal.
// At every moment the store on disk is the old chain, or an empty chain holding the marker (and
// part of the image, which nothing reads past an empty head), or the image. A store holding the marker opens (empty), reports install_interrupted(), and
// refuses to append (`install_interrupted`) until an install completes. Before step 1 the
// whole file is read once and checked (hash, chain id, structure): it may have been damaged
// on disk since it was verified, and a refusal then leaves the store as it was.
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/parallel.h"
#include "medtrail/ledger/status.h"

namespace rocksdb {
class Snapshot;
}  // namespace rocksdb

namespace medtrail::ledger {

// Files are bounded by the disk, not by memory.
inline constexpr uint64_t kMaxLedgerImageBytes = 64ull << 30;
// The string functions hold the whole image in memory.
inline constexpr uint64_t kMaxLedgerImageStringBytes = 2ull << 30;

struct LedgerImageInfo {
  uint64_t height = 0;
  uint64_t tree_size = 0;
  Hash tree_root{};
  uint64_t entries = 0;
  // The caller-owned meta entries the image carries (those `extra_meta_keys` name), for the
  // caller to check before it installs the image: the verifier knows nothing of them.
  std::map<std::string, std::string> extra_meta;
};

struct ImageExportOptions {
  // The RocksDB snapshot of the store's database to read (still the caller's to release), so
  // that the caller fixes the state the image shows and may export from another thread while
  // it goes on appending. Null: the export takes its own.
  const rocksdb::Snapshot* at = nullptr;
  // Checked between entries: once true, the export stops (`cancelled`).
  const std::atomic<bool>* cancel = nullptr;
};

struct ImageInstallOptions {
  // A WriteBatch is written once it holds this many bytes.
  uint64_t batch_bytes = 8 << 20;
  // Testing: refuse with `interrupted` once this many batches are written, as a crash would
  // stop the install. 0: never.
  uint64_t stop_after_batches = 0;
};

// `extra_meta_keys`: caller-owned meta keys that travel with the image (e.g. the applied Raft
// index, which must match the image); one ending in '/' stands for every key with that prefix.
// Errors: `too_large` (over kMaxLedgerImageStringBytes), `io_error`.
Result<std::string> export_ledger_image(const ChainStore& store,
                                        const std::vector<std::string>& extra_meta_keys);
// Writes the image to `path` + ".part", fsyncs it, renames it to `path` and fsyncs the
// directory; returns the image's size. Refuses an existing `path` (`file_exists`), and leaves
// no .part behind when it fails. Errors: `too_large` (over kMaxLedgerImageBytes), `io_error`,
// `cancelled`.
Result<uint64_t> export_ledger_image_file(const ChainStore& store,
                                          const std::vector<std::string>& extra_meta_keys,
                                          const std::string& path,
                                          const ImageExportOptions& options = {});

// The scratch store's RocksDB memory, beside the node's own store: verification writes the
// image once and reads it about once, so flushing early and caching little cost it little.
inline constexpr size_t kImageScratchMemtableBytes = 16 << 20;
inline constexpr size_t kImageScratchBlockCacheBytes = 8 << 20;

// Rebuilds the image in a fresh store under `scratch_dir` (which must not exist; removed
// afterwards) and verifies it there. Errors: `bad_image` (format, hash, chain id), `wrong_chain`,
// the verifier's problem code (bad_block_hash, bad_checkpoint, ...), `bad_index`.
Result<LedgerImageInfo> verify_ledger_image(const std::string& image, const CryptoSuite& suite,
                                            const Hash& chain_id, const CheckpointTrust& trust,
                                            ParallelRunner& runner, const std::string& scratch_dir,
                                            const std::vector<std::string>& extra_meta_keys);
// The same, of the image in the file at `path`; also `io_error` when it cannot be read.
Result<LedgerImageInfo> verify_ledger_image_file(const std::string& path, const CryptoSuite& suite,
                                                 const Hash& chain_id, const CheckpointTrust& trust,
                                                 ParallelRunner& runner,
                                                 const std::string& scratch_dir,
                                                 const std::vector<std::string>& extra_meta_keys);

// Replaces the store's ledger with the image (see "Installing" above) and reloads the head.
// The image must have been verified. A refusal before the first batch leaves the store as it
// was; a failure after it leaves the store install_interrupted() until an install completes.
// Errors: `bad_image`, `wrong_chain`, `io_error`, `corruption`, `interrupted` (testing).
Status install_ledger_image(ChainStore& store, const std::string& image,
                            const std::vector<std::string>& extra_meta_keys,
                            const ImageInstallOptions& options = {});
Status install_ledger_image_file(ChainStore& store, const std::string& path,
                                 const std::vector<std::string>& extra_meta_keys,
                                 const ImageInstallOptions& options = {});

}  // namespace medtrail::ledger
