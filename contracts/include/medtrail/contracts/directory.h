#pragma once
// Who is who on the chain: organisations (founded in genesis or added by governance) and the
// keys that may sign records — each organisation's admin key ("<org>/admin"), each node's key
// ("<org>/<node>"), and people registered by identity.register ("<org>/<user>").
//
// State keys (stored structs below, see docs/contracts.md):
//   org/<org id>        StoredOrg: an organisation added by governance, or a founding one since removed
//   id/<org>/<user>     StoredIdentity: a person's identity
//   node/<node id>      StoredNode: a node added by governance, or a founding one since removed
//   licence/<org>/<licence>  StoredLicence: a licence governance granted or withdrew
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/context.h"
#include "medtrail/contracts/state.h"
#include "medtrail/contracts/state_codec.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/genesis.h"

namespace medtrail::contracts {

// Roles a person can hold (identity.register), plus the two kinds of key genesis knows.
inline constexpr std::string_view kPersonRoles[] = {"doctor",    "pharmacist", "vaccinator",
                                                    "inspector", "operator",   "auditor"};
inline constexpr std::string_view kAdminRole = "admin";
inline constexpr std::string_view kNodeRole = "node";

// "org/<org>". A founding organisation is genesis' and gets a value only when removed (its
// genesis name, types and key are copied then); one added by governance has one from the start.
struct StoredOrg {
  std::string name;
  std::vector<std::string> types;
  ledger::Bytes admin_public_key;
  std::optional<std::string> added_by;  // the gov.propose record id that added it
  bool removed = false;
  std::optional<std::string> removed_by;  // the gov.propose record id that removed it

  static constexpr auto fields() {
    return std::tuple{field("name", &StoredOrg::name),
                      field("types", &StoredOrg::types),
                      field("admin_public_key", &StoredOrg::admin_public_key),
                      field("added_by", &StoredOrg::added_by),
                      field("removed", &StoredOrg::removed),
                      field("removed_by", &StoredOrg::removed_by)};
  }
};

// A person's special qualifications (处方管理办法 art. 11):
// the right to prescribe narcotic and psychotropic class 1 drugs (麻醉药品和第一类精神药品
// 处方资格), held by doctors, and to dispense them (调剂资格), held by pharmacists.
inline constexpr std::string_view kControlledPrescribing = "controlled_prescribing";
inline constexpr std::string_view kControlledDispensing = "controlled_dispensing";
// A doctor's professional title, lowest first (卫生专业技术职务: 住院医师 junior, 主治医师
// intermediate, 副主任医师 and 主任医师 senior).
inline constexpr std::string_view kDoctorTitles[] = {"resident", "attending", "associate_chief",
                                                     "chief"};

// "id/<org>/<user>": a person's key bound to a role (identity.register, identity.revoke).
struct StoredIdentity {
  std::string org;
  std::string user_id;
  std::string role;
  ledger::Bytes public_key;
  std::string licence_no;   // "" when none
  std::string valid_from;   // YYYY-MM-DD, a calendar day in the chain's time zone
  std::string valid_until;  // YYYY-MM-DD, inclusive
  // Special qualifications (kQualifications), in the order registered.
  std::vector<std::string> qualifications;
  // A doctor's professional title (kDoctorTitles); null when none was registered.
  std::optional<std::string> title;
  // A doctor's first day of independent clinical practice (YYYY-MM-DD), which internet
  // diagnosis requires 3 years of (互联网诊疗管理办法（试行）art. 25); null when not registered.
  std::optional<std::string> practice_since;
  int64_t registered_at_ms = 0;
  std::string registered_by;  // the identity.register record id
  std::optional<int64_t> revoked_at_ms;
  std::optional<std::string> revoked_by;  // the identity.revoke record id

