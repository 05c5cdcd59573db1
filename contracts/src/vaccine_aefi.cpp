// vaccine.aefi: a suspected adverse event following immunisation (疑似预防接种异常反应), reported
// against the dose a person was given. The report lands on the dose's, the lot's and the
// person's trails, and the lot counts its reports, so the marketing-authorisation holder, the
// disease-control centres and the regulators see the signal (中华人民共和国疫苗管理法: vaccination
// sites, medical institutions and holders report suspected reactions to the disease-control
// centre; 全国疑似预防接种异常反应监测方案). What the person suffered is health data: `symptoms` is
// a confidential field (docs/privacy.md).
#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/confidential.h"
#include "vaccine_doses.h"
#include "vaccine_handlers.h"

namespace medtrail::contracts::vaccine {

using ledger::ExecutionResult;

ExecutionResult report_aefi(Call& call) {
  BodyReader r(call.body, "body");
  const std::optional<ledger::Sealed> sealed = read_sealed(r, call.body, call);
  const Presence written = sealed ? Presence::kOptional : Presence::kRequired;
  auto text = r.matching("code", is_dose_code,
                         "a 20-digit traceability code or a GS1 string "
                         "(01)<GTIN-14>(17)<YYMMDD>(10)<lot>(21)<serial>");
  auto patient = r.patient_ref("patient_ref");
  auto onset = r.date("onset_date");
  auto serious = r.boolean("serious");
  r.text("symptoms", 512, written);
  if (!r.finish()) return r.result();
  const DoseCode code = *parse_dose_code(*text);
  call.txn.index(code_key(code.canonical));
  call.txn.index("patient/" + *patient);
  DoseSet set;
  if (ExecutionResult v = load_dose(call.txn, code, set); !v.accepted) return v;
  LoadedDose& dose = set.doses.front();
  call.txn.index(dose.state.lot);
  if (ExecutionResult v = check_sealed_readers(sealed, call, *patient); !v.accepted) return v;
  const Administration* given = nullptr;
  for (const Administration& a : dose.state.administrations) {
    if (a.patient_ref == *patient) given = &a;
  }
  if (given == nullptr) {
    return ExecutionResult::reject("not_administered_to_patient",
                                   "dose " + code.canonical + " was not given to this patient");
  }
  const int64_t given_day = day_of(given->at_ms, call.chain.utc_offset_minutes);
  if (*onset < given_day || *onset > call.today()) {
    return ExecutionResult::reject("onset_out_of_range",
                                   "body.onset_date must be between the day the dose was given (" +
                                       format_date(given_day) + ") and today");
  }
  Lot lot = *dose.lot;
  lot.aefi_reports += 1;
  if (*serious) lot.aefi_serious += 1;
  call.txn.write(dose.state.lot, lot);
  return ExecutionResult::accept();
}

}  // namespace medtrail::contracts::vaccine
