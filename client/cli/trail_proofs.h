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

}  // namespace medtrail::cli
