// gov.propose / gov.approve: membership of the consortium changes only with the approval of
// `gov_approvals` regulator organisations; a replayed or repeated approval changes nothing.
#include "medtrail/contracts/governance.h"

#include <algorithm>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "family_views.h"

namespace medtrail::contracts {
namespace {

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
  std::optional<nlohmann::json> stored = call.txn.get_json(node_key(node_id));
  const bool removed = stored && stored->value("removed", false);
  if (call.chain.genesis.find_node(node_id) != nullptr) return !removed;
  return stored && !removed;
}

// Members' organisations after removing `without` (a node id, may be empty).
std::vector<std::string> member_node_orgs(const Call& call, std::string_view without,
                                          const std::vector<std::string>& added_ids) {
  std::vector<std::string> orgs;
  for (const ledger::GenesisNode& n : call.chain.genesis.nodes) {
    if (n.id != without && node_is_member(call, n.id)) orgs.push_back(n.org);
  }
  for (const std::string& id : added_ids) {
    if (id == without || !node_is_member(call, id)) continue;
    if (auto stored = call.txn.get_json(node_key(id))) orgs.push_back(stored->value("org", ""));
  }
  std::sort(orgs.begin(), orgs.end());
  orgs.erase(std::unique(orgs.begin(), orgs.end()), orgs.end());
  return orgs;
}

// Every node id ever added by governance (kept in one list so checks need no range scan).
std::vector<std::string> added_node_ids(const Call& call) {
  std::optional<nlohmann::json> list = call.txn.get_json("gov/nodes-added");
  std::vector<std::string> ids;
  if (list && list->contains("ids") && (*list)["ids"].is_array()) {
    for (const auto& id : (*list)["ids"]) {
      if (id.is_string()) ids.push_back(id.get<std::string>());
    }
  }
  return ids;
}

size_t member_regulators(const Call& call, std::string_view without) {
  size_t count = 0;
  for (const ledger::GenesisOrg& o : call.chain.genesis.organisations) {
    std::optional<Organisation> org = find_org(call.txn, call.chain, o.id);
    if (o.id != without && org && !org->removed && org->has_type("regulator")) ++count;
  }
  std::optional<nlohmann::json> list = call.txn.get_json("gov/orgs-added");
  if (list && list->contains("ids") && (*list)["ids"].is_array()) {
    for (const auto& id : (*list)["ids"]) {
      if (!id.is_string() || id.get<std::string>() == without) continue;
      std::optional<Organisation> org = find_org(call.txn, call.chain, id.get<std::string>());
      if (org && !org->removed && org->has_type("regulator")) ++count;
    }
  }
  return count;
}

void append_to_list(Call& call, const std::string& key, const std::string& id) {
  nlohmann::json list = call.txn.get_json(key).value_or(nlohmann::json::object());
  if (!list.contains("ids") || !list["ids"].is_array()) list["ids"] = nlohmann::json::array();
  list["ids"].push_back(id);
  call.txn.put_json(key, list);
}

// Genesis' rule for its own nodes, extended to the nodes added since: no two members share a
// peer or API address, nor a key.
ExecutionResult unique_among_members(const Call& call, const nlohmann::json& node) {
  std::vector<nlohmann::json> members;
  for (const ledger::GenesisNode& n : call.chain.genesis.nodes) {
    if (node_is_member(call, n.id)) members.push_back(nlohmann::json::parse(ledger::genesis_node_to_json(n)));
  }
  for (const std::string& id : added_node_ids(call)) {
    if (!node_is_member(call, id)) continue;
    if (auto stored = call.txn.get_json(node_key(id))) members.push_back(*stored);
  }
  for (const nlohmann::json& m : members) {
    for (const char* field : {"peer_address", "api_address"}) {
      const std::string address = node.value(field, "");
      if (address == m.value("peer_address", "") || address == m.value("api_address", "")) {
        return ExecutionResult::reject("address_in_use", "body.node." + std::string(field) +
                                                             " is a member node's address");
      }
    }
    if (node.value("public_key", "") == m.value("public_key", "")) {
      return ExecutionResult::reject("key_in_use", "body.node.public_key is a member node's key");
    }
  }
  return ExecutionResult::accept();
}

// Checks that the change can still be made now (at proposal and again at enactment).
ExecutionResult check_target(const Call& call, const nlohmann::json& p) {
  const std::string action = p.value("action", "");
  const nlohmann::json& target = p["target"];
  if (action == "org.add") {
    if (find_org(call.txn, call.chain, target.value("id", ""))) {
      return ExecutionResult::reject("org_exists", "organisation " + target.value("id", "") + " exists");
    }
  } else if (action == "org.remove") {
    const std::string id = target.value("id", "");
    std::optional<Organisation> org = find_org(call.txn, call.chain, id);
    if (!org || org->removed) return ExecutionResult::reject("unknown_org", "no member organisation " + id);
    const std::vector<std::string> orgs = member_node_orgs(call, "", added_node_ids(call));
    if (std::find(orgs.begin(), orgs.end(), id) != orgs.end()) {
      return ExecutionResult::reject("org_has_nodes", "remove the organisation's nodes first");
    }
    if (org->has_type("regulator") && member_regulators(call, id) < call.chain.gov_approvals) {
      return ExecutionResult::reject("quorum_would_break",
                                     "fewer regulators than gov_approvals would remain");
    }
  } else if (action == "node.add") {
    const std::string id = target.value("id", "");
    if (node_is_member(call, id) || call.txn.get(node_key(id))) {
      return ExecutionResult::reject("node_exists", "node id " + id + " is or was a member");
    }
    // "<org>/<id>" signs as the node: it must not be a person's id, past or present, nor admin.
    const std::string signer_id = target.value("org", "") + "/" + id;
    if (id == "admin" || call.txn.get(identity_key(signer_id))) {
      return ExecutionResult::reject("identity_exists", signer_id + " is a person's identity id");
    }
    std::optional<Organisation> org = find_org(call.txn, call.chain, target.value("org", ""));
    if (!org || org->removed) return ExecutionResult::reject("unknown_org", "the node's organisation is not a member");
    if (ExecutionResult unique = unique_among_members(call, target); !unique.accepted) return unique;
  } else if (action == "node.remove") {
    const std::string id = target.value("id", "");
    if (!node_is_member(call, id)) return ExecutionResult::reject("unknown_node", "no member node " + id);
    if (member_node_orgs(call, id, added_node_ids(call)).size() < call.chain.genesis.checkpoint_quorum) {
      return ExecutionResult::reject("quorum_would_break",
                                     "fewer organisations with nodes than the checkpoint quorum would remain");
    }
  }
  return ExecutionResult::accept();
}

void enact(Call& call, nlohmann::json& p, std::string_view proposal_id) {
  const std::string action = p["action"];
  const nlohmann::json& target = p["target"];
  const std::string id = target.value("id", "");
  if (action == "org.add") {
    nlohmann::json org = target;
    org.erase("id");
    org["added_by"] = std::string(proposal_id);
    call.txn.put_json(org_key(id), org);
    append_to_list(call, "gov/orgs-added", id);
  } else if (action == "org.remove") {
    std::optional<Organisation> o = find_org(call.txn, call.chain, id);
    call.txn.put_json(org_key(id), {{"name", o->name},
                                    {"types", o->types},
                                    {"admin_public_key", ledger::to_hex(o->admin_public_key)},
                                    {"removed", true},
                                    {"removed_by", std::string(proposal_id)}});
  } else if (action == "node.add") {
    nlohmann::json node = target;
    node["added_by"] = std::string(proposal_id);
    call.txn.put_json(node_key(id), node);
    append_to_list(call, "gov/nodes-added", id);
  } else if (action == "node.remove") {
    nlohmann::json node = call.txn.get_json(node_key(id)).value_or(nlohmann::json::object());
    if (const ledger::GenesisNode* g = call.chain.genesis.find_node(id)) {
      node = nlohmann::json::parse(ledger::genesis_node_to_json(*g));
    }
    node["removed"] = true;
    node["removed_by"] = std::string(proposal_id);
    call.txn.put_json(node_key(id), node);
  }
  p["status"] = "enacted";
  p["enacted_at_ms"] = call.block.timestamp_ms;
  p["enacted_height"] = call.block.height;
}

// Counts the approval; enacts the proposal once enough regulators agree.
ExecutionResult approve(Call& call, nlohmann::json& p, std::string_view proposal_id) {
  p["approvals"].push_back(call.org.id);
  if (p["approvals"].size() >= call.chain.gov_approvals) {
    if (ExecutionResult still = check_target(call, p); !still.accepted) return still;
    enact(call, p, proposal_id);
  }
  call.txn.put_json(proposal_key(proposal_id), p);
  return ExecutionResult::accept();
}

// body.org for org.add -> the target object, or nullopt with the reader's problem.
std::optional<nlohmann::json> read_org_target(BodyReader& r, const Call& call) {
  std::optional<BodyReader> o = r.object("org");
  if (!o) return std::nullopt;
  auto id = o->token("id", Charset::kId, 1, 64);
  auto name = o->text("name", 256);
  auto types = o->string_list("types", 1, ledger::kOrgRoles.size(), is_org_type, "an organisation type");
  auto key = o->hex("admin_public_key", chain_suite(call).public_key_size());
  if (!o->finish()) return std::nullopt;
  return nlohmann::json{{"id", *id}, {"name", *name}, {"types", *types}, {"admin_public_key", *key}};
}

std::optional<nlohmann::json> read_node_target(BodyReader& r, const Call& call) {
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
  return nlohmann::json::parse(ledger::genesis_node_to_json(*parsed));
}

ExecutionResult propose(Call& call) {
  BodyReader r(call.body, "body");
  auto action = r.one_of("action", {"org.add", "org.remove", "node.add", "node.remove"});
  r.text("reason", 512);
  std::optional<nlohmann::json> target;
  if (action == "org.add") {
    target = read_org_target(r, call);
  } else if (action == "node.add") {
    target = read_node_target(r, call);
  } else if (action == "org.remove") {
    if (auto id = r.token("org_id", Charset::kId, 1, 64)) target = nlohmann::json{{"id", *id}};
  } else if (action == "node.remove") {
    if (auto id = r.token("node_id", Charset::kId, 1, 64)) target = nlohmann::json{{"id", *id}};
  }
  if (!r.finish()) return r.result();
  const std::string id(call.record_id);
  call.txn.index("gov/" + id);
  nlohmann::json p = {{"action", *action},
                      {"target", *target},
                      {"proposer", call.org.id},
                      {"proposed_at_ms", call.block.timestamp_ms},
                      {"expires_at_ms", call.block.timestamp_ms + kProposalLifetimeMs},
                      {"approvals", nlohmann::json::array()},
                      {"status", "open"}};
  if (ExecutionResult ok = check_target(call, p); !ok.accepted) return ok;
  return approve(call, p, id);
}

ExecutionResult approve_proposal(Call& call) {
  BodyReader r(call.body, "body");
  auto id = r.hex("proposal_id", 32);
  if (!r.finish()) return r.result();
  call.txn.index("gov/" + *id);
  std::optional<nlohmann::json> p = call.txn.get_json(proposal_key(*id));
  if (!p || !p->contains("approvals")) {
    return ExecutionResult::reject("unknown_proposal", "no governance proposal " + *id);
  }
  if (p->value("status", "") != "open") {
    return ExecutionResult::reject("proposal_closed", "the proposal was already enacted");
  }
  if (call.block.timestamp_ms > p->value("expires_at_ms", int64_t{0})) {
    return ExecutionResult::reject("proposal_expired", "the proposal lapsed 7 days after it was made");
  }
  const auto& approvals = (*p)["approvals"];
  if (std::find(approvals.begin(), approvals.end(), call.org.id) != approvals.end()) {
    return ExecutionResult::reject("duplicate_approval", "this organisation has approved already");
  }
  return approve(call, *p, *id);
}

}  // namespace

