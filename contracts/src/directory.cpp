#include "medtrail/contracts/directory.h"

#include <algorithm>

#include "medtrail/contracts/calendar.h"
#include "family_views.h"

namespace medtrail::contracts {
namespace {

// Directory reads are lenient: they also run outside handlers (the node's signer checks), so a
// value that does not decode reads as absent, which leaves its signer unknown (fail closed).
template <StoredStruct T>
std::optional<T> read_leniently(const StateView& state, const std::string& key) {
  std::optional<std::string> raw = state.get(key);
  if (!raw) return std::nullopt;
  return decode_value<T>(*raw);
}

}  // namespace

StoredNode StoredNode::of(const ledger::GenesisNode& node) {
  StoredNode n;
  n.id = node.id;
  n.org = node.org;
  n.public_key = node.public_key;
  n.tls_spki_sha256.assign(node.tls_spki_sha256.begin(), node.tls_spki_sha256.end());
  n.peer_address = node.peer_address;
  n.api_address = node.api_address;
  return n;
}

ledger::GenesisNode StoredNode::genesis_node() const {
  ledger::GenesisNode node;
  node.id = id;
  node.org = org;
  node.public_key = public_key;
  if (tls_spki_sha256.size() == node.tls_spki_sha256.size()) {
    std::copy(tls_spki_sha256.begin(), tls_spki_sha256.end(), node.tls_spki_sha256.begin());
  }
  node.peer_address = peer_address;
  node.api_address = api_address;
  return node;
}

bool Organisation::has_type(std::string_view type) const {
  return std::find(types.begin(), types.end(), type) != types.end();
}

bool Signer::has_qualification(std::string_view q) const {
  return std::find(qualifications.begin(), qualifications.end(), q) != qualifications.end();
}

std::string org_key(std::string_view org) { return "org/" + std::string(org); }
std::string identity_key(std::string_view signer_id) { return "id/" + std::string(signer_id); }
std::string node_key(std::string_view node_id) { return "node/" + std::string(node_id); }
std::string licence_key(std::string_view org, std::string_view licence) {
  return "licence/" + std::string(org) + "/" + std::string(licence);
}

bool holds_licence(const StateView& state, std::string_view org, std::string_view licence) {
  std::optional<StoredLicence> stored = read_leniently<StoredLicence>(state, licence_key(org, licence));
  return stored && stored->granted;
}

std::optional<Organisation> find_org(const StateView& state, const ChainParams& chain,
                                     std::string_view org) {
  std::optional<StoredOrg> stored = read_leniently<StoredOrg>(state, org_key(org));
  Organisation o;
  o.id = std::string(org);
  if (const ledger::GenesisOrg* g = chain.genesis.find_org(org)) {
    o.name = g->name;
    o.types = g->roles;
    o.admin_public_key = g->admin_public_key;
    o.removed = stored && stored->removed;
    return o;
  }
  if (!stored) return std::nullopt;
  o.name = std::move(stored->name);
  o.types = std::move(stored->types);
  o.admin_public_key = std::move(stored->admin_public_key);
  o.removed = stored->removed;
  return o;
}

std::optional<Signer> find_signer(const StateView& state, const ChainParams& chain,
                                  std::string_view signer_id) {
  const size_t slash = signer_id.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == signer_id.size()) return std::nullopt;
  const std::string_view org = signer_id.substr(0, slash);
  const std::string_view name = signer_id.substr(slash + 1);
  Signer s;
  s.id = std::string(signer_id);
  s.org = std::string(org);

  if (name == "admin") {
    std::optional<Organisation> o = find_org(state, chain, org);
    if (!o || o->admin_public_key.empty()) return std::nullopt;
    s.role = std::string(kAdminRole);
    s.public_key = std::move(o->admin_public_key);
    return s;
  }
  // A node: founded in genesis or added by governance; the org part must match.
  std::optional<StoredNode> stored_node = read_leniently<StoredNode>(state, node_key(name));
  if (const ledger::GenesisNode* n = chain.genesis.find_node(name); n != nullptr && n->org == org) {
    s.role = std::string(kNodeRole);
    s.public_key = n->public_key;
    if (stored_node && stored_node->removed) s.revoked_at_ms = 0;
    return s;
  }
  if (stored_node && stored_node->org == org) {
    s.role = std::string(kNodeRole);
    s.public_key = std::move(stored_node->public_key);
    if (stored_node->removed) s.revoked_at_ms = 0;
    return s;
  }
  // A person: the hot path, one read and one decode per signer and block.
  std::optional<StoredIdentity> person = read_leniently<StoredIdentity>(state, identity_key(signer_id));
  if (!person) return std::nullopt;
  s.role = std::move(person->role);
  s.public_key = std::move(person->public_key);
  s.licence_no = std::move(person->licence_no);
  s.qualifications = std::move(person->qualifications);
  s.title = person->title.value_or("");
  if (person->practice_since) s.practice_since_day = parse_date(*person->practice_since);
  if (auto day = parse_date(person->valid_from)) s.valid_from_day = *day;
  if (auto day = parse_date(person->valid_until)) s.valid_until_day = *day;
  s.revoked_at_ms = person->revoked_at_ms;
  return s;
}

ledger::ExecutionResult signer_validity(const StateView& state, const ChainParams& chain,
                                        const Signer& signer, int64_t now_ms) {
  return signer_validity(find_org(state, chain, signer.org), chain, signer, now_ms);
}

ledger::ExecutionResult signer_validity(const std::optional<Organisation>& org,
                                        const ChainParams& chain, const Signer& signer,
                                        int64_t now_ms) {
  if (!org || org->removed) {
    return ledger::ExecutionResult::reject("signer_revoked",
                                           "the signer's organisation is not a member of the chain");
  }
  if (signer.revoked_at_ms && *signer.revoked_at_ms <= now_ms) {
    return ledger::ExecutionResult::reject("signer_revoked", "the signer's key was revoked");
  }
  const int64_t today = day_of(now_ms, chain.utc_offset_minutes);
  if (today < signer.valid_from_day) {
    return ledger::ExecutionResult::reject(
        "signer_not_yet_valid", "the signer's registration is valid from " + format_date(signer.valid_from_day));
  }
  if (today > signer.valid_until_day) {
    return ledger::ExecutionResult::reject(
        "signer_expired", "the signer's registration ended on " + format_date(signer.valid_until_day));
  }
  return ledger::ExecutionResult::accept();
}

}  // namespace medtrail::contracts

namespace medtrail::contracts {

const ValueCodec* directory_value_codec(std::string_view key) {
  if (key.starts_with("org/")) return codec_of<StoredOrg>();
  if (key.starts_with("id/")) return codec_of<StoredIdentity>();
  if (key.starts_with("node/")) return codec_of<StoredNode>();
  if (key.starts_with("licence/")) return codec_of<StoredLicence>();
  return nullptr;
}

}  // namespace medtrail::contracts
