#include "medtrail/ledger/genesis.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <span>

#include "medtrail/ledger/oprf.h"
#include "medtrail/ledger/rfc3339.h"
#include "medtrail/ledger/sealed_fields.h"
#include "strict_json.h"

namespace medtrail::ledger {
namespace {

using nlohmann::json;

// A genesis of 256 organisations and 64 nodes is well under 100 KiB.
constexpr size_t kMaxGenesisFileBytes = 1 << 20;
constexpr size_t kMaxOrganisations = 256;
constexpr size_t kMaxNodes = 64;
constexpr size_t kMaxNameBytes = 256;

constexpr std::string_view kTopFields[] = {"format",  "chain_name", "suite",
                                           "created", "time_zone",  "organisations",
                                           "nodes",   "raft",       "checkpoint_quorum",
                                           "gov_approvals", "pseudonym", "confidential_fields",
                                           "prescription_flow"};
constexpr std::string_view kOrgFields[] = {"id", "name", "roles", "admin_public_key",
                                           "encryption_public_key"};
constexpr std::string_view kNodeFields[] = {
    "id", "org", "public_key", "tls_spki_sha256", "peer_address", "api_address"};
constexpr std::string_view kPseudonymFields[] = {"org", "public_key", "org_daily_limit",
                                                 "person_daily_limit", "citizen_daily_limit"};
constexpr uint32_t kMaxCitizenDailyEvaluations = 1000;
constexpr uint32_t kMaxDailyEvaluations = 10'000'000;
constexpr std::string_view kRaftFields[] = {"tick_ms", "election_ticks", "heartbeat_ticks"};

// "organisations[0]" + "id" -> "organisations[0].id"; the top level has an empty path.
std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

Status bad(const std::string& path, const std::string& why) {
  return Status::error("bad_genesis", path + ": " + why);
}

// Every field of every genesis object is required: the file is written by a tool, and a
// default filled in by one reader but not another would split the consortium.
// Fields a document may leave out (their defaults apply).
constexpr std::string_view kOptionalFields[] = {"gov_approvals", "pseudonym", "confidential_fields",
                                                "prescription_flow",
                                                "encryption_public_key"};

Status check_fields(const json& obj, const std::string& path,
                    std::span<const std::string_view> names) {
  for (const auto& item : obj.items()) {
    if (std::find(names.begin(), names.end(), item.key()) == names.end()) {
      return bad(join(path, item.key()), "unknown field");
    }
  }
  for (std::string_view name : names) {
    const bool optional = std::find(std::begin(kOptionalFields), std::end(kOptionalFields), name) !=
                          std::end(kOptionalFields);
    if (!optional && !obj.contains(name)) return bad(join(path, name), "missing");
  }
  return Status();
}

Status get_string(const json& obj, const std::string& path, std::string_view key,
                  std::string& out) {
  const json& v = obj.at(std::string(key));
  if (!v.is_string()) return bad(join(path, key), "must be a string");
  out = v.get<std::string>();
  return Status();
}

Status get_uint(const json& obj, const std::string& path, std::string_view key, uint64_t lo,
                uint64_t hi, uint32_t& out) {
  const json& v = obj.at(std::string(key));
  if (!v.is_number_integer()) return bad(join(path, key), "must be an integer");
  bool in_range = v.is_number_unsigned() && v.get<uint64_t>() >= lo && v.get<uint64_t>() <= hi;
  if (!in_range) {
    return bad(join(path, key), "must be " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  out = static_cast<uint32_t>(v.get<uint64_t>());
  return Status();
}

Status get_array(const json& obj, const std::string& path, std::string_view key, size_t lo,
                 size_t hi, const json*& out) {
  const json& v = obj.at(std::string(key));
  if (!v.is_array()) return bad(join(path, key), "must be an array");
  if (v.size() < lo || v.size() > hi) {
    return bad(join(path, key), "must have " + std::to_string(lo) + ".." + std::to_string(hi) +
                                    " entries, has " + std::to_string(v.size()));
  }
  out = &v;
  return Status();
}

Status get_object(const json& obj, const std::string& path, std::string_view key,
                  const json*& out) {
  const json& v = obj.at(std::string(key));
  if (!v.is_object()) return bad(join(path, key), "must be an object");
  out = &v;
  return Status();
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

Status check_id(const std::string& path, const std::string& id) {
  if (id.empty() || id.size() > 64 ||
      !std::all_of(id.begin(), id.end(), [](char c) { return is_lower_alnum(c) || c == '-'; })) {
    return bad(path, "must be 1..64 characters of [a-z0-9-]");
  }
  return Status();
}

Status check_chain_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), [](char c) {
        return is_alnum(c) || c == '.' || c == '_' || c == '-';
      })) {
    return bad("chain_name", "must be 1..64 characters of [A-Za-z0-9._-]");
  }
  return Status();
}

// Digits at text[pos, pos + n) as a number, or -1.
int digits_at(std::string_view text, size_t pos, size_t n) {
  if (pos + n > text.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!is_digit(text[i])) return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

// "+HH:MM" / "-HH:MM" starting at pos and running to the end of `text`: its minutes east of UTC.
std::optional<int32_t> utc_offset_at(std::string_view text, size_t pos) {
  if (text.size() != pos + 6 || (text[pos] != '+' && text[pos] != '-') || text[pos + 3] != ':') {
    return std::nullopt;
  }
  int hh = digits_at(text, pos + 1, 2);
  int mm = digits_at(text, pos + 4, 2);
  // The contracts' calendar takes the same range: real offsets lie within ±14:00.
  if (hh < 0 || mm < 0 || mm > 59 || hh * 60 + mm > 14 * 60) return std::nullopt;
  return text[pos] == '-' ? -(hh * 60 + mm) : hh * 60 + mm;
}
bool is_utc_offset(std::string_view text, size_t pos) { return utc_offset_at(text, pos).has_value(); }

// host:port with a port 1..65535 (peers must be reachable, so no port 0); IPv6 in brackets.
Status check_address(const std::string& path, const std::string& address) {
  std::string_view text = address;
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad(path, "must be host:port");
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  bool host_ok;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    std::string_view inner = host.substr(1, host.size() - 2);
    host_ok = inner.find(':') != std::string_view::npos &&
              std::all_of(inner.begin(), inner.end(), [](char c) {
                return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                       c == ':' || c == '.';
              });
  } else {
    host_ok = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
      return is_alnum(c) || c == '.' || c == '-' || c == '_';
    });
  }
  if (!host_ok) return bad(path, "host in \"" + address + "\" is empty or malformed");
  int value = port.size() >= 1 && port.size() <= 5 ? digits_at(port, 0, port.size()) : -1;
  if (value < 1 || value > 65535) return bad(path, "port in \"" + address + "\" must be 1..65535");
  return Status();
}

