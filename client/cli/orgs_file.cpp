#include "orgs_file.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace medtrail::cli {
namespace {

using ledger::Status;
using nlohmann::json;

constexpr std::string_view kTopFields[] = {
    "chain_name", "suite", "time_zone", "checkpoint_quorum", "organisations", "nodes", "raft", "pseudonym",
    "confidential_fields", "prescription_flow"};
constexpr std::string_view kTopRequired[] = {"chain_name", "checkpoint_quorum", "organisations",
                                             "nodes"};
constexpr std::string_view kOrgFields[] = {"id", "name", "roles"};
constexpr std::string_view kNodeFields[] = {"id", "org", "peer_address", "api_address"};
constexpr std::string_view kNodeRequired[] = {"id", "org"};
constexpr std::string_view kRaftFields[] = {"tick_ms", "election_ticks", "heartbeat_ticks"};
constexpr std::string_view kPseudonymFields[] = {"org", "org_daily_limit", "person_daily_limit",
                                                 "citizen_daily_limit"};
constexpr std::string_view kPseudonymRequired[] = {"org"};

Status bad(const std::string& path, const std::string& why) {
  return Status::error("bad_orgs_file", path + ": " + why);
}

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// nlohmann keeps one of two equal keys without a word; the parser callback sees every key, so
// duplicates are caught here, per object, at any depth.
class DuplicateKeyCheck {
 public:
  bool operator()(int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open_.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      open_.pop_back();
    } else if (event == json::parse_event_t::key && !open_.empty()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!open_.back().insert(key).second && duplicate_.empty()) duplicate_ = key;
    }
    return true;
  }
  const std::string& duplicate() const { return duplicate_; }

 private:
  std::vector<std::set<std::string>> open_;
  std::string duplicate_;
};

Status check_fields(const json& obj, const std::string& path,
                    std::span<const std::string_view> known,
                    std::span<const std::string_view> required) {
  if (!obj.is_object()) return bad(path, "must be an object");
  for (const auto& item : obj.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
      return bad(join(path, item.key()), "unknown field");
    }
  }
  for (std::string_view name : required) {
    if (!obj.contains(name)) return bad(join(path, name), "missing");
  }
  return Status();
}

// Leaves `out` alone when the field is absent (required fields were checked before).
Status read_string(const json& obj, const std::string& path, std::string_view key,
                   std::string& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status();
  if (!it->is_string()) return bad(join(path, key), "must be a string");
  out = it->get<std::string>();
  return Status();
}

Status read_uint32(const json& obj, const std::string& path, std::string_view key, uint32_t& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status();
  if (!it->is_number_unsigned() || it->get<uint64_t>() > UINT32_MAX) {
    return bad(join(path, key), "must be an integer 0..4294967295");
  }
  out = static_cast<uint32_t>(it->get<uint64_t>());
  return Status();
}

Status read_org(const json& obj, const std::string& path, ledger::GenesisOrg& org) {
  MEDTRAIL_RETURN_IF_ERROR(check_fields(obj, path, kOrgFields, kOrgFields));
  MEDTRAIL_RETURN_IF_ERROR(read_string(obj, path, "id", org.id));
  MEDTRAIL_RETURN_IF_ERROR(read_string(obj, path, "name", org.name));
  const json& roles = obj.at("roles");
  if (!roles.is_array()) return bad(join(path, "roles"), "must be an array");
  for (size_t i = 0; i < roles.size(); ++i) {
    if (!roles[i].is_string()) {
      return bad(join(path, "roles") + "[" + std::to_string(i) + "]", "must be a string");
    }
    org.roles.push_back(roles[i].get<std::string>());
  }
  return Status();
}

Status read_node(const json& obj, const std::string& path, ledger::GenesisNode& node) {
  MEDTRAIL_RETURN_IF_ERROR(check_fields(obj, path, kNodeFields, kNodeRequired));
  MEDTRAIL_RETURN_IF_ERROR(read_string(obj, path, "id", node.id));
  MEDTRAIL_RETURN_IF_ERROR(read_string(obj, path, "org", node.org));
  MEDTRAIL_RETURN_IF_ERROR(read_string(obj, path, "peer_address", node.peer_address));
  return read_string(obj, path, "api_address", node.api_address);
}

