#pragma once
// A signed checkpoint as JSON, the form nodes serve (GET /v1/checkpoints/...) and clients keep:
//   {"chain_id": hex, "height": n, "block_hash": hex, "tree_size": n, "tree_root": hex,
//    "signatures": [{"signer": "<org>/<node>", "public_key": hex, "signature": hex}, ...]}
// The reader is strict and bounded: it comes from a node the client does not trust.
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr size_t kMaxCheckpointJsonBytes = 256 * 1024;
inline constexpr size_t kMaxCheckpointJsonSignatures = 256;

nlohmann::json checkpoint_to_json(const SignedCheckpoint& checkpoint);
// Errors: `bad_checkpoint_document` naming what is wrong (not JSON, a missing or ill-typed
// field, bad hex, too large, too many signatures). Says nothing of the signatures' validity.
Result<SignedCheckpoint> checkpoint_from_json(std::string_view text);

}  // namespace medtrail::ledger