// Keys and pins are stored in lowercase hex only, so each has exactly one spelling.
Status get_hex(const json& obj, const std::string& path, std::string_view key, size_t size,
               Bytes& out) {
  std::string text;
  MEDTRAIL_RETURN_IF_ERROR(get_string(obj, path, key, text));
  if (!is_lower_hex(text) || text.size() != 2 * size) {
    return bad(join(path, key), "must be " + std::to_string(2 * size) +
                                    " lowercase hex characters (" + std::to_string(size) +
                                    " bytes)");
  }
  out = std::move(*from_hex(text));
  return Status();
}

Status parse_org(const json& obj, const std::string& path, const CryptoSuite& suite,
                 GenesisOrg& org) {
  MEDTRAIL_RETURN_IF_ERROR(check_fields(obj, path, kOrgFields));
  MEDTRAIL_RETURN_IF_ERROR(get_string(obj, path, "id", org.id));
  MEDTRAIL_RETURN_IF_ERROR(check_id(join(path, "id"), org.id));
  MEDTRAIL_RETURN_IF_ERROR(get_string(obj, path, "name", org.name));
  if (org.name.empty() || org.name.size() > kMaxNameBytes ||
      std::any_of(org.name.begin(), org.name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return bad(join(path, "name"), "must be 1..256 bytes without control characters");
  }
  const json* roles = nullptr;
  MEDTRAIL_RETURN_IF_ERROR(get_array(obj, path, "roles", 1, kOrgRoles.size(), roles));
  for (size_t i = 0; i < roles->size(); ++i) {
    std::string role_path = join(path, "roles") + "[" + std::to_string(i) + "]";
    const json& role = (*roles)[i];
    if (!role.is_string()) return bad(role_path, "must be a string");
    const std::string& name = role.get_ref<const std::string&>();
    if (std::find(kOrgRoles.begin(), kOrgRoles.end(), name) == kOrgRoles.end()) {
      return bad(role_path, "unknown role \"" + name + "\"");
    }
    if (std::find(org.roles.begin(), org.roles.end(), name) != org.roles.end()) {
      return bad(role_path, "role \"" + name + "\" is repeated");
    }
    org.roles.push_back(name);
  }
  MEDTRAIL_RETURN_IF_ERROR(get_hex(obj, path, "admin_public_key", suite.public_key_size(), org.admin_public_key));
  if (!obj.contains("encryption_public_key")) return Status();
  MEDTRAIL_RETURN_IF_ERROR(
      get_hex(obj, path, "encryption_public_key", kEncryptionKeyBytes, org.encryption_public_key));
  if (!is_encryption_public_key(org.encryption_public_key)) {
    return bad(join(path, "encryption_public_key"), "is not a usable X25519 key (a point of small order)");
  }
  return Status();
}

nlohmann::ordered_json node_json(const GenesisNode& node) {
  return {{"id", node.id},
          {"org", node.org},
          {"public_key", to_hex(node.public_key)},
          {"tls_spki_sha256", to_hex(node.tls_spki_sha256)},
          {"peer_address", node.peer_address},
          {"api_address", node.api_address}};
}

Status parse_node(const json& obj, const std::string& path, const CryptoSuite& suite,
                  const Genesis& genesis, GenesisNode& node) {
  MEDTRAIL_RETURN_IF_ERROR(check_fields(obj, path, kNodeFields));
  MEDTRAIL_RETURN_IF_ERROR(get_string(obj, path, "id", node.id));
  MEDTRAIL_RETURN_IF_ERROR(check_id(join(path, "id"), node.id));
  MEDTRAIL_RETURN_IF_ERROR(get_string(obj, path, "org", node.org));
  if (!genesis.organisations.empty() && genesis.find_org(node.org) == nullptr) {
    return bad(join(path, "org"), "no organisation \"" + node.org + "\"");
  }
  MEDTRAIL_RETURN_IF_ERROR(
      get_hex(obj, path, "public_key", suite.public_key_size(), node.public_key));
  Bytes pin;
  MEDTRAIL_RETURN_IF_ERROR(get_hex(obj, path, "tls_spki_sha256", kHashSize, pin));
  std::copy(pin.begin(), pin.end(), node.tls_spki_sha256.begin());
  MEDTRAIL_RETURN_IF_ERROR(get_string(obj, path, "peer_address", node.peer_address));
  MEDTRAIL_RETURN_IF_ERROR(check_address(join(path, "peer_address"), node.peer_address));
  MEDTRAIL_RETURN_IF_ERROR(get_string(obj, path, "api_address", node.api_address));
  return check_address(join(path, "api_address"), node.api_address);
}

Status parse_raft(const json& obj, GenesisRaft& raft) {
  const std::string path = "raft";
  MEDTRAIL_RETURN_IF_ERROR(check_fields(obj, path, kRaftFields));
  MEDTRAIL_RETURN_IF_ERROR(get_uint(obj, path, "tick_ms", 10, 10000, raft.tick_ms));
  MEDTRAIL_RETURN_IF_ERROR(get_uint(obj, path, "election_ticks", 3, 1000, raft.election_ticks));
  MEDTRAIL_RETURN_IF_ERROR(get_uint(obj, path, "heartbeat_ticks", 1, 100, raft.heartbeat_ticks));
  // Raft §5.2: followers must hear several heartbeats before an election timeout can fire.
  if (raft.election_ticks <= raft.heartbeat_ticks) {
    return bad("raft.election_ticks", "must be greater than heartbeat_ticks");
  }
  return Status();
}

// Rules that relate entries to each other: unique ids, unique addresses, a reachable quorum.
bool has_role(const GenesisOrg& org, std::string_view role) {
  return std::find(org.roles.begin(), org.roles.end(), role) != org.roles.end();
}

Status parse_pseudonym(const json& obj, const Genesis& g, GenesisPseudonym& p) {
  const std::string path = "pseudonym";
  MEDTRAIL_RETURN_IF_ERROR(check_fields(obj, path, kPseudonymFields));
  MEDTRAIL_RETURN_IF_ERROR(get_string(obj, path, "org", p.org));
  const GenesisOrg* org = g.find_org(p.org);
  if (org == nullptr) return bad(join(path, "org"), "no organisation \"" + p.org + "\"");
  // The service can compute any patient's pseudonym: only the health authority may hold it.
  if (!has_role(*org, "regulator")) return bad(join(path, "org"), "must be a regulator organisation");
  MEDTRAIL_RETURN_IF_ERROR(get_hex(obj, path, "public_key", kOprfElementSize, p.public_key));
  if (!oprf_element_from_bytes(p.public_key).ok()) {
    return bad(join(path, "public_key"), "is not a ristretto255 element");
  }
  MEDTRAIL_RETURN_IF_ERROR(get_uint(obj, path, "org_daily_limit", 1, kMaxDailyEvaluations, p.org_daily_limit));
  MEDTRAIL_RETURN_IF_ERROR(get_uint(obj, path, "person_daily_limit", 1, p.org_daily_limit, p.person_daily_limit));
  return get_uint(obj, path, "citizen_daily_limit", 1, kMaxCitizenDailyEvaluations, p.citizen_daily_limit);
}

Status check_consortium(const Genesis& g) {
  std::set<std::string_view> org_ids;
  for (size_t i = 0; i < g.organisations.size(); ++i) {
    if (!org_ids.insert(g.organisations[i].id).second) {
      return bad("organisations[" + std::to_string(i) + "].id",
                 "duplicate organisation id \"" + g.organisations[i].id + "\"");
    }
  }
  std::set<std::string_view> node_ids, addresses, orgs_with_nodes;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const GenesisNode& n = g.nodes[i];
    std::string path = "nodes[" + std::to_string(i) + "]";
    if (!node_ids.insert(n.id).second) {
      return bad(path + ".id", "duplicate node id \"" + n.id + "\"");
    }
    // Two listeners cannot share an endpoint, whichever node or role they belong to.
    if (!addresses.insert(n.peer_address).second) {
      return bad(path + ".peer_address", "address \"" + n.peer_address + "\" is used twice");
    }
    if (!addresses.insert(n.api_address).second) {
      return bad(path + ".api_address", "address \"" + n.api_address + "\" is used twice");
    }
    orgs_with_nodes.insert(n.org);
  }
  if (g.checkpoint_quorum < 1 || g.checkpoint_quorum > orgs_with_nodes.size()) {
    return bad("checkpoint_quorum", "must be 1.." + std::to_string(orgs_with_nodes.size()) +
                                        " (organisations that run nodes)");
  }
  return Status();
}

