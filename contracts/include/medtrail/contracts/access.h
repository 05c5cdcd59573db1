#pragma once
// Data-access events (FHIR R4 AuditEvent, IHE ITI ATNA). Every read is a record indexed under
// the patient, the organisation and the actor; only break-glass reads (purpose "emergency")
// keep state, at "acc/<record id of the access.read>", until someone justifies them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/state_codec.h"

namespace medtrail::contracts {

// "acc/<event id>": a break-glass read and its justification.
struct AccessEvent {
  std::string patient_ref;
  std::string org;
  std::string actor;
  int64_t at_ms = 0;
  int64_t due_ms = 0;
  bool justified = false;
  std::optional<int64_t> justified_at_ms;
  std::optional<std::string> justified_by;
  std::optional<std::string> justification_record;
  bool late = false;

  static constexpr auto fields() {
    return std::tuple{field("patient_ref", &AccessEvent::patient_ref),
                      field("org", &AccessEvent::org),
                      field("actor", &AccessEvent::actor),
                      field("at_ms", &AccessEvent::at_ms),
                      field("due_ms", &AccessEvent::due_ms),
                      field("justified", &AccessEvent::justified),
                      field("justified_at_ms", &AccessEvent::justified_at_ms),
                      field("justified_by", &AccessEvent::justified_by),
                      field("justification_record", &AccessEvent::justification_record),
                      field("late", &AccessEvent::late)};
  }
};

// "pq/org/<org>" and "pq/id/<org>/<name>": the patient pseudonyms the service was asked for on
// `day` (the chain's calendar day) by an organisation, by one person. Only the latest day is
// kept: the limits are per day, and the records themselves keep the history.
struct PseudonymUse {
  int64_t day = 0;
  int64_t count = 0;

  static constexpr auto fields() {
    return std::tuple{field("day", &PseudonymUse::day), field("count", &PseudonymUse::count)};
  }
};
std::string pseudonym_org_use_key(std::string_view org);
std::string pseudonym_person_use_key(std::string_view signer_id);  // "<org>/<name>"
std::string pseudonym_citizen_use_key(std::string_view card_digest);  // "pq/card/<64 hex>"

// A break-glass access is to be justified within this time of the read.
inline constexpr int64_t kBreakGlassJustifyWithinMs = 24 * kMsPerHour;

std::string access_event_key(std::string_view event_id);

// The audit flag of a break-glass event at `now_ms`: "justified", "justified_late",
// "pending" (not justified, now <= due) or "overdue". Takes the event's JSON view
// (state_value_json); a view that lacks the fields reads "unknown", which audit views must
// treat like "overdue": a damaged record is not cleared.
std::string break_glass_flag(const nlohmann::json& event_state, int64_t now_ms);

}  // namespace medtrail::contracts
