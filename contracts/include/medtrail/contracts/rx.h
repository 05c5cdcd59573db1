#pragma once
// E-prescriptions (rx.issue, rx.review, rx.dispense, rx.deliver, rx.cancel): reading the state
// the rx contracts keep at "rx/<id>" (docs/contracts.md), for the query API and auditors.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace medtrail::contracts {

// "rx/<rx_id>"; a prescription's id is the record id of its rx.issue.
std::string rx_key(std::string_view rx_id);

// What a citizen is told about the prescription `rx_state` on calendar day `today` (chain time
// zone, calendar.h): "valid", "rejected", "dispensing", "dispensed", "delivered", "expired" or
// "cancelled". Expiry is derived from the day, never written: a prescription not yet fully
// dispensed is "expired" once `today` is past its valid_until_day. Returns "" for a value the rx
// contracts could not have written, so that the caller reports the corruption.
std::string rx_citizen_status(const nlohmann::json& rx_state, int64_t today);

}  // namespace medtrail::contracts
