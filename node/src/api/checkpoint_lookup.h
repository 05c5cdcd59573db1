#pragma once
// The newest checkpoint the chain carries that the consortium's quorum has signed.
#include <cstdint>
#include <optional>

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

}  // namespace medtrail::node::api
