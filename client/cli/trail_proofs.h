#pragma once
// A trail page's proofs (GET /v1/audit/trails/...?proofs=1, docs/audit.md), checked against the
// genesis the reader holds: the checkpoint is this chain's and signed by a quorum of its
// organisations; each row is what its leaf says, and the leaf is in the tree the checkpoint
// signed. A row newer than the checkpoint is counted unproven, never shown as proven.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/genesis.h"

namespace medtrail::cli {

struct TrailPageCheck {
  size_t proven = 0;
  size_t unproven = 0;
  uint64_t checkpoint_height = 0;
  std::string problem;  // empty: everything checked holds; else what failed, naming the leaf
};

TrailPageCheck check_trail_page(const nlohmann::json& page, const ledger::LoadedGenesis& genesis);

// For a citizen's vaccination record (docs/privacy.md, "A citizen's vaccination record"): why a
// row is not a dose given to `patient_ref`, naming the leaf; "" when every row is one. Every row
// must claim an accepted vaccine.administer; a row with a proof must also be one by its leaf —
// the leaf's body names the ref, the row's code and its dose number. (check_trail_page checks
// the rest of a proven row against its leaf and the leaf against the checkpoint.)
std::string first_row_not_a_dose_of(const nlohmann::json& page, std::string_view patient_ref);

}  // namespace medtrail::cli
