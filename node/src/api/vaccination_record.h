#pragma once
// A citizen's own vaccination record (预防接种证 / 接种信息查询; docs/privacy.md, "A citizen's
// vaccination record"): every dose the chain says was given to the ref, read from the ref's
// trail. Only the pseudonym service's node answers it, for a citizen whose identity check named
// their resident id; the answer is theirs alone, so it carries their records whole — each leaf
// as the chain stores it with its path to a quorum checkpoint, the rows of an audit page with
// proofs (docs/audit.md) — where the public lookups carry chosen facts only.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "medtrail/contracts/context.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/checkpoint.h"

namespace medtrail::node::api {

// The most doses one answer lists (`truncated` when more follow), and the most entries of the
// ref's trail it reads to find them, oldest first (`scan_truncated` when the trail is longer: a
// trail also holds prescriptions, reads, claims and these lookups).
inline constexpr size_t kMaxVaccinations = 200;
inline constexpr size_t kMaxVaccinationScan = 20000;

// {"patient_ref", "checkpoint" (null without one), "rows": [{"leaf_index", "record_id", "at_ms",
// "kind", "actor", "accepted", "code", "dose_number", "date", "organisation" (from the leaf), and
// "vaccine", "product_code", "lot", "expiry", "lot_recalled" (from the dose's state; null when
// the state has none), "proof" (leaf_proof_json; null without a checkpoint or for a dose newer
// than it)}], "truncated", "scan_truncated", "as_of": {"height", "tree_size"}}, oldest first:
// each accepted vaccine.administer whose body names the ref. Errors: `io_error`, `corrupt_state`
// (a state value that does not decode).
ledger::Result<nlohmann::json> vaccination_record(const ledger::ChainStore& store,
                                                  const contracts::ChainParams& chain,
                                                  std::string_view patient_ref,
                                                  const std::optional<ledger::SignedCheckpoint>& checkpoint);

}  // namespace medtrail::node::api
