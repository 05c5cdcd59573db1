#pragma once
// Checkpoints the chain carries that the consortium's quorum has signed: the newest, or one height's.
#include <chrono>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "api/api_context.h"
#include "api/recent_value.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/checkpoint.h"

namespace medtrail::node::api {

// How many blocks back from the head a lookup reads at most: checkpoints are gathered every
// few blocks, so a trusted one is near the head or the chain has none worth serving.
inline constexpr uint64_t kMaxCheckpointScanBlocks = 1000;

// Scans back from the head, at most `max_blocks` blocks, for the first block carrying a
// checkpoint of this chain that passes verify_checkpoint_quorum under `trust`; of that block's
// trusted checkpoints the highest wins. nullopt when none is found (or a block is unreadable:
// the chain verifier, not the API, reports damage).
std::optional<ledger::SignedCheckpoint> latest_trusted_checkpoint(
    const ledger::ChainStore& store, const ledger::CheckpointTrust& trust,
    uint64_t max_blocks = kMaxCheckpointScanBlocks);

// The trusted checkpoint of block `height` that a later block carries: the leader embeds the
// newest quorum checkpoint in its next proposal, so one is found within `max_blocks` after
// `height` or not at all (not every height gets one). nullopt when none is found.
std::optional<ledger::SignedCheckpoint> trusted_checkpoint_at(
    const ledger::ChainStore& store, const ledger::CheckpointTrust& trust, uint64_t height,
    uint64_t max_blocks = kMaxCheckpointScanBlocks);

// The newer of the chain's newest trusted checkpoint and the newest one the node's pool has
// gathered a quorum for (the chain records pooled checkpoints a block or more later).
std::optional<ledger::SignedCheckpoint> newest_quorum_checkpoint(const ApiContext& ctx);

// A leaf and its path to the checkpoint's root (docs/audit.md, "Proofs"): {leaf_data (the
// encoded leaf, hex), leaf_index, tree_size, path}; null for a leaf newer than the checkpoint
// (provable once a later one is signed).
nlohmann::json leaf_proof_json(const ledger::ChainStore& store, const ledger::LeafRecord& leaf, uint64_t leaf_index,
                               const ledger::SignedCheckpoint& cp);

// newest_quorum_checkpoint, computed at most every kMaxAge (recent_value.h) for the public
// endpoints (the signed note, the JSON checkpoint, the citizen's lookup). A checkpoint a quarter
// of a second old is as good to a client, which judges it by its own genesis anyway.
inline constexpr std::chrono::milliseconds kCheckpointMaxAge{250};

class NewestCheckpointCache {
 public:
  std::optional<ledger::SignedCheckpoint> get(const ApiContext& ctx) {
    return recent_.get([&] { return newest_quorum_checkpoint(ctx); });
  }

 private:
  RecentValue<std::optional<ledger::SignedCheckpoint>> recent_{kCheckpointMaxAge};
};

}  // namespace medtrail::node::api
