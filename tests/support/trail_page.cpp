#include "support/trail_page.h"

#include <optional>
#include <stdexcept>
#include <string>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/served_state_proof.h"

namespace medtrail::testing {

using nlohmann::json;

json trail_page(const ledger::ChainStore& store, const ledger::SignedCheckpoint& checkpoint,
                std::string_view subject, const std::vector<uint64_t>& leaves, bool last) {
  const uint64_t tree_size = checkpoint.checkpoint.tree_size;
  json rows = json::array();
  std::optional<uint64_t> first_covered, last_covered;
  for (uint64_t i : leaves) {
    auto leaf = store.leaf_at(i);
    if (!leaf.ok()) throw std::runtime_error("trail_page: " + leaf.status().to_string());
    auto fields = ledger::parse_payload(leaf->envelope);
    json row = {{"leaf_index", i},
                {"record_id", ledger::record_id(store.suite(), leaf->envelope)},
                {"at_ms", leaf->timestamp_ms},
                {"kind", fields.ok() ? fields->kind : std::string()},
                {"actor", leaf->envelope.signer},
                {"accepted", leaf->result.accepted}};
    if (!leaf->result.accepted) row["reason_code"] = leaf->result.reason_code;
    row["proof"] = nullptr;
    if (i < tree_size) {
      auto proof = store.inclusion_proof(i, tree_size);
      if (!proof.ok()) throw std::runtime_error("trail_page: " + proof.status().to_string());
      json path = json::array();
      for (const auto& h : proof->path) path.push_back(ledger::to_hex(h));
      row["proof"] = {{"leaf_data", ledger::to_hex(ledger::encode_leaf(*leaf))},
                      {"leaf_index", i},
                      {"tree_size", tree_size},
                      {"path", std::move(path)}};
      if (!first_covered) first_covered = i;
      last_covered = i;
    }
    rows.push_back(std::move(row));
  }
  auto trail = ledger::served_trail_proofs(store, checkpoint, subject, first_covered, last_covered);
  if (!trail) throw std::runtime_error("trail_page: the trail's proofs could not be served");
  return {{"checkpoint", ledger::checkpoint_to_json(checkpoint)},
          {"rows", std::move(rows)},
          {"next", last || leaves.empty() ? json(nullptr) : json(std::to_string(leaves.back()))},
          {"trail", std::move(*trail)}};
}

}  // namespace medtrail::testing