Status parse_document(const json& doc, Genesis& g) {
  MEDTRAIL_RETURN_IF_ERROR(check_fields(doc, "", kTopFields));
  MEDTRAIL_RETURN_IF_ERROR(get_uint(doc, "", "format", 1, 1, g.format));
  MEDTRAIL_RETURN_IF_ERROR(get_string(doc, "", "chain_name", g.chain_name));
  MEDTRAIL_RETURN_IF_ERROR(check_chain_name(g.chain_name));
  MEDTRAIL_RETURN_IF_ERROR(get_string(doc, "", "suite", g.suite));
  const CryptoSuite* suite = find_suite(g.suite);
  if (suite == nullptr) return bad("suite", "unknown suite \"" + g.suite + "\"");
  MEDTRAIL_RETURN_IF_ERROR(get_string(doc, "", "created", g.created));
  if (!is_rfc3339(g.created)) return bad("created", "must be an RFC 3339 date-time");
  MEDTRAIL_RETURN_IF_ERROR(get_string(doc, "", "time_zone", g.time_zone));
  if (!is_utc_offset(g.time_zone, 0)) return bad("time_zone", "must be +HH:MM or -HH:MM");

  const json* orgs = nullptr;
  MEDTRAIL_RETURN_IF_ERROR(get_array(doc, "", "organisations", 1, kMaxOrganisations, orgs));
  for (size_t i = 0; i < orgs->size(); ++i) {
    std::string path = "organisations[" + std::to_string(i) + "]";
    if (!(*orgs)[i].is_object()) return bad(path, "must be an object");
    MEDTRAIL_RETURN_IF_ERROR(parse_org((*orgs)[i], path, *suite, g.organisations.emplace_back()));
  }
  const json* nodes = nullptr;
  MEDTRAIL_RETURN_IF_ERROR(get_array(doc, "", "nodes", 1, kMaxNodes, nodes));
  for (size_t i = 0; i < nodes->size(); ++i) {
    std::string path = "nodes[" + std::to_string(i) + "]";
    if (!(*nodes)[i].is_object()) return bad(path, "must be an object");
    GenesisNode node;
    MEDTRAIL_RETURN_IF_ERROR(parse_node((*nodes)[i], path, *suite, g, node));
    g.nodes.push_back(std::move(node));
  }
  const json* raft = nullptr;
  MEDTRAIL_RETURN_IF_ERROR(get_object(doc, "", "raft", raft));
  MEDTRAIL_RETURN_IF_ERROR(parse_raft(*raft, g.raft));
  MEDTRAIL_RETURN_IF_ERROR(
      get_uint(doc, "", "checkpoint_quorum", 0, UINT32_MAX, g.checkpoint_quorum));
  if (doc.contains("gov_approvals")) {
    MEDTRAIL_RETURN_IF_ERROR(get_uint(doc, "", "gov_approvals", 1, kMaxOrganisations, g.gov_approvals));
    size_t regulators = 0;
    for (const GenesisOrg& org : g.organisations) {
      regulators += has_role(org, "regulator");
    }
    if (g.gov_approvals > regulators) {
      return bad("gov_approvals", "exceeds the " + std::to_string(regulators) + " regulator organisations");
    }
  }
  if (doc.contains("pseudonym")) {
    const json* pseudonym = nullptr;
    MEDTRAIL_RETURN_IF_ERROR(get_object(doc, "", "pseudonym", pseudonym));
    MEDTRAIL_RETURN_IF_ERROR(parse_pseudonym(*pseudonym, g, g.pseudonym.emplace()));
  }
  if (doc.contains("confidential_fields")) {
    MEDTRAIL_RETURN_IF_ERROR(get_string(doc, "", "confidential_fields", g.confidential_fields));
    if (g.confidential_fields != kConfidentialSealed && g.confidential_fields != kConfidentialErasable &&
        g.confidential_fields != kConfidentialClearAllowed) {
      return bad("confidential_fields", "must be \"sealed\", \"erasable\" or \"clear_allowed\"");
    }
    if (g.confidential_fields == kConfidentialErasable && !g.pseudonym) {
      return bad("confidential_fields", "\"erasable\" needs the key service: genesis must name \"pseudonym\"");
    }
  }
  if (doc.contains("prescription_flow")) {
    MEDTRAIL_RETURN_IF_ERROR(get_string(doc, "", "prescription_flow", g.prescription_flow));
    if (g.prescription_flow != kPrescriptionFlowIssuingHospital &&
        g.prescription_flow != kPrescriptionFlowAnyInstitution) {
      return bad("prescription_flow", "must be \"issuing_hospital\" or \"any_institution\"");
    }
  }
  return check_consortium(g);
}

}  // namespace

