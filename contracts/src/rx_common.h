#pragma once
// What the rx contracts share: their handlers, the drug code format and the stored prescription.
//
// "rx/<id>" holds (docs/contracts.md): org, doctor, patient_ref, type, channel, follow_up,
// long_term, issued_at_ms, issue_day, valid_days, valid_until_day, items (each with `prescribed`
// and `dispensed` quantities), status, review, dispenses, delivery, cancel. Written statuses:
// issued -> approved | rejected -> dispensing -> dispensed -> delivered, or cancelled before any
// dispense. "expired" is never written (rx_citizen_status derives it).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "medtrail/contracts/registry.h"

namespace medtrail::contracts::rx {

ledger::ExecutionResult issue(Call& call);
ledger::ExecutionResult cancel(Call& call);
ledger::ExecutionResult review(Call& call);
ledger::ExecutionResult dispense(Call& call);
ledger::ExecutionResult deliver(Call& call);

// A national drug standard code (14 digits starting "86") or a WHO ATC code such as N02AA01.
bool is_drug_code(std::string_view code);
inline constexpr std::string_view kDrugCodeFormat =
    "a national drug code (14 digits starting 86) or an ATC code such as N02AA01";

// True when `rx` has every field, of the right type, that the contracts read.
bool well_formed(const nlohmann::json& rx);

// Loads the prescription `rx_id` into `rx`: `unknown_prescription` when there is none,
// `corrupt_state` when the stored value is not one the contracts wrote.
ledger::ExecutionResult load(const Call& call, std::string_view rx_id, nlohmann::json& rx);

// Every item's dispensed quantity has reached the prescribed one.
bool fully_dispensed(const nlohmann::json& rx);
// The day is past the last day of validity (处方管理办法 art. 18).
bool expired(const nlohmann::json& rx, int64_t today);
// Who signed what, when: the common part of review, dispense, delivery and cancel entries.
nlohmann::json attribution(const Call& call);

}  // namespace medtrail::contracts::rx
