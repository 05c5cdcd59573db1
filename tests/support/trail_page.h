#pragma once
// A page of a subject's trail with proofs, as GET /v1/audit/trails/...?proofs=1 serves it
// (node/src/api/audit_page.cpp, docs/audit.md) but with only what the client's checks read
// (no height, organisation, reason, body, receipt or subject), built from a store: for the tests
// and benchmarks of those checks (client/cli/trail_proofs.h), which link the ledger only.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/checkpoint.h"

namespace medtrail::testing {

// The rows of `leaves` (each with its leaf's record id, kind, actor, time and result, and its
// inclusion proof when the checkpoint covers it), the checkpoint, `next` (null when `last` or no
// leaves, else the last leaf) and `trail`, the proofs that the pages list the whole trail
// (ledger::served_trail_proofs).
nlohmann::json trail_page(const ledger::ChainStore& store,
                          const ledger::SignedCheckpoint& checkpoint, std::string_view subject,
                          const std::vector<uint64_t>& leaves, bool last);

}  // namespace medtrail::testing
