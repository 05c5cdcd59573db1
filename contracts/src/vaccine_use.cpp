// vaccine.administer / vaccine.quarantine: the end of a dose's journey, given to a person or
// taken out of use.
#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/confidential.h"
#include "vaccine_doses.h"
#include "vaccine_handlers.h"

namespace medtrail::contracts::vaccine {
namespace {

using ledger::ExecutionResult;

// In stock at `org`: unopened, or an opened multi-dose vial.
bool in_stock_here(const LoadedDose& dose, const Organisation& org) {
  return dose.state.holder == org.id &&
         (dose.state.status == "in_stock" || dose.state.status == "in_use");
}

// An opened multi-dose vial is used within the in-use period on its label, counted from its first
// dose (疫苗储存和运输管理规范; the label's 开启后使用时限); a vial without one has no limit here.
ExecutionResult check_open_vial(const LoadedDose& dose, int64_t now_ms) {
  const std::optional<int64_t>& hours = dose.lot->open_vial_hours;
  if (dose.state.administrations.empty() || !hours) return ExecutionResult::accept();
  const int64_t opened_at = dose.state.administrations.front().at_ms;
  if (now_ms - opened_at <= *hours * 3'600'000) return ExecutionResult::accept();
  return ExecutionResult::reject("open_vial_expired",
                                 "vial " + dose.code->canonical + " was opened more than " +
                                     std::to_string(*hours) + " hours ago");
}

// Regulators and disease control centres may quarantine any dose, wherever it is; others only
// the doses they hold in stock.
bool may_quarantine_anywhere(const Organisation& org) {
  return org.has_type("regulator") || org.has_type("cdc");
}

ExecutionResult check_quarantinable(const Call& call, const DoseSet& set) {
  const bool anywhere = may_quarantine_anywhere(call.org);
  for (const LoadedDose& dose : set.doses) {
    const std::string& status = dose.state.status;
    if (status == "disposed") {
      return ExecutionResult::reject("code_disposed",
                                     "dose " + dose.code->canonical + " was destroyed");
    }
    if (status == "administered") {
      return ExecutionResult::reject("code_reused",
                                     "dose " + dose.code->canonical + " was administered");
    }
    if (status == "quarantined") {
      return ExecutionResult::reject("code_quarantined",
                                     "dose " + dose.code->canonical + " is already quarantined");
    }
    if (!anywhere && (dose.state.holder != call.org.id || !in_stock_here(dose, call.org))) {
      return ExecutionResult::reject("not_holder",
                                     "dose " + dose.code->canonical + " is not in stock here");
    }
  }
  return ExecutionResult::accept();
}

}  // namespace

ExecutionResult administer(Call& call) {
  BodyReader r(call.body, "body");
  const std::optional<ledger::Sealed> sealed = read_sealed(r, call.body, call);
  auto text = r.matching("code", is_dose_code,
                         kDoseCodeFormat);
  auto patient = r.patient_ref("patient_ref");
  auto dose_number = r.integer("dose_number", 1, 10, Presence::kOptional);
  auto site = r.text("site", 32, Presence::kOptional);
  if (!r.finish()) return r.result();
  const DoseCode code = *parse_dose_code(*text);
  // Indexed even when refused: an attempt to give an unknown or spent code is part of the trail.
  call.txn.index(code_key(code.canonical));
  call.txn.index("patient/" + *patient);
  DoseSet set;
  if (ExecutionResult v = load_dose(call.txn, code, set); !v.accepted) return v;
  LoadedDose& dose = set.doses.front();
  call.txn.index(dose.state.lot);
  if (ExecutionResult v = check_sealed_readers(sealed, call, *patient); !v.accepted) return v;
  if (ExecutionResult v = dose_usable(dose, call.today()); !v.accepted) return v;
  if (!in_stock_here(dose, call.org)) {
    return ExecutionResult::reject("not_received_here",
                                   "dose " + code.canonical + " is not in stock at " + call.org.id);
  }
  if (ExecutionResult v = check_open_vial(dose, call.block.timestamp_ms); !v.accepted) return v;
  Administration given;
  given.at_ms = call.block.timestamp_ms;
  given.by = call.signer.id;
  given.record = std::string(call.record_id);
  given.patient_ref = std::move(*patient);
  given.dose_number = dose_number;
  given.site = std::move(site);
  dose.state.administrations.push_back(std::move(given));
  // A multi-dose vial is in use until its last dose: then it is spent, as a single dose is.
  const int64_t given_count = static_cast<int64_t>(dose.state.administrations.size());
  dose.state.status = given_count >= dose.lot->doses_per_code ? "administered" : "in_use";
  call.txn.write(std::move(dose.key), dose.state);
  return ExecutionResult::accept();
}

ExecutionResult quarantine(Call& call) {
  BodyReader r(call.body, "body");
  auto codes = read_codes(r, "codes");
  auto reason = r.one_of("reason", {"packaging", "temperature", "expiry", "other"});
  r.text("note", 256, Presence::kOptional);
  if (!r.finish()) return r.result();
  call.txn.index("org/" + call.org.id);
  DoseSet set;
  if (ExecutionResult v = load_doses_on_lot_trails(call.txn, *codes, set); !v.accepted) return v;
  if (ExecutionResult v = check_quarantinable(call, set); !v.accepted) return v;
  for (LoadedDose& dose : set.doses) {
    mark_quarantined(dose.state, *reason, call);
    call.txn.write(std::move(dose.key), dose.state);
  }
  return ExecutionResult::accept();
}

}  // namespace medtrail::contracts::vaccine
