#pragma once
// Which fields of each record kind's body are confidential: what a node does not need to
// enforce the rules (diagnosis, drug names and strengths as written, dosage instructions,
// notes, reasons, free text). The author's client moves them into the body's `sealed` object
// (sealed_fields.h); a reader's client puts them back. docs/contracts.md says, per kind, why
// every other field stays clear.
//
// A path is "field" (at the top of the body) or "array[].field" (in each element of an array of
// objects): the only shapes the kinds' bodies have.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

// Empty for a kind with nothing confidential.
std::span<const std::string_view> confidential_fields(std::string_view kind);

// Moves the kind's confidential fields out of `body` into an object of the same shape: arrays
// keep their length and order, and an element with nothing confidential becomes {}. Returns an
// empty object when the body has none. `body` must be an object.
nlohmann::json take_confidential(std::string_view kind, nlohmann::json& body);

// The confidential fields present in clear in `body`, as paths ("items[1].name").
std::vector<std::string> confidential_in_clear(std::string_view kind, const nlohmann::json& body);

// Puts opened fields back into `body`. Errors: `bad_sealed` (a field that is not confidential
// for this kind, an array of another length than the body's, or a field present in both).
Status restore_confidential(std::string_view kind, nlohmann::json& body, const nlohmann::json& opened);

}  // namespace medtrail::ledger