  static constexpr auto fields() {
    return std::tuple{field("org", &StoredIdentity::org),
                      field("user_id", &StoredIdentity::user_id),
                      field("role", &StoredIdentity::role),
                      field("public_key", &StoredIdentity::public_key),
                      field("licence_no", &StoredIdentity::licence_no),
                      field("valid_from", &StoredIdentity::valid_from),
                      field("valid_until", &StoredIdentity::valid_until),
                      field("qualifications", &StoredIdentity::qualifications),
                      field("title", &StoredIdentity::title),
                      field("practice_since", &StoredIdentity::practice_since),
                      field("registered_at_ms", &StoredIdentity::registered_at_ms),
                      field("registered_by", &StoredIdentity::registered_by),
                      field("revoked_at_ms", &StoredIdentity::revoked_at_ms),
                      field("revoked_by", &StoredIdentity::revoked_by)};
  }
};

// "node/<node id>": a genesis node entry (as genesis would describe the node), kept when a
// founding node is removed or from the start for a node added by governance.
struct StoredNode {
  std::string id;
  std::string org;
  ledger::Bytes public_key;
  ledger::Bytes tls_spki_sha256;
  std::string peer_address;
  std::string api_address;
  std::optional<std::string> added_by;  // the gov.propose record id that added it
  bool removed = false;
  std::optional<std::string> removed_by;  // the gov.propose record id that removed it

  static constexpr auto fields() {
    return std::tuple{field("id", &StoredNode::id),
                      field("org", &StoredNode::org),
                      field("public_key", &StoredNode::public_key),
                      field("tls_spki_sha256", &StoredNode::tls_spki_sha256),
                      field("peer_address", &StoredNode::peer_address),
                      field("api_address", &StoredNode::api_address),
                      field("added_by", &StoredNode::added_by),
                      field("removed", &StoredNode::removed),
                      field("removed_by", &StoredNode::removed_by)};
  }

  // The entry of a genesis node, and back (a pin that is not 32 bytes reads as zeros).
  static StoredNode of(const ledger::GenesisNode& node);
  ledger::GenesisNode genesis_node() const;
};

// Licences an organisation holds beyond its types, granted and withdrawn by governance. The one
// there is: internet diagnosis (互联网诊疗, 互联网诊疗管理办法（试行）arts. 8 and 27: the health
// authority registers and publishes which institutions may practise it).
inline constexpr std::string_view kInternetDiagnosis = "internet_diagnosis";

// "licence/<org>/<licence>": the latest governance decision on it.
struct StoredLicence {
  bool granted = false;
  std::string decided_by;  // the gov.propose record id
  int64_t decided_at_ms = 0;

  static constexpr auto fields() {
    return std::tuple{field("granted", &StoredLicence::granted),
                      field("decided_by", &StoredLicence::decided_by),
                      field("decided_at_ms", &StoredLicence::decided_at_ms)};
  }
};

struct Organisation {
  std::string id;
  std::string name;
  std::vector<std::string> types;  // genesis "roles": hospital, pharmacy, regulator, ...
  ledger::Bytes admin_public_key;
  bool removed = false;
  bool has_type(std::string_view type) const;
};

struct Signer {
  std::string id;    // "<org>/<name>"
  std::string org;
  std::string role;  // a person's role, kAdminRole or kNodeRole
  ledger::Bytes public_key;
  std::string licence_no;  // people only
  std::vector<std::string> qualifications;  // people only
  std::string title;                        // doctors only; "" when none
  std::optional<int64_t> practice_since_day;  // doctors only: the first day of independent practice
  int64_t valid_from_day = std::numeric_limits<int64_t>::min();
  int64_t valid_until_day = std::numeric_limits<int64_t>::max();
  std::optional<int64_t> revoked_at_ms;  // from this block time on the key signs nothing

  bool has_qualification(std::string_view q) const;
};

std::string org_key(std::string_view org);
std::string identity_key(std::string_view signer_id);
std::string node_key(std::string_view node_id);
std::string licence_key(std::string_view org, std::string_view licence);

// Whether governance granted `org` the licence and has not withdrawn it.
bool holds_licence(const StateView& state, std::string_view org, std::string_view licence);

std::optional<Organisation> find_org(const StateView& state, const ChainParams& chain,
                                     std::string_view org);
// Any signer the chain knows, whatever its validity; the caller judges revocation and dates.
std::optional<Signer> find_signer(const StateView& state, const ChainParams& chain,
                                  std::string_view signer_id);

// Why `signer` may not sign at block time `now_ms` (signer_revoked, signer_expired,
// signer_not_yet_valid); accept() when it may.
ledger::ExecutionResult signer_validity(const StateView& state, const ChainParams& chain,
                                        const Signer& signer, int64_t now_ms);
// The same, with the signer's organisation already looked up (nullopt: unknown).
ledger::ExecutionResult signer_validity(const std::optional<Organisation>& org,
                                        const ChainParams& chain, const Signer& signer,
                                        int64_t now_ms);

}  // namespace medtrail::contracts
