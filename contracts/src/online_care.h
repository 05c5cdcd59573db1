#pragma once
// What every online record (an online consultation, an online prescription) needs, whatever its
// kind (互联网诊疗管理办法（试行）, 2018).
#include <string_view>

#include "medtrail/contracts/registry.h"

namespace medtrail::contracts {

// The first that fails, in this order:
// - the signer's organisation holds the internet-diagnosis licence governance grants
//   (`not_licensed_online`; arts. 8 and 27);
// - the doctor has 3 years of independent clinical practice, counted from the identity's
//   `practice_since` (`practice_too_short`; art. 25);
// - `follows` is the record id of an offline visit or an offline, not cancelled prescription of
//   the same patient at this organisation (`follow_up_not_found`, `follow_up_mismatch`; art. 16: only a follow-up,
//   for the diagnosis made at the institution — which the online record takes from it).
ledger::ExecutionResult check_online_care(const Call& call, std::string_view patient_ref,
                                          std::string_view follows);

// Why an online record states no diagnosis of its own, for `unknown_field`.
inline constexpr std::string_view kOnlineDiagnosis =
    "an offline record: online, the diagnosis is that of the record body.follows names";

}  // namespace medtrail::contracts
