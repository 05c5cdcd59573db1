#pragma once
// A patient's consent (授权使用, PIPL arts. 14, 15, 29): an organisation acting for the patient
// records a grant — who may read the patient's records, for which purposes, until when — and
// its withdrawal. Reads of a patient's whole trail for care check the grants (access.query);
// an emergency read does not, and stays flagged for justification.
//
// Reason codes (docs/contracts.md, "Consent"): unknown_grant, already_withdrawn,
// too_many_grants, no_consent.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/context.h"
#include "medtrail/contracts/state.h"
#include "medtrail/contracts/state_codec.h"

namespace medtrail::contracts {

// One grant: `org` (and, when set, only its people of `role`) may read for `purposes` through
// the calendar day `valid_until_day` (chain time zone), unless withdrawn before.
struct ConsentGrant {
  std::string id;  // the consent.grant record id
  std::string org;
  std::optional<std::string> role;
  std::vector<std::string> purposes;
  int64_t valid_until_day = 0;
  std::string granted_by;  // the person who recorded it, "<org>/<user>"
  int64_t granted_at_ms = 0;
  std::optional<int64_t> withdrawn_at_ms;
  std::optional<std::string> withdrawn_by;

  static constexpr auto fields() {
    return std::tuple{field("id", &ConsentGrant::id),
                      field("org", &ConsentGrant::org),
                      field("role", &ConsentGrant::role),
                      field("purposes", &ConsentGrant::purposes),
                      field("valid_until_day", &ConsentGrant::valid_until_day),
                      field("granted_by", &ConsentGrant::granted_by),
                      field("granted_at_ms", &ConsentGrant::granted_at_ms),
                      field("withdrawn_at_ms", &ConsentGrant::withdrawn_at_ms),
                      field("withdrawn_by", &ConsentGrant::withdrawn_by)};
  }
};

// "consent/<patient_ref>": the patient's grants, oldest first. Expired and withdrawn grants are
// dropped when a new grant needs the room; the records keep the history.
struct PatientConsent {
  std::vector<ConsentGrant> grants;

  static constexpr auto fields() { return std::tuple{field("grants", &PatientConsent::grants)}; }
};

inline constexpr size_t kMaxConsentGrants = 32;

std::string consent_key(std::string_view patient_ref);

// Whether a grant in force on `today` lets a person of `org` with `role` read the patient's
// records for `purpose`.
bool consent_covers(const StateView& state, std::string_view patient_ref, std::string_view org,
                    std::string_view role, std::string_view purpose, int64_t today);

}  // namespace medtrail::contracts
