// vaccine.aefi: a suspected adverse event following immunisation (疑似预防接种异常反应), reported
// against the dose a person was given. The report lands on the dose's, the lot's and the
// person's trails, the reporter's and the disease-control centre's that supplied the dose, and
// the lot counts the doses reported, so the marketing-authorisation holder, the centres and the
// regulators see the signal (中华人民共和国疫苗管理法: vaccination
// sites, medical institutions and holders report suspected reactions to the disease-control
// centre; 全国疑似预防接种异常反应监测方案). What the person suffered is health data: `symptoms` is
// a confidential field (docs/privacy.md).
#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/confidential.h"
#include "medtrail/contracts/directory.h"
#include "vaccine_doses.h"
#include "vaccine_handlers.h"

namespace medtrail::contracts::vaccine {
namespace {

using ledger::ExecutionResult;

// The disease-control centre that supplied the dose to its site: the sender of its last leg,
// when that is a centre (VAL art. 35). Reports go to it (VAL: 向疾病预防控制机构报告).
std::optional<std::string> supplying_centre(const Call& call, const Dose& dose) {
  if (dose.legs.empty()) return std::nullopt;
  std::optional<Shipment> leg = call.txn.read<Shipment>(shipment_key(dose.legs.back()));
  if (!leg) return std::nullopt;
  std::optional<Organisation> from = find_org(call.txn, call.chain, leg->from);
  if (!from || !from->has_type("cdc")) return std::nullopt;
  return from->id;
}

}  // namespace

ExecutionResult report_aefi(Call& call) {
  BodyReader r(call.body, "body");
  const std::optional<ledger::Sealed> sealed = read_sealed(r, call.body, call);
  const Presence written = sealed ? Presence::kOptional : Presence::kRequired;
  auto text = r.matching("code", is_dose_code,
                         kDoseCodeFormat);
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
  call.txn.index("org/" + call.org.id);
  if (std::optional<std::string> centre = supplying_centre(call, dose.state)) {
    if (*centre != call.org.id) call.txn.index("org/" + *centre);
  }
  if (ExecutionResult v = check_sealed_readers(sealed, call, *patient); !v.accepted) return v;
  // A marketing-authorisation holder reports on its own vaccines.
  if (call.org.has_type("manufacturer") && dose.lot->owner != call.org.id) {
    return ExecutionResult::reject("not_lot_owner",
                                   "a manufacturer reports adverse events of its own lots");
  }
  Administration* given = nullptr;
  for (Administration& a : dose.state.administrations) {
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
  // Follow-ups and other reporters' reports of the same dose are kept on the trails; the lot
  // counts the dose once, and once more if any report calls it serious.
  const bool first_report = !given->aefi_serious.has_value();
  const bool newly_serious = *serious && !given->aefi_serious.value_or(false);
  if (!first_report && !newly_serious) return ExecutionResult::accept();
  Lot lot = *dose.lot;
  if (first_report) lot.aefi_reports += 1;
  if (newly_serious) lot.aefi_serious += 1;
  given->aefi_serious = given->aefi_serious.value_or(false) || *serious;
  call.txn.write(dose.state.lot, lot);
  call.txn.write(std::move(dose.key), dose.state);
  return ExecutionResult::accept();
}

}  // namespace medtrail::contracts::vaccine
