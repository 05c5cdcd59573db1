// vaccine.administer / vaccine.quarantine: the end of a dose's journey, given to a person or
// taken out of use.
#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/confidential.h"
#include "vaccine_doses.h"
#include "vaccine_handlers.h"

namespace medtrail::contracts::vaccine {
namespace {

using ledger::ExecutionResult;

// Regulators and disease control centres may quarantine any dose, wherever it is; others only
// the doses they hold in stock.
bool may_quarantine_anywhere(const Organisation& org) {
  return org.has_type("regulator") || org.has_type("cdc");
}

ExecutionResult check_quarantinable(const Call& call, const DoseSet& set) {
  const bool anywhere = may_quarantine_anywhere(call.org);
  for (const LoadedDose& dose : set.doses) {
    const std::string& status = dose.state.status;
    if (status == "administered") {
      return ExecutionResult::reject("code_reused",
                                     "dose " + dose.code->canonical + " was administered");
    }
    if (status == "quarantined") {
      return ExecutionResult::reject("code_quarantined",
                                     "dose " + dose.code->canonical + " is already quarantined");
    }
    if (!anywhere && (dose.state.holder != call.org.id || status != "in_stock")) {
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
                         "a 20-digit traceability code or a GS1 string "
                         "(01)<GTIN-14>(17)<YYMMDD>(10)<lot>(21)<serial>");
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
  if (dose.state.holder != call.org.id || dose.state.status != "in_stock") {
    return ExecutionResult::reject("not_received_here",
                                   "dose " + code.canonical + " is not in stock at " + call.org.id);
  }
  dose.state.status = "administered";
  dose.state.administered_at_ms = call.block.timestamp_ms;
  dose.state.administered_by = call.signer.id;
  dose.state.administered_record = std::string(call.record_id);
  dose.state.patient_ref = std::move(*patient);
  if (dose_number) dose.state.dose_number = *dose_number;
  if (site) dose.state.site = std::move(*site);
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
  ExecutionResult loaded = load_doses(call.txn, *codes, set);
  for (const auto& [lot_key, unused] : set.lots) call.txn.index(lot_key);
  if (!loaded.accepted) return loaded;
  if (ExecutionResult v = check_quarantinable(call, set); !v.accepted) return v;
  for (LoadedDose& dose : set.doses) {
    dose.state.status = "quarantined";
    dose.state.quarantine_reason = *reason;
    dose.state.quarantined_at_ms = call.block.timestamp_ms;
    dose.state.quarantined_by = call.signer.id;
    dose.state.quarantine_record = std::string(call.record_id);
    call.txn.write(std::move(dose.key), dose.state);
  }
  return ExecutionResult::accept();
}

}  // namespace medtrail::contracts::vaccine
