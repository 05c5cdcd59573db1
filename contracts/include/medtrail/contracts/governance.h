#pragma once
// Governance: regulators add or remove organisations and nodes, and grant or withdraw an
// organisation's licences (directory.h), by proposal and approval.
// A proposal (gov.propose, by a regulator organisation's admin) counts as its organisation's
// approval; it is enacted in the block where `gov_approvals` distinct regulator organisations
// have approved it (gov.approve), and it lapses 7 days after it was made.
//
// State: "gov/<proposal id>" (the proposal record's id, gov::Proposal), and on enactment
// "org/<id>", "node/<id>" or "licence/<org>/<licence>" (directory.h) and the id appended to "gov/orgs-added" or
// "gov/nodes-added" (gov::AddedIds). A node change in a block's writes is what the node layer
// turns into a Raft membership change.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/context.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/state.h"
#include "medtrail/contracts/state_codec.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/genesis.h"

namespace medtrail::contracts {

inline constexpr int64_t kProposalLifetimeMs = 7 * 86'400'000LL;

namespace gov {

// What a proposal changes. `id` names the organisation or node; the other fields are those of
// the entry to add: org.add's organisation, node.add's genesis node entry, or the licence a
// licence.grant or licence.withdraw decides on (absent otherwise).
struct Target {
  std::string id;
  std::optional<std::string> name;                 // org.add
  std::optional<std::vector<std::string>> types;   // org.add
  std::optional<ledger::Bytes> admin_public_key;   // org.add
  std::optional<std::string> org;                  // node.add: the node's organisation
  std::optional<ledger::Bytes> public_key;         // node.add
  std::optional<ledger::Bytes> tls_spki_sha256;    // node.add
  std::optional<std::string> peer_address;         // node.add
  std::optional<std::string> api_address;          // node.add
  std::optional<std::string> licence;              // licence.grant, licence.withdraw

  static constexpr auto fields() {
    return std::tuple{field("id", &Target::id),
                      field("name", &Target::name),
                      field("types", &Target::types),
                      field("admin_public_key", &Target::admin_public_key),
                      field("org", &Target::org),
                      field("public_key", &Target::public_key),
                      field("tls_spki_sha256", &Target::tls_spki_sha256),
                      field("peer_address", &Target::peer_address),
                      field("api_address", &Target::api_address),
                      field("licence", &Target::licence)};
  }
};

// "gov/<proposal id>".
struct Proposal {
  std::string action;  // org.add, org.remove, node.add, node.remove, licence.grant, licence.withdraw
  Target target;
  std::string proposer;  // the proposing organisation
  int64_t proposed_at_ms = 0;
  int64_t expires_at_ms = 0;
  std::vector<std::string> approvals;  // organisations, in order; the proposer's first
  std::string status;                  // "open" or "enacted"
  std::optional<int64_t> enacted_at_ms;
  std::optional<int64_t> enacted_height;

  static constexpr auto fields() {
    return std::tuple{field("action", &Proposal::action),
                      field("target", &Proposal::target),
                      field("proposer", &Proposal::proposer),
                      field("proposed_at_ms", &Proposal::proposed_at_ms),
                      field("expires_at_ms", &Proposal::expires_at_ms),
                      field("approvals", &Proposal::approvals),
                      field("status", &Proposal::status),
                      field("enacted_at_ms", &Proposal::enacted_at_ms),
                      field("enacted_height", &Proposal::enacted_height)};
  }
};

// "gov/orgs-added", "gov/nodes-added": every id governance added, in order (so checks over the
// members need no range scan).
struct AddedIds {
  std::vector<std::string> ids;

  static constexpr auto fields() { return std::tuple{field("ids", &AddedIds::ids)}; }
};

inline constexpr std::string_view kOrgsAddedKey = "gov/orgs-added";
inline constexpr std::string_view kNodesAddedKey = "gov/nodes-added";

}  // namespace gov

struct NodeChange {
  ledger::GenesisNode node;  // as genesis would describe it
  bool removed = false;
};

// The member organisations now: the founding ones not removed, then those governance added and
// did not remove, in the order they were added.
std::vector<Organisation> member_orgs(const StateView& state, const ChainParams& chain);

// The node additions and removals a block's writes enact, in node id order.
std::vector<NodeChange> node_changes(const ledger::StateWrites& writes);

// Every node whose membership governance decided: the nodes it added (removed or not, in the
// order they were added) and the founding nodes it removed.
std::vector<NodeChange> governed_nodes(const StateView& state, const ChainParams& chain);

}  // namespace medtrail::contracts
