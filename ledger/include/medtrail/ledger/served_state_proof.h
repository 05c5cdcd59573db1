#pragma once
// The state proof a node serves for one key at a checkpoint's height (docs/proofs.md, "Served
// state proofs"). The state family keeps each key's current value only, while the state map
// keeps the hashes of every version in its window; so a key's value at an older height can be
// served exactly when it is the value the key holds now, and the proof then says so against
// that height's root — or when the caller finds what it held then in the store, as a trail head
// is found (served_state_proof_of, served_trail_proofs).
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
// The same for a value the caller knows `key` held at `height` (`value` nullopt: nothing), as a
// trail head recomputed from the store is: nullopt when the map's value hash at `height` is not
// that value's.
Result<std::optional<nlohmann::json>> served_state_proof_of(const ChainStore& store,
                                                            uint64_t height, std::string_view key,
                                                            std::optional<std::string_view> value);

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

// What shows a page of `subject`'s trail complete at the checkpoint's height (trail_head.h;
// docs/proofs.md, "Complete trails"):
//   {"header": "<hex of the encoded header at its height>",
//    "head": <state proof of "ixh/<subject>": the head at that height, or nothing>,
//    "first": <state proof of the entry of `first_leaf`>, "last": <... of `last_leaf`>}
// `first_leaf` and `last_leaf`: the page's first and last rows below the checkpoint's tree size;
// without them (no such row) the document has neither. The head at an older height is the value
// of the subject's last entry below that height's tree size, found without a scan. nullopt when
// it cannot be served now: a height the store or the map's window lacks, a read that fails, a
// leaf at or past the tree size, or a head whose hash is not the map's at that height.
std::optional<nlohmann::json> served_trail_proofs(const ChainStore& store,
                                                  const SignedCheckpoint& checkpoint,
                                                  std::string_view subject,
                                                  std::optional<uint64_t> first_leaf,
                                                  std::optional<uint64_t> last_leaf);

}  // namespace medtrail::ledger