const GenesisOrg* Genesis::find_org(std::string_view id) const {
  for (const GenesisOrg& org : organisations) {
    if (org.id == id) return &org;
  }
  return nullptr;
}

const GenesisNode* Genesis::find_node(std::string_view id) const {
  for (const GenesisNode& node : nodes) {
    if (node.id == id) return &node;
  }
  return nullptr;
}

Result<GenesisNode> parse_genesis_node(std::string_view text, const Genesis& genesis,
                                       const CryptoSuite& suite) {
  if (text.size() > kMaxGenesisNodeBytes) return bad("node", "larger than a node entry can be");
  ObjectScan scan;
  Status strict = scan_closed_object(text, {}, scan);
  if (!strict.ok()) return Status::error("bad_genesis", strict.to_string());
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return bad("node", "must be a JSON object");
  GenesisNode node;
  MEDTRAIL_RETURN_IF_ERROR(parse_node(doc, "node", suite, genesis, node));
  return node;
}

std::string genesis_node_to_json(const GenesisNode& node) {
  return node_json(node).dump();
}

Result<Genesis> parse_genesis(std::string_view text) {
  // The strict scan refuses what nlohmann would accept silently: a byte order mark, deep
  // nesting, and above all a duplicate key, on which two readers could disagree.
  ObjectScan scan;
  Status strict = scan_closed_object(text, {}, scan);
  if (!strict.ok()) return Status::error("bad_genesis", strict.to_string());
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::error("bad_genesis", "malformed JSON");
  Genesis genesis;
  MEDTRAIL_RETURN_IF_ERROR(parse_document(doc, genesis));
  return genesis;
}

