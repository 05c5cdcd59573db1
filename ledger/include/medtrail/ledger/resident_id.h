#pragma once
// The resident identity number (公民身份号码, GB 11643-1999): 17 digits — region, birth date
// YYYYMMDD, sequence — and an ISO 7064 MOD 11-2 check character (0-9 or X). Contracts refuse
// one anywhere in a payload; a pseudonym is computed from its normalised form only.
#include <optional>
#include <string>
#include <string_view>

namespace medtrail::ledger {

// Exactly 18 characters, a real birth date (years 1900..9999) and the right check character
// ('x' accepted for 'X').
bool is_resident_id(std::string_view text);

// The one spelling a pseudonym is computed from: surrounding spaces dropped, a lower-case 'x'
// check character upper-cased. nullopt when what is left is not a resident id, so a typo can
// never yield a valid-looking pseudonym of somebody else.
std::optional<std::string> normalise_resident_id(std::string_view text);

}  // namespace medtrail::ledger
