#pragma once
// The state proof a node serves for one key at a checkpoint's height (docs/proofs.md, "Served
// state proofs"). The state family keeps each key's current value only, while the state map
// keeps the hashes of every version in its window; so a key's value at an older height can be
// served exactly when it is the value the key holds now, and the proof then says so against
// that height's root.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

// The state proof document (proof_json.h) of what `key` held at `height`, value or nothing,
// against the state root of `height`; nullopt when the key has changed since `height` (a later
// checkpoint will prove it). Errors: `not_found` (a height the map does not keep), `io_error`,
// `corruption`.
Result<std::optional<nlohmann::json>> served_state_proof(const ChainStore& store, uint64_t height,
                                                         std::string_view key);

// The proofs of `keys` (at most kMaxServedStates) at the checkpoint's height, as a lookup's answer
// carries them (docs/trace.md, "What a client can prove"):
//   {"checkpoint": <its JSON>, "header": "<hex of the encoded header at its height>",
//    "states": [<served_state_proof of each key> | {"key": "<hex>", "changed_after_checkpoint":
//    true}]}
// nullopt when they cannot be served now: a height the store or the map's window lacks, or a
// read that fails.
inline constexpr size_t kMaxServedStates = 8;
std::optional<nlohmann::json> served_state_proofs(const ChainStore& store,
                                                  const SignedCheckpoint& checkpoint,
                                                  const std::vector<std::string>& keys);

}  // namespace medtrail::ledger