// Reads each element of the array `key` with `read`.
template <typename T, typename Read>
Status read_array(const json& doc, std::string_view key, std::vector<T>& out, Read read) {
  const json& array = doc.at(key);
  if (!array.is_array()) return bad(std::string(key), "must be an array");
  for (size_t i = 0; i < array.size(); ++i) {
    MEDTRAIL_RETURN_IF_ERROR(
        read(array[i], std::string(key) + "[" + std::to_string(i) + "]", out.emplace_back()));
  }
  return Status();
}

}  // namespace

ledger::Result<ledger::Genesis> parse_orgs_file(std::string_view text) {
  DuplicateKeyCheck duplicates;
  json doc = json::parse(
      text,
      [&duplicates](int depth, json::parse_event_t event, json& parsed) {
        return duplicates(depth, event, parsed);
      },
      /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::error("bad_orgs_file", "malformed JSON");
  if (!duplicates.duplicate().empty()) {
    return Status::error("bad_orgs_file", "duplicate key \"" + duplicates.duplicate() + "\"");
  }
  MEDTRAIL_RETURN_IF_ERROR(check_fields(doc, "", kTopFields, kTopRequired));
  ledger::Genesis g;
  MEDTRAIL_RETURN_IF_ERROR(read_string(doc, "", "chain_name", g.chain_name));
  MEDTRAIL_RETURN_IF_ERROR(read_string(doc, "", "suite", g.suite));
  MEDTRAIL_RETURN_IF_ERROR(read_string(doc, "", "time_zone", g.time_zone));
  MEDTRAIL_RETURN_IF_ERROR(read_uint32(doc, "", "checkpoint_quorum", g.checkpoint_quorum));
  // A consortium founded now keeps confidential fields out of clear text unless it says not to.
  g.confidential_fields = std::string(ledger::kConfidentialSealed);
  MEDTRAIL_RETURN_IF_ERROR(read_string(doc, "", "confidential_fields", g.confidential_fields));
  MEDTRAIL_RETURN_IF_ERROR(read_string(doc, "", "prescription_flow", g.prescription_flow));
  MEDTRAIL_RETURN_IF_ERROR(read_array(doc, "organisations", g.organisations, read_org));
  MEDTRAIL_RETURN_IF_ERROR(read_array(doc, "nodes", g.nodes, read_node));
  if (doc.contains("raft")) {
    const json& raft = doc.at("raft");
    MEDTRAIL_RETURN_IF_ERROR(check_fields(raft, "raft", kRaftFields, {}));
    MEDTRAIL_RETURN_IF_ERROR(read_uint32(raft, "raft", "tick_ms", g.raft.tick_ms));
    MEDTRAIL_RETURN_IF_ERROR(read_uint32(raft, "raft", "election_ticks", g.raft.election_ticks));
    MEDTRAIL_RETURN_IF_ERROR(read_uint32(raft, "raft", "heartbeat_ticks", g.raft.heartbeat_ticks));
  }
  if (doc.contains("pseudonym")) {
    const json& pseudonym = doc.at("pseudonym");
    MEDTRAIL_RETURN_IF_ERROR(check_fields(pseudonym, "pseudonym", kPseudonymFields, kPseudonymRequired));
    ledger::GenesisPseudonym& p = g.pseudonym.emplace();
    MEDTRAIL_RETURN_IF_ERROR(read_string(pseudonym, "pseudonym", "org", p.org));
    MEDTRAIL_RETURN_IF_ERROR(read_uint32(pseudonym, "pseudonym", "org_daily_limit", p.org_daily_limit));
    MEDTRAIL_RETURN_IF_ERROR(read_uint32(pseudonym, "pseudonym", "person_daily_limit", p.person_daily_limit));
    MEDTRAIL_RETURN_IF_ERROR(read_uint32(pseudonym, "pseudonym", "citizen_daily_limit", p.citizen_daily_limit));
  }
  return g;
}

}  // namespace medtrail::cli
