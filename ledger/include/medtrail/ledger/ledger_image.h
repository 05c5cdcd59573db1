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
// value), then 0xFF and the suite hash of everything before it.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/parallel.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr uint64_t kMaxLedgerImageBytes = 2ull << 30;

struct LedgerImageInfo {
  uint64_t height = 0;
  uint64_t tree_size = 0;
  Hash tree_root{};
  uint64_t entries = 0;
  // The caller-owned meta entries the image carries (those `extra_meta_keys` name), for the
  // caller to check before it installs the image: the verifier knows nothing of them.
  std::map<std::string, std::string> extra_meta;
};

// `extra_meta_keys`: caller-owned meta keys that travel with the image (e.g. the applied Raft
// index, which must match the image); one ending in '/' stands for every key with that prefix. Errors: `too_large`, `io_error`.
Result<std::string> export_ledger_image(const ChainStore& store,
                                        const std::vector<std::string>& extra_meta_keys);

// Rebuilds the image in a fresh store under `scratch_dir` (which must not exist; removed
// afterwards) and verifies it there. Errors: `bad_image` (format, hash, chain id), `wrong_chain`,
// the verifier's problem code (bad_block_hash, bad_checkpoint, ...), `bad_index`.
Result<LedgerImageInfo> verify_ledger_image(const std::string& image, const CryptoSuite& suite,
                                            const Hash& chain_id, const CheckpointTrust& trust,
                                            ParallelRunner& runner, const std::string& scratch_dir,
                                            const std::vector<std::string>& extra_meta_keys);

// Replaces the store's ledger with the image in one synced WriteBatch and reloads the head.
// The image must have been verified. Errors: `bad_image`, `io_error`, `corruption`.
Status install_ledger_image(ChainStore& store, const std::string& image,
                            const std::vector<std::string>& extra_meta_keys);

}  // namespace medtrail::ledger
