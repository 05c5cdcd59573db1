#pragma once
// Private: the access.query policy of a patient pseudonym evaluation (ledger/pseudonym.h).
#include <cstddef>

#include "medtrail/contracts/registry.h"
#include "medtrail/ledger/patient_shares.h"

namespace medtrail::contracts {

// A signed query for `count` evaluations: who may ask, for what, and within the day's limits
// genesis sets for the organisation and the person.
ledger::ExecutionResult pseudonym_query(Call& call, std::string_view purpose, size_t count);

// A signed query for the key service's shares of a patient's erasable sealed fields
// (ledger/patient_shares.h): care staff to seal and to open, a regulator's inspectors and
// auditors to open; never for research. It lands on the patient's trail.
ledger::ExecutionResult patient_share_query(Call& call, std::string_view purpose, const ledger::ShareTarget& target);

// pseudonym.citizen: the service's node records one evaluation of a citizen's own ref, after
// the identity check (node/src/api/citizen_identity.h) vouched for the citizen; `card` is the
// node's keyed digest of who that was, so each citizen counts against genesis'
// citizen_daily_limit without being named on the chain.
ledger::ExecutionResult citizen_pseudonym(Call& call);

}  // namespace medtrail::contracts
