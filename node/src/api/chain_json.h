#pragma once
// How blocks look in API responses (docs/openapi.yaml: Block); checkpoints are the ledger's
// form (medtrail/ledger/checkpoint_json.h).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "medtrail/ledger/block.h"

namespace medtrail::node::api {

// The header's fields (hashes in hex), its hash under `suite` and the number of checkpoints it
// carries; with `record_ids`, the ids of its records too (members only: an id opens a record).
nlohmann::json block_json(const ledger::CryptoSuite& suite, const ledger::Block& block,
                          const std::vector<std::string>* record_ids);

}  // namespace medtrail::node::api
