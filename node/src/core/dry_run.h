#pragma once
// "Would the chain accept this record now?" — the contracts' own answer, computed read-only
// against the committed state at the node's time, so a view (a pharmacist's "dispensable here
// and now") never keeps a second copy of a rule. Nothing is written; nothing is signed.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "medtrail/contracts/context.h"
#include "medtrail/ledger/block.h"
#include "medtrail/ledger/chain_store.h"

namespace medtrail::node {

// Runs `kind` with `body`, signed by `signer` ("<org>/<name>"), as if it were the only record of
// the next block at `now_ms`: the signer's standing, role and organisation, then the handler.
// A signer the chain does not know is `unknown_signer`; a state the store cannot read,
// `state_unreadable`.
ledger::ExecutionResult dry_run(const ledger::ChainStore& store, const contracts::ChainParams& chain,
                                const std::string& kind, const std::string& signer,
                                const nlohmann::json& body, int64_t now_ms);

}  // namespace medtrail::node
