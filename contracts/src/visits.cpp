// visit.record: a consultation, offline at the institution or online (互联网诊疗管理办法（试行）,
// 2018). An offline visit states its diagnosis; an online one follows an offline visit or
// prescription of the same patient at the same institution and continues that diagnosis.
#include "medtrail/contracts/visits.h"

#include "family_views.h"
#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/confidential.h"
#include "medtrail/contracts/registry.h"
#include "online_care.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;

ExecutionResult record_visit(Call& call) {
  BodyReader r(call.body, "body");
  const std::optional<ledger::Sealed> sealed = read_sealed(r, call.body, call);
  const Presence written = sealed ? Presence::kOptional : Presence::kRequired;
  visits::Visit visit;
  auto patient = r.patient_ref("patient_ref");
  auto channel = r.one_of("channel", {"offline", "online"});
  if (channel == "online") {
    visit.follows = r.hex("follows", 32);
    r.refuse_field("diagnosis_code", kOnlineDiagnosis);
  } else {
    visit.diagnosis_code = r.matching("diagnosis_code", is_icd10, kIcd10Format, written);
    r.refuse_field("follows", "an online consultation");
  }
  visit.note = r.text("note", 1024, Presence::kOptional);
  if (!r.finish()) return r.result();
  call.txn.index(visit_key(call.record_id));
  call.txn.index("patient/" + *patient);
  call.txn.index("org/" + call.org.id);
  if (ExecutionResult v = check_sealed_readers(sealed, call, *patient); !v.accepted) return v;
  if (visit.follows) {
    if (ExecutionResult v = check_online_care(call, *patient, *visit.follows); !v.accepted) return v;
  }
  visit.org = call.org.id;
  visit.doctor = call.signer.id;
  visit.patient_ref = std::move(*patient);
  visit.channel = std::move(*channel);
  visit.at_ms = call.block.timestamp_ms;
  call.txn.write(visit_key(call.record_id), visit);
  return ExecutionResult::accept();
}

}  // namespace

std::string visit_key(std::string_view visit_id) { return "visit/" + std::string(visit_id); }

std::vector<KindRule> visit_rules() {
  return {{"visit.record", {"doctor"}, {"hospital", "clinic"}, record_visit}};
}

const ValueCodec* visits_value_codec(std::string_view key) {
  return key.starts_with("visit/") ? codec_of<visits::Visit>() : nullptr;
}

}  // namespace medtrail::contracts
