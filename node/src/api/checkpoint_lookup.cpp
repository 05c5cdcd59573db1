#include "api/checkpoint_lookup.h"

namespace medtrail::node::api {

std::optional<ledger::SignedCheckpoint> latest_trusted_checkpoint(
    const ledger::ChainStore& store, const ledger::CheckpointTrust& trust, uint64_t max_blocks) {
  const uint64_t head = store.height();
  const uint64_t lowest = head > max_blocks ? head - max_blocks + 1 : 1;
  for (uint64_t height = head; height >= lowest && height > 0; --height) {
    auto block = store.block_at(height);
    if (!block.ok()) return std::nullopt;
    std::optional<ledger::SignedCheckpoint> best;
    for (const ledger::SignedCheckpoint& cp : block->checkpoints) {
      if (cp.checkpoint.chain_id != store.chain_id()) continue;
      if (best && best->checkpoint.height >= cp.checkpoint.height) continue;
      if (!ledger::verify_checkpoint_quorum(store.suite(), cp, trust).ok()) continue;
      best = cp;
    }
    if (best) return best;
  }
  return std::nullopt;
}

}  // namespace medtrail::node::api
