// gov.propose / gov.approve: membership of the consortium changes only with the approval of
// `gov_approvals` regulator organisations; a replayed or repeated approval changes nothing.
#include "medtrail/contracts/governance.h"

#include <algorithm>
#include <utility>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "family_views.h"

namespace medtrail::contracts {
namespace {

using gov::AddedIds;
using gov::Proposal;
using gov::Target;
using ledger::ExecutionResult;

std::string proposal_key(std::string_view id) { return "gov/" + std::string(id); }

bool is_org_type(std::string_view s) {
  return std::find(ledger::kOrgRoles.begin(), ledger::kOrgRoles.end(), s) != ledger::kOrgRoles.end();
}

const ledger::CryptoSuite& chain_suite(const Call& call) {
  return *ledger::find_suite(call.chain.genesis.suite);
}

// A node the chain counts as a member now (founded or added, not removed).
bool node_is_member(const Call& call, std::string_view node_id) {
  std::optional<StoredNode> stored = call.txn.read<StoredNode>(node_key(node_id));
  const bool removed = stored && stored->removed;
  if (call.chain.genesis.find_node(node_id) != nullptr) return !removed;
  return stored && !removed;
}

// Every id in one of the added-ids lists.
std::vector<std::string> added_ids(const Call& call, std::string_view list_key) {
  std::optional<AddedIds> list = call.txn.read<AddedIds>(list_key);
  return list ? std::move(list->ids) : std::vector<std::string>();
}

void append_to_list(Call& call, std::string_view list_key, const std::string& id) {
  AddedIds list = call.txn.read<AddedIds>(list_key).value_or(AddedIds());
  list.ids.push_back(id);
  call.txn.write(std::string(list_key), list);
}

// The member nodes now: the founding ones not removed, then those governance added and did not
// remove, in the order they were added.
std::vector<StoredNode> member_nodes(const Call& call) {
  std::vector<StoredNode> members;
  for (const ledger::GenesisNode& n : call.chain.genesis.nodes) {
    if (node_is_member(call, n.id)) members.push_back(StoredNode::of(n));
  }
  for (const std::string& id : added_ids(call, gov::kNodesAddedKey)) {
    std::optional<StoredNode> stored = call.txn.read<StoredNode>(node_key(id));
    if (stored && !stored->removed) members.push_back(std::move(*stored));
  }
  return members;
}

// Members' organisations after removing node `without` (may be empty).
std::vector<std::string> member_node_orgs(const Call& call, std::string_view without) {
  std::vector<std::string> orgs;
  for (StoredNode& n : member_nodes(call)) {
    if (n.id != without) orgs.push_back(std::move(n.org));
  }
  std::sort(orgs.begin(), orgs.end());
  orgs.erase(std::unique(orgs.begin(), orgs.end()), orgs.end());
  return orgs;
}

size_t member_regulators(const Call& call, std::string_view without) {
  size_t count = 0;
  for (const Organisation& org : member_orgs(call.txn, call.chain)) {
    if (org.id != without && org.has_type("regulator")) ++count;
  }
  return count;
}

// Genesis' rule for its own nodes, extended to the nodes added since: no two members share a
// peer or API address, nor a key.
ExecutionResult unique_among_members(const Call& call, const Target& node) {
  const std::pair<const char*, std::string> addresses[] = {
      {"peer_address", node.peer_address.value_or("")}, {"api_address", node.api_address.value_or("")}};
  const ledger::Bytes key = node.public_key.value_or(ledger::Bytes());
  for (const StoredNode& m : member_nodes(call)) {
    for (const auto& [name, address] : addresses) {
      if (address == m.peer_address || address == m.api_address) {
        return ExecutionResult::reject("address_in_use", "body.node." + std::string(name) +
                                                             " is a member node's address");
      }
    }
    if (key == m.public_key) {
      return ExecutionResult::reject("key_in_use", "body.node.public_key is a member node's key");
    }
  }
  return ExecutionResult::accept();
}

// Checks that the change can still be made now (at proposal and again at enactment).
ExecutionResult check_target(const Call& call, const Proposal& p) {
  const std::string& id = p.target.id;
  if (p.action == "org.add") {
    if (find_org(call.txn, call.chain, id)) {
      return ExecutionResult::reject("org_exists", "organisation " + id + " exists");
    }
  } else if (p.action == "org.remove") {
    std::optional<Organisation> org = find_org(call.txn, call.chain, id);
    if (!org || org->removed) return ExecutionResult::reject("unknown_org", "no member organisation " + id);
    const std::vector<std::string> orgs = member_node_orgs(call, "");
    if (std::find(orgs.begin(), orgs.end(), id) != orgs.end()) {
      return ExecutionResult::reject("org_has_nodes", "remove the organisation's nodes first");
    }
    if (org->has_type("regulator") && member_regulators(call, id) < call.chain.gov_approvals) {
      return ExecutionResult::reject("quorum_would_break",
                                     "fewer regulators than gov_approvals would remain");
    }
  } else if (p.action == "node.add") {
    if (node_is_member(call, id) || call.txn.get(node_key(id))) {
      return ExecutionResult::reject("node_exists", "node id " + id + " is or was a member");
    }
    // "<org>/<id>" signs as the node: it must not be a person's id, past or present, nor admin.
    const std::string node_org = p.target.org.value_or("");
    const std::string signer_id = node_org + "/" + id;
    if (id == "admin" || call.txn.get(identity_key(signer_id))) {
      return ExecutionResult::reject("identity_exists", signer_id + " is a person's identity id");
    }
    std::optional<Organisation> org = find_org(call.txn, call.chain, node_org);
    if (!org || org->removed) return ExecutionResult::reject("unknown_org", "the node's organisation is not a member");
    if (ExecutionResult unique = unique_among_members(call, p.target); !unique.accepted) return unique;
  } else if (p.action == "licence.grant" || p.action == "licence.withdraw") {
    std::optional<Organisation> org = find_org(call.txn, call.chain, id);
    if (!org || org->removed) return ExecutionResult::reject("unknown_org", "no member organisation " + id);
    // Internet diagnosis is a medical institution's (互联网诊疗管理办法（试行）art. 2).
    if (!org->has_type("hospital") && !org->has_type("clinic")) {
      return ExecutionResult::reject("licence_not_for_org",
                                     "internet diagnosis is licensed to a hospital or clinic only");
    }
    const bool held = holds_licence(call.txn, id, *p.target.licence);
    if (p.action == "licence.grant" && held) {
      return ExecutionResult::reject("already_licensed", id + " holds the licence already");
    }
    if (p.action == "licence.withdraw" && !held) {
      return ExecutionResult::reject("not_licensed", id + " does not hold the licence");
    }
  } else if (p.action == "node.remove") {
    if (!node_is_member(call, id)) return ExecutionResult::reject("unknown_node", "no member node " + id);
    if (member_node_orgs(call, id).size() < call.chain.genesis.checkpoint_quorum) {
      return ExecutionResult::reject("quorum_would_break",
                                     "fewer organisations with nodes than the checkpoint quorum would remain");
    }
  }
  return ExecutionResult::accept();
}

void enact(Call& call, Proposal& p, std::string_view proposal_id) {
  const Target& target = p.target;
  if (p.action == "org.add") {
    StoredOrg org;
    org.name = target.name.value_or("");
    org.types = target.types.value_or(std::vector<std::string>());
    org.admin_public_key = target.admin_public_key.value_or(ledger::Bytes());
    org.added_by = std::string(proposal_id);
    call.txn.write(org_key(target.id), org);
    append_to_list(call, gov::kOrgsAddedKey, target.id);
  } else if (p.action == "org.remove") {
    std::optional<Organisation> o = find_org(call.txn, call.chain, target.id);  // a member: checked
    StoredOrg org;
    org.name = std::move(o->name);
    org.types = std::move(o->types);
    org.admin_public_key = std::move(o->admin_public_key);
    org.removed = true;
    org.removed_by = std::string(proposal_id);
    call.txn.write(org_key(target.id), org);
  } else if (p.action == "node.add") {
    StoredNode node;
    node.id = target.id;
    node.org = target.org.value_or("");
    node.public_key = target.public_key.value_or(ledger::Bytes());
    node.tls_spki_sha256 = target.tls_spki_sha256.value_or(ledger::Bytes());
    node.peer_address = target.peer_address.value_or("");
    node.api_address = target.api_address.value_or("");
    node.added_by = std::string(proposal_id);
    call.txn.write(node_key(target.id), node);
    append_to_list(call, gov::kNodesAddedKey, target.id);
  } else if (p.action == "licence.grant" || p.action == "licence.withdraw") {
    StoredLicence licence;
    licence.granted = p.action == "licence.grant";
    licence.decided_by = std::string(proposal_id);
    licence.decided_at_ms = call.block.timestamp_ms;
    call.txn.write(licence_key(target.id, *target.licence), licence);
  } else if (p.action == "node.remove") {
    const ledger::GenesisNode* founding = call.chain.genesis.find_node(target.id);
    StoredNode node = founding != nullptr
                          ? StoredNode::of(*founding)
                          : call.txn.read<StoredNode>(node_key(target.id)).value_or(StoredNode());
    node.removed = true;
    node.removed_by = std::string(proposal_id);
    call.txn.write(node_key(target.id), node);
  }
  p.status = "enacted";
  p.enacted_at_ms = call.block.timestamp_ms;
  p.enacted_height = static_cast<int64_t>(call.block.height);
}

// Counts the approval; enacts the proposal once enough regulators agree.
ExecutionResult approve(Call& call, Proposal& p, std::string_view proposal_id) {
  p.approvals.push_back(call.org.id);
  if (p.approvals.size() >= call.chain.gov_approvals) {
    if (ExecutionResult still = check_target(call, p); !still.accepted) return still;
    enact(call, p, proposal_id);
  }
  call.txn.write(proposal_key(proposal_id), p);
  return ExecutionResult::accept();
}

// body.org for org.add -> the target, or nullopt with the reader's problem.
std::optional<Target> read_org_target(BodyReader& r, const Call& call) {
  std::optional<BodyReader> o = r.object("org");
  if (!o) return std::nullopt;
  auto id = o->token("id", Charset::kId, 1, 64);
  auto name = o->text("name", 256);
  auto types = o->string_list("types", 1, ledger::kOrgRoles.size(), is_org_type, "an organisation type");
  auto key = o->hex("admin_public_key", chain_suite(call).public_key_size());
  if (!o->finish()) return std::nullopt;
  Target target;
  target.id = std::move(*id);
  target.name = std::move(*name);
  target.types = std::move(*types);
  target.admin_public_key = ledger::from_hex(*key).value();  // lowercase hex, checked by the reader
  return target;
}

std::optional<Target> read_node_target(BodyReader& r, const Call& call) {
  const nlohmann::json* node = r.raw_object("node");
  if (node == nullptr) return std::nullopt;
  // Genesis' own rules (ids, key sizes, addresses); the organisation is checked against the
  // chain's current members afterwards, so parse with no organisation list.
  ledger::Genesis members_unchecked = call.chain.genesis;
  members_unchecked.organisations.clear();
  auto parsed = ledger::parse_genesis_node(node->dump(), members_unchecked, chain_suite(call));
  if (!parsed.ok()) {
    r.fail("bad_format", "body.node: " + parsed.status().message());
    return std::nullopt;
  }
  StoredNode entry = StoredNode::of(*parsed);
  Target target;
  target.id = std::move(entry.id);
  target.org = std::move(entry.org);
  target.public_key = std::move(entry.public_key);
  target.tls_spki_sha256 = std::move(entry.tls_spki_sha256);
  target.peer_address = std::move(entry.peer_address);
  target.api_address = std::move(entry.api_address);
  return target;
}

ExecutionResult propose(Call& call) {
  BodyReader r(call.body, "body");
  auto action = r.one_of("action", {"org.add", "org.remove", "node.add", "node.remove",
                                    "licence.grant", "licence.withdraw"});
  r.text("reason", 512);
  std::optional<Target> target;
  if (action == "org.add") {
    target = read_org_target(r, call);
  } else if (action == "node.add") {
    target = read_node_target(r, call);
  } else if (action == "org.remove") {
    if (auto id = r.token("org_id", Charset::kId, 1, 64)) target.emplace().id = std::move(*id);
  } else if (action == "node.remove") {
    if (auto id = r.token("node_id", Charset::kId, 1, 64)) target.emplace().id = std::move(*id);
  } else if (action == "licence.grant" || action == "licence.withdraw") {
    auto id = r.token("org_id", Charset::kId, 1, 64);
    auto licence = r.one_of("licence", {kInternetDiagnosis});
    if (id && licence) {
      target.emplace().id = std::move(*id);
      target->licence = std::move(*licence);
    }
  }
  if (!r.finish()) return r.result();
  const std::string id(call.record_id);
  call.txn.index("gov/" + id);
  Proposal p;
  p.action = std::move(*action);
  p.target = std::move(*target);
  p.proposer = call.org.id;
  p.proposed_at_ms = call.block.timestamp_ms;
  p.expires_at_ms = call.block.timestamp_ms + kProposalLifetimeMs;
  p.status = "open";
  if (ExecutionResult ok = check_target(call, p); !ok.accepted) return ok;
  // A licence decision is on the organisation's own trail, where its regulators look; a refused
  // proposal names an organisation it may not be about, so it stays on gov/ only.
  if (p.target.licence) call.txn.index("org/" + p.target.id);
  return approve(call, p, id);
}

ExecutionResult approve_proposal(Call& call) {
  BodyReader r(call.body, "body");
  auto id = r.hex("proposal_id", 32);
  if (!r.finish()) return r.result();
  call.txn.index("gov/" + *id);
  std::optional<Proposal> p = call.txn.read<Proposal>(proposal_key(*id));
  if (!p) return ExecutionResult::reject("unknown_proposal", "no governance proposal " + *id);
  if (p->status != "open") {
    return ExecutionResult::reject("proposal_closed", "the proposal was already enacted");
  }
  if (call.block.timestamp_ms > p->expires_at_ms) {
    return ExecutionResult::reject("proposal_expired", "the proposal lapsed 7 days after it was made");
  }
  if (std::find(p->approvals.begin(), p->approvals.end(), call.org.id) != p->approvals.end()) {
    return ExecutionResult::reject("duplicate_approval", "this organisation has approved already");
  }
  if (p->target.licence) call.txn.index("org/" + p->target.id);
  return approve(call, *p, *id);
}

}  // namespace

namespace {

// The change a stored node value describes; nullopt when it does not decode (the node layer
// reads these outside any record, so it skips what it cannot read rather than throw).
std::optional<NodeChange> node_change_from(std::string_view node_id, std::string_view value) {
  std::optional<StoredNode> stored = decode_value<StoredNode>(value);
  if (!stored) return std::nullopt;
  NodeChange change;
  change.removed = stored->removed;
  change.node = stored->genesis_node();
  change.node.id = std::string(node_id);
  return change;
}

}  // namespace

std::vector<NodeChange> node_changes(const ledger::StateWrites& writes) {
  std::vector<NodeChange> out;
  for (auto it = writes.lower_bound(std::string_view("node/"));
       it != writes.end() && it->first.starts_with("node/"); ++it) {
    if (!it->second) continue;
    if (auto change = node_change_from(std::string_view(it->first).substr(5), *it->second)) {
      out.push_back(std::move(*change));
    }
  }
  return out;
}

std::vector<NodeChange> governed_nodes(const StateView& state, const ChainParams& chain) {
  std::vector<NodeChange> out;
  for (const ledger::GenesisNode& n : chain.genesis.nodes) {
    std::optional<std::string> stored = state.get(node_key(n.id));
    if (!stored) continue;
    if (auto change = node_change_from(n.id, *stored); change && change->removed) {
      change->node = n;
      out.push_back(std::move(*change));
    }
  }
  std::optional<std::string> added = state.get(gov::kNodesAddedKey);
  std::optional<AddedIds> list = added ? decode_value<AddedIds>(*added) : std::nullopt;
  if (!list) return out;
  for (const std::string& id : list->ids) {
    std::optional<std::string> stored = state.get(node_key(id));
    if (!stored) continue;
    if (auto change = node_change_from(id, *stored)) out.push_back(std::move(*change));
  }
  return out;
}

std::vector<Organisation> member_orgs(const StateView& state, const ChainParams& chain) {
  std::vector<Organisation> members;
  auto add_if_member = [&](std::string_view id) {
    std::optional<Organisation> org = find_org(state, chain, id);
    if (org && !org->removed) members.push_back(std::move(*org));
  };
  for (const ledger::GenesisOrg& o : chain.genesis.organisations) add_if_member(o.id);
  if (std::optional<AddedIds> added = read_value<AddedIds>(state, gov::kOrgsAddedKey)) {
    for (const std::string& id : added->ids) add_if_member(id);
  }
  return members;
}

std::vector<KindRule> governance_rules() {
  return {
      {"gov.propose", {kAdminRole}, {"regulator"}, propose},
      {"gov.approve", {kAdminRole}, {"regulator"}, approve_proposal},
  };
}

}  // namespace medtrail::contracts

namespace medtrail::contracts {

const ValueCodec* governance_value_codec(std::string_view key) {
  if (key == gov::kOrgsAddedKey || key == gov::kNodesAddedKey) return codec_of<gov::AddedIds>();
  if (key.starts_with("gov/")) return codec_of<gov::Proposal>();
  return nullptr;
}

}  // namespace medtrail::contracts
