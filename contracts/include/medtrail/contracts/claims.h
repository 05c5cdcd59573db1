#pragma once
// Medical-insurance settlement (一站式结算): the provider that dispensed a prescription or gave a
// dose claims it from an insurer once, and the insurer settles or refuses; see docs/contracts.md
// "Insurance claims".
//
// State keys (values: the stored structs below):
//   claim/<claim_id>              claims::Claim     who claims what from whom, and the decision
//   claimed/<subject>/<service>   claims::Claimed   the claim a dispense or dose was claimed by
#include <cstdint>
#include <optional>
#include <string>

#include "medtrail/contracts/state_codec.h"

namespace medtrail::contracts::claims {

// The most one claim asks: 100 million yuan, in fen.
inline constexpr int64_t kMaxAmountFen = 10'000'000'000;

// "claim/<claim_id>". status: submitted -> settled | refused.
struct Claim {
  std::string provider;   // the organisation that dispensed or vaccinated, and claims
  std::string insurer;    // an organisation of type insurer
  std::string subject;    // "rx/<rx_id>" or "vcode/<canonical dose code>"
  int64_t service = 0;    // the dispense (1 = the prescription's first) or the dose given from the code
  std::string patient_ref;
  int64_t amount_fen = 0;
  std::string status;
  int64_t submitted_at_ms = 0;
  std::string submitted_by;
  std::string submitted_record;
  // Set by claim.settle.
  std::optional<int64_t> settled_amount_fen;
  std::optional<std::string> settlement_note;  // a settlement's reason, e.g. the co-payment
  std::optional<std::string> refusal_reason;
  std::optional<int64_t> decided_at_ms;
  std::optional<std::string> decided_by;
  std::optional<std::string> decision_record;

  static constexpr auto fields() {
    return std::tuple{field("provider", &Claim::provider),
                      field("insurer", &Claim::insurer),
                      field("subject", &Claim::subject),
                      field("service", &Claim::service),
                      field("patient_ref", &Claim::patient_ref),
                      field("amount_fen", &Claim::amount_fen),
                      field("status", &Claim::status),
                      field("submitted_at_ms", &Claim::submitted_at_ms),
                      field("submitted_by", &Claim::submitted_by),
                      field("submitted_record", &Claim::submitted_record),
                      field("settled_amount_fen", &Claim::settled_amount_fen),
                      field("settlement_note", &Claim::settlement_note),
                      field("refusal_reason", &Claim::refusal_reason),
                      field("decided_at_ms", &Claim::decided_at_ms),
                      field("decided_by", &Claim::decided_by),
                      field("decision_record", &Claim::decision_record)};
  }
};

// "claimed/<subject>/<service>": a dispense or a dose is claimed once.
struct Claimed {
  std::string claim_id;

  static constexpr auto fields() { return std::tuple{field("claim_id", &Claimed::claim_id)}; }
};

}  // namespace medtrail::contracts::claims
