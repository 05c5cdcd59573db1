#pragma once
// Who is who on the chain: organisations (founded in genesis or added by governance) and the
// keys that may sign records — each organisation's admin key ("<org>/admin"), each node's key
// ("<org>/<node>"), and people registered by identity.register ("<org>/<user>").
//
// State keys (values JSON, see docs/contracts.md):
//   org/<org id>        an organisation added by governance, or a founding one since removed
//   id/<org>/<user>     a person's identity
//   node/<node id>      a node added by governance, or a founding one since removed
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/context.h"
#include "medtrail/contracts/state.h"
#include "medtrail/ledger/bytes.h"

namespace medtrail::contracts {

// Roles a person can hold (identity.register), plus the two kinds of key genesis knows.
inline constexpr std::string_view kPersonRoles[] = {"doctor",    "pharmacist", "vaccinator",
                                                    "inspector", "operator",   "auditor"};
inline constexpr std::string_view kAdminRole = "admin";
inline constexpr std::string_view kNodeRole = "node";

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
  int64_t valid_from_day = std::numeric_limits<int64_t>::min();
  int64_t valid_until_day = std::numeric_limits<int64_t>::max();
  std::optional<int64_t> revoked_at_ms;  // from this block time on the key signs nothing
};

std::string org_key(std::string_view org);
std::string identity_key(std::string_view signer_id);
std::string node_key(std::string_view node_id);

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
