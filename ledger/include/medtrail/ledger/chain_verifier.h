#pragma once
// Offline verification of a whole chain store, from the first block to the head:
// every envelope signature, every leaf (decodes, carries its block's height and timestamp,
// hashes to the stored leaf node), every stored Merkle node (recomputed from the leaves),
// every header's tree root and leaf range, every prev-hash link, and every checkpoint the
// chain carries (it names a real block, and its signatures verify — against the pinned node
// keys and quorum when a CheckpointTrust is given), and that the stored state map rehashes to
// the head block's state root and holds exactly the contract state.
// Signature checks are spread over the caller's ParallelRunner.

#include <cstdint>
#include <functional>
#include <string>

#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/parallel.h"

namespace medtrail::ledger {

struct VerifyProgress {
  uint64_t height = 0;
  uint64_t chain_height = 0;
  uint64_t records = 0;
};

struct VerifyOptions {
  ParallelRunner* runner = nullptr;        // null: the calling thread only
  const CheckpointTrust* trust = nullptr;  // null: checkpoint signatures checked, quorum not
  std::function<void(const VerifyProgress&)> on_progress;  // called between windows of blocks
  size_t window_leaves = 8192;  // leaves whose Merkle nodes are rebuilt and checked per round
  // Leaf bytes held at once: a window's leaves are read and checked in runs of about this much,
  // so a chain of large records is verified in the same memory as one of small ones.
  size_t window_bytes = 32 << 20;
};

struct VerifyReport {
  bool ok = true;
  uint64_t blocks = 0;        // blocks fully verified
  uint64_t records = 0;       // leaves fully verified
  uint64_t checkpoints = 0;   // checkpoint signatures verified
  uint64_t bad_height = 0;    // first height found wrong (when !ok)
  std::string problem_code;   // bad_signature, bad_leaf, bad_leaf_hash, bad_merkle_node, bad_tree_root,
                              // bad_block_hash, bad_prev_hash, bad_block, bad_checkpoint,
                              // bad_state_root, corruption, install_interrupted (an image install
                              // stopped halfway: the store is empty but not a chain)
  std::string problem;        // readable, names the height and the leaf or node
};

VerifyReport verify_chain(const ChainStore& store, const VerifyOptions& options = {});

}  // namespace medtrail::ledger
