#include "api/checkpoint_lookup.h"

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/genesis.h"

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

std::optional<ledger::SignedCheckpoint> trusted_checkpoint_at(
    const ledger::ChainStore& store, const ledger::CheckpointTrust& trust, uint64_t height,
    uint64_t max_blocks) {
  const uint64_t head = store.height();
  if (height == 0 || height >= head) return std::nullopt;
  const uint64_t last = head - height > max_blocks ? height + max_blocks : head;
  for (uint64_t carrier = height + 1; carrier <= last; ++carrier) {
    auto block = store.block_at(carrier);
    if (!block.ok()) return std::nullopt;
    bool past = false;
    for (const ledger::SignedCheckpoint& cp : block->checkpoints) {
      past = past || cp.checkpoint.height > height;
      if (cp.checkpoint.chain_id != store.chain_id() || cp.checkpoint.height != height) continue;
      if (ledger::verify_checkpoint_quorum(store.suite(), cp, trust).ok()) return cp;
    }
    // Leaders embed ever newer checkpoints: once a block carries a later height, no block after
    // it carries this one (so a lookup of an unsigned height stops early, not after 1000 blocks).
    if (past) return std::nullopt;
  }
  return std::nullopt;
}

std::optional<ledger::SignedCheckpoint> newest_quorum_checkpoint(const ApiContext& ctx) {
  auto checkpoint = latest_trusted_checkpoint(*ctx.store, ledger::genesis_checkpoint_trust(*ctx.genesis));
  if (ctx.driver != nullptr) {
    auto pooled = ctx.driver->checkpoints().newest_quorum(*ctx.store);
    if (pooled && (!checkpoint || pooled->checkpoint.height > checkpoint->checkpoint.height)) {
      checkpoint = std::move(pooled);
    }
  }
  return checkpoint;
}

nlohmann::json leaf_proof_json(const ledger::ChainStore& store, const ledger::LeafRecord& leaf, uint64_t leaf_index,
                               const ledger::SignedCheckpoint& cp) {
  if (leaf_index >= cp.checkpoint.tree_size) return nullptr;
  auto proof = store.inclusion_proof(leaf_index, cp.checkpoint.tree_size);
  if (!proof.ok()) return nullptr;
  nlohmann::json path = nlohmann::json::array();
  for (const ledger::Hash& h : proof->path) path.push_back(ledger::to_hex(h));
  return {{"leaf_data", ledger::to_hex(ledger::encode_leaf(leaf))},
          {"leaf_index", leaf_index},
          {"tree_size", cp.checkpoint.tree_size},
          {"path", std::move(path)}};
}

}  // namespace medtrail::node::api
