#pragma once
// How blocks and checkpoints look in API responses (docs/openapi.yaml: Block, Checkpoint).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/checkpoint.h"

namespace medtrail::node::api {

// The header's fields (hashes in hex), its hash under `suite`, the ids of its records and the
// number of checkpoints it carries.
nlohmann::json block_json(const ledger::CryptoSuite& suite, const ledger::Block& block,
                          const std::vector<std::string>& record_ids);

// The checkpoint's fields and its signatures ({"signer", "public_key", "signature"}, hex).
nlohmann::json checkpoint_json(const ledger::SignedCheckpoint& checkpoint);

}  // namespace medtrail::node::api
