#pragma once
// Governance: regulators add or remove organisations and nodes by proposal and approval.
// A proposal (gov.propose, by a regulator organisation's admin) counts as its organisation's
// approval; it is enacted in the block where `gov_approvals` distinct regulator organisations
// have approved it (gov.approve), and it lapses 7 days after it was made.
//
// State: "gov/<proposal id>" (the proposal record's id), and on enactment "org/<id>" or
// "node/<id>" (directory.h). A node change in a block's writes is what the node layer turns
// into a Raft membership change.
#include <cstdint>
#include <string>
#include <vector>

#include "medtrail/contracts/context.h"
#include "medtrail/contracts/state.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/genesis.h"

namespace medtrail::contracts {

inline constexpr int64_t kProposalLifetimeMs = 7 * 86'400'000LL;

struct NodeChange {
  ledger::GenesisNode node;  // as genesis would describe it
  bool removed = false;
};

// The node additions and removals a block's writes enact, in node id order.
std::vector<NodeChange> node_changes(const ledger::StateWrites& writes);

// Every node whose membership governance decided: the nodes it added (removed or not, in the
// order they were added) and the founding nodes it removed.
std::vector<NodeChange> governed_nodes(const StateView& state, const ChainParams& chain);

}  // namespace medtrail::contracts
