#pragma once
// From governance's decisions to Raft's configuration. The chain's state says which nodes the
// regulators added or removed (contracts/governance.h); the leader compares that with the
// configuration it runs and proposes the next step, one change at a time (Raft allows one
// pending configuration change):
//   1. a node governance removed that is still a voter or learner: remove it;
//   2. a node governance added that is not in the configuration: add it as a learner;
//   3. such a learner once it has caught up with the log: promote it to voter.
// Founding nodes are never added back by this plan, and nodes an operator added through the
// admin endpoint are left alone: only governance decisions drive it.
#include <cstdint>
#include <optional>
#include <vector>

#include "medtrail/consensus/types.h"
#include "core/raft_driver.h"
#include "medtrail/contracts/governance.h"

namespace medtrail::node {

// A learner within this many entries of the commit index counts as caught up.
inline constexpr uint64_t kPromoteLagEntries = 64;

std::optional<consensus::ConfChange> next_membership_change(
    const RaftStatus& status, const std::vector<contracts::NodeChange>& governed);

}  // namespace medtrail::node
