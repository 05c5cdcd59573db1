#include "medtrail/contracts/directory.h"

#include <algorithm>

#include "medtrail/contracts/calendar.h"
#include "family_views.h"

namespace medtrail::contracts {
namespace {

std::optional<nlohmann::json> read_json(const StateView& state, const std::string& key) {
  std::optional<std::string> raw = state.get(key);
  if (!raw) return std::nullopt;
  nlohmann::json v = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (!v.is_object()) return std::nullopt;
  return v;
}

std::string string_at(const nlohmann::json& v, const char* name) {
  auto it = v.find(name);
  return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
}

ledger::Bytes hex_at(const nlohmann::json& v, const char* name) {
  auto bytes = ledger::from_hex(string_at(v, name));
  return bytes.ok() ? *bytes : ledger::Bytes();
}

bool removed_at(const nlohmann::json& v) {
  auto it = v.find("removed");
  return it != v.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

bool Organisation::has_type(std::string_view type) const {
  return std::find(types.begin(), types.end(), type) != types.end();
}

std::string org_key(std::string_view org) { return "org/" + std::string(org); }
std::string identity_key(std::string_view signer_id) { return "id/" + std::string(signer_id); }
std::string node_key(std::string_view node_id) { return "node/" + std::string(node_id); }

std::optional<Organisation> find_org(const StateView& state, const ChainParams& chain,
                                     std::string_view org) {
  std::optional<nlohmann::json> stored = read_json(state, org_key(org));
  Organisation o;
  o.id = std::string(org);
  if (const ledger::GenesisOrg* g = chain.genesis.find_org(org)) {
    o.name = g->name;
    o.types = g->roles;
    o.admin_public_key = g->admin_public_key;
    o.removed = stored && removed_at(*stored);
    return o;
  }
  if (!stored) return std::nullopt;
  o.name = string_at(*stored, "name");
  if (auto it = stored->find("types"); it != stored->end() && it->is_array()) {
    for (const auto& t : *it) {
      if (t.is_string()) o.types.push_back(t.get<std::string>());
    }
  }
  o.admin_public_key = hex_at(*stored, "admin_public_key");
  o.removed = removed_at(*stored);
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
    s.public_key = o->admin_public_key;
    return s;
  }
  // A node: founded in genesis or added by governance; the org part must match.
  std::optional<nlohmann::json> stored_node = read_json(state, node_key(name));
  if (const ledger::GenesisNode* n = chain.genesis.find_node(name); n != nullptr && n->org == org) {
    s.role = std::string(kNodeRole);
    s.public_key = n->public_key;
    if (stored_node && removed_at(*stored_node)) s.revoked_at_ms = 0;
    return s;
  }
  if (stored_node && string_at(*stored_node, "org") == org) {
    s.role = std::string(kNodeRole);
    s.public_key = hex_at(*stored_node, "public_key");
    if (removed_at(*stored_node)) s.revoked_at_ms = 0;
    return s;
  }
  std::optional<nlohmann::json> person = read_json(state, identity_key(signer_id));
  if (!person) return std::nullopt;
  s.role = string_at(*person, "role");
  s.public_key = hex_at(*person, "public_key");
  s.licence_no = string_at(*person, "licence_no");
  if (auto day = parse_date(string_at(*person, "valid_from"))) s.valid_from_day = *day;
  if (auto day = parse_date(string_at(*person, "valid_until"))) s.valid_until_day = *day;
  if (auto it = person->find("revoked_at_ms"); it != person->end() && it->is_number_integer()) {
    s.revoked_at_ms = it->get<int64_t>();
  }
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

const ValueCodec* directory_value_codec(std::string_view) { return legacy_json_codec(); }

}  // namespace medtrail::contracts
