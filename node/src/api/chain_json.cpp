#include "api/chain_json.h"

#include "medtrail/ledger/bytes.h"

namespace medtrail::node::api {

using ledger::to_hex;

nlohmann::json block_json(const ledger::CryptoSuite& suite, const ledger::Block& block,
                          const std::vector<std::string>* record_ids) {
  const ledger::BlockHeader& h = block.header;
  nlohmann::json out = {{"height", h.height},
          {"hash", to_hex(ledger::block_hash(suite, h))},
          {"chain_id", to_hex(h.chain_id)},
          {"prev_block_hash", to_hex(h.prev_block_hash)},
          {"timestamp_ms", h.timestamp_ms},
          {"first_leaf", h.first_leaf},
          {"leaf_count", h.leaf_count},
          {"tree_size", h.tree_size},
          {"tree_root", to_hex(h.tree_root)},
          {"state_root", to_hex(h.state_root)},
          {"checkpoints_digest", to_hex(h.checkpoints_digest)},
          {"raft_term", h.raft_term},
          {"raft_index", h.raft_index},
          {"checkpoints", block.checkpoints.size()}};
  if (record_ids != nullptr) out["record_ids"] = *record_ids;
  return out;
}

}  // namespace medtrail::node::api