std::string genesis_to_json(const Genesis& g) {
  using ordered = nlohmann::ordered_json;
  ordered orgs = ordered::array();
  for (const GenesisOrg& org : g.organisations) {
    ordered entry = {{"id", org.id},
                     {"name", org.name},
                     {"roles", org.roles},
                     {"admin_public_key", to_hex(org.admin_public_key)}};
    if (!org.encryption_public_key.empty()) entry["encryption_public_key"] = to_hex(org.encryption_public_key);
    orgs.push_back(std::move(entry));
  }
  ordered nodes = ordered::array();
  for (const GenesisNode& node : g.nodes) nodes.push_back(node_json(node));
  ordered doc = {{"format", g.format},
                 {"chain_name", g.chain_name},
                 {"suite", g.suite},
                 {"created", g.created},
                 {"time_zone", g.time_zone},
                 {"organisations", std::move(orgs)},
                 {"nodes", std::move(nodes)},
                 {"raft",
                  {{"tick_ms", g.raft.tick_ms},
                   {"election_ticks", g.raft.election_ticks},
                   {"heartbeat_ticks", g.raft.heartbeat_ticks}}},
                 {"checkpoint_quorum", g.checkpoint_quorum}};
  // Written only when it is not the default: a consortium without regulators (which cannot
  // satisfy gov_approvals: 1) still round-trips.
  if (g.gov_approvals != 1) doc["gov_approvals"] = g.gov_approvals;
  if (g.pseudonym) {
    doc["pseudonym"] = {{"org", g.pseudonym->org},
                        {"public_key", to_hex(g.pseudonym->public_key)},
                        {"org_daily_limit", g.pseudonym->org_daily_limit},
                        {"person_daily_limit", g.pseudonym->person_daily_limit},
                        {"citizen_daily_limit", g.pseudonym->citizen_daily_limit}};
  }
  if (g.confidential_fields != kConfidentialClearAllowed) doc["confidential_fields"] = g.confidential_fields;
  if (g.prescription_flow != kPrescriptionFlowIssuingHospital) doc["prescription_flow"] = g.prescription_flow;
  return doc.dump(2) + "\n";
}

