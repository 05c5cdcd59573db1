#pragma once
// The registry maps each record kind to its rule: who may sign it (roles of the signer,
// types of the signer's organisation) and the handler that checks the body against the state
// and writes the state changes. Families contribute their rules (identity, rx, vaccine,
// tableware, access); unknown kinds are rejected with `unknown_kind`.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "medtrail/contracts/context.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/state.h"
#include "medtrail/ledger/block.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::contracts {

// Everything a handler sees for one record. Handlers read and write through `txn` only.
struct Call {
  const BlockContext& block;
  const ChainParams& chain;
  const Signer& signer;
  const Organisation& org;  // the signer's organisation
  const ledger::PayloadFields& fields;
  const nlohmann::json& body;
  std::string_view record_id;  // lowercase hex of the payload hash
  RecordTxn& txn;

  // The block's calendar day in the chain's time zone.
  int64_t today() const;
};

using Handler = ledger::ExecutionResult (*)(Call& call);

struct KindRule {
  std::string_view kind;
  std::vector<std::string_view> roles;      // signer roles allowed (kPersonRoles, admin, node)
  std::vector<std::string_view> org_types;  // empty: any organisation type
  Handler handler;
};

// Each family's rules.
std::vector<KindRule> identity_rules();
std::vector<KindRule> encryption_key_rules();  // org.enc_key (confidential.h)
std::vector<KindRule> consent_rules();         // consent.grant, consent.withdraw (consent.h)
std::vector<KindRule> erasure_rules();         // patient.erase (erasure.h)
std::vector<KindRule> governance_rules();
std::vector<KindRule> rx_rules();
std::vector<KindRule> vaccine_rules();
std::vector<KindRule> tableware_rules();
std::vector<KindRule> access_rules();
std::vector<KindRule> access_query_rules();  // access.query: signed API reads
std::vector<KindRule> claim_rules();         // claim.submit, claim.settle (claims.h)
std::vector<KindRule> visit_rules();         // visit.record (visits.h)

class Registry {
 public:
  explicit Registry(std::vector<KindRule> rules);
  // Every family above.
  static const Registry& standard();
  const KindRule* find(std::string_view kind) const;
  std::vector<std::string_view> kinds() const;

 private:
  std::map<std::string, KindRule, std::less<>> rules_;
};

}  // namespace medtrail::contracts