namespace {

std::optional<NodeChange> node_change_from(std::string_view node_id, const std::string& value) {
  nlohmann::json v = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!v.is_object()) return std::nullopt;
  NodeChange change;
  change.removed = v.value("removed", false);
  change.node.id = std::string(node_id);
  change.node.org = v.value("org", "");
  auto key = ledger::from_hex(v.value("public_key", ""));
  if (key.ok()) change.node.public_key = *key;
  auto pin = ledger::hash_from_hex(v.value("tls_spki_sha256", ""));
  if (pin.ok()) change.node.tls_spki_sha256 = *pin;
  change.node.peer_address = v.value("peer_address", "");
  change.node.api_address = v.value("api_address", "");
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
  std::optional<std::string> added = state.get("gov/nodes-added");
  nlohmann::json list = added ? nlohmann::json::parse(*added, nullptr, false) : nlohmann::json();
  if (!list.is_object() || !list.contains("ids") || !list["ids"].is_array()) return out;
  for (const auto& id : list["ids"]) {
    if (!id.is_string()) continue;
    std::optional<std::string> stored = state.get(node_key(id.get<std::string>()));
    if (!stored) continue;
    if (auto change = node_change_from(id.get<std::string>(), *stored)) out.push_back(std::move(*change));
  }
  return out;
}

std::vector<KindRule> governance_rules() {
  return {
      {"gov.propose", {kAdminRole}, {"regulator"}, propose},
      {"gov.approve", {kAdminRole}, {"regulator"}, approve_proposal},
  };
}

}  // namespace medtrail::contracts

namespace medtrail::contracts {

const ValueCodec* governance_value_codec(std::string_view) { return legacy_json_codec(); }

}  // namespace medtrail::contracts