Hash genesis_chain_id(const CryptoSuite& suite, std::string_view genesis_file_bytes) {
  return suite.hash(as_bytes(genesis_file_bytes));
}

CheckpointTrust genesis_checkpoint_trust(const Genesis& genesis) {
  CheckpointTrust trust;
  for (const GenesisNode& node : genesis.nodes) {
    trust.signers.push_back({Genesis::node_signer(node), node.org, node.public_key});
  }
  trust.quorum = genesis.checkpoint_quorum;
  return trust;
}

std::optional<int32_t> utc_offset_minutes(std::string_view time_zone) { return utc_offset_at(time_zone, 0); }

Status verify_checkpoint_for_genesis(const LoadedGenesis& genesis, const SignedCheckpoint& checkpoint) {
  if (checkpoint.checkpoint.chain_id != genesis.chain_id) {
    return Status::error("wrong_chain", "the checkpoint is of another chain than the genesis file's");
  }
  return verify_checkpoint_quorum(*genesis.suite, checkpoint, genesis_checkpoint_trust(genesis.genesis));
}

std::set<std::string> signing_organisations(const CheckpointTrust& trust, const SignedCheckpoint& checkpoint) {
  std::set<std::string> orgs;
  for (const CheckpointSignature& sig : checkpoint.signatures) {
    for (const TrustedSigner& s : trust.signers) {
      if (s.signer == sig.signer && s.public_key == sig.public_key) orgs.insert(s.org);
    }
  }
  return orgs;
}

Result<LoadedGenesis> load_genesis_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("io_error", "cannot open " + path + ": " + std::strerror(errno));
  LoadedGenesis loaded;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    loaded.bytes.append(buf, static_cast<size_t>(in.gcount()));
    if (loaded.bytes.size() > kMaxGenesisFileBytes) {
      return Status::error(
          "bad_genesis", path + ": larger than " + std::to_string(kMaxGenesisFileBytes) + " bytes");
    }
  }
  if (in.bad()) return Status::error("io_error", "cannot read " + path);
  Result<Genesis> parsed = parse_genesis(loaded.bytes);
  if (!parsed.ok()) {
    return Status::error(parsed.status().code(), path + ": " + parsed.status().message());
  }
  loaded.genesis = std::move(parsed).value();
  loaded.suite = find_suite(loaded.genesis.suite);
  if (loaded.suite == nullptr) {  // parse_genesis already refuses these; kept for the contract
    return Status::error("unknown_suite", path + ": unknown suite " + loaded.genesis.suite);
  }
  loaded.chain_id = genesis_chain_id(*loaded.suite, loaded.bytes);
  return loaded;
}

}  // namespace medtrail::ledger
