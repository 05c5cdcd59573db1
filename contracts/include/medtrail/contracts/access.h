#pragma once
// Data-access events (FHIR R4 AuditEvent, IHE ITI ATNA). Every read is a record indexed under
// the patient, the organisation and the actor; only break-glass reads (purpose "emergency")
// keep state, at "acc/<record id of the access.read>", until someone justifies them.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "medtrail/contracts/calendar.h"

namespace medtrail::contracts {

// A break-glass access is to be justified within this time of the read.
inline constexpr int64_t kBreakGlassJustifyWithinMs = 24 * kMsPerHour;

std::string access_event_key(std::string_view event_id);

// The audit flag of a break-glass event at `now_ms`: "justified", "justified_late",
// "pending" (not justified, now <= due) or "overdue". A state that lacks the fields reads
// "unknown", which audit views must treat like "overdue": a damaged record is not cleared.
std::string break_glass_flag(const nlohmann::json& event_state, int64_t now_ms);

}  // namespace medtrail::contracts
