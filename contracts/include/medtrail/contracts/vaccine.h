#pragma once
// Vaccine traceability as citizens and auditors read it: dose codes as printed on the smallest
// package, and the status one dose shows. The contracts (vaccine.* kinds) write the state these
// functions read; see docs/contracts.md "Vaccines".
//
// State keys (values JSON):
//   vlot/<product_code>/<lot>   a lot: owner, expiry, release decision, recall
//   vcode/<canonical code>      one dose: its lot key, holder, status
//   vship/<shipment_id>         a shipment: from, to, canonical codes, status
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace medtrail::contracts {

// A dose code in either printed form, as the chain keys it: a 20-digit drug traceability code
// as is, a GS1 element string "(01)<gtin>(17)<yymmdd>(10)<lot>(21)<serial>" as "01<gtin>21<serial>"
// (expiry and lot are attributes of the dose, not part of its identity). nullopt if malformed.
std::optional<std::string> canonical_dose_code(std::string_view text);

// True iff `gtin14` is 14 ASCII digits whose last is the GS1 mod-10 check digit.
bool gtin_check_digit_ok(std::string_view gtin14);

// What one dose is, for a citizen, on calendar day `today` (calendar.h): "recalled", "expired",
// "quarantined", "administered", "not_released", "in_transit" or "in_stock". A recall shows on
// every dose of the lot; expiry on every dose not yet given (an administered dose was checked
// against the expiry when it was given). Unreadable state never reads as usable.
std::string dose_status(const nlohmann::json& code_state, const nlohmann::json& lot_state,
                        int64_t today);

}  // namespace medtrail::contracts
