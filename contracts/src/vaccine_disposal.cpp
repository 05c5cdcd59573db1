// vaccine.dispose: doses taken out of use for good — expired, recalled, damaged, spoiled by
// temperature, the rest of an opened vial — destroyed by their holder under the eye of a
// supervising authority's officer, and recorded (中华人民共和国疫苗管理法: vaccines whose packaging
// cannot be identified, stored at the wrong temperature or past their expiry are registered and
// reported, and disposed of as the drug regulator and the health authority direct; 处置情况应当
// 如实记录, the records kept at least five years after expiry).
#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/directory.h"
#include "vaccine_doses.h"
#include "vaccine_handlers.h"

namespace medtrail::contracts::vaccine {
namespace {

using ledger::ExecutionResult;

// The witness is a person of a supervising authority (a drug regulator, a health inspection
// institute), valid now, and not the signer.
ExecutionResult check_witness(const Call& call, const std::string& witness_id,
                              std::optional<Organisation>& witness_org) {
  auto refuse = [&](const std::string& why) {
    return ExecutionResult::reject("witness_not_permitted", "body.witness " + why);
  };
  if (witness_id == call.signer.id) return refuse("is the signer");
  std::optional<Signer> witness = find_signer(call.txn, call.chain, witness_id);
  if (!witness || witness->role == kAdminRole || witness->role == kNodeRole) {
    return refuse("is not a person the chain knows");
  }
  witness_org = find_org(call.txn, call.chain, witness->org);
  // Known: the record is on the witness organisation's trail, refused or not.
  call.txn.index("org/" + witness->org);
  if (!signer_validity(witness_org, call.chain, *witness, call.block.timestamp_ms).accepted) {
    return refuse("is not valid now (revoked, expired or not yet valid)");
  }
  if (!witness_org->has_type("regulator") && !witness_org->has_type("inspector")) {
    return refuse("is not of a supervising authority (a regulator or an inspector organisation)");
  }
  return ExecutionResult::accept();
}

// The stated reason must be true of the dose where the chain can tell: `disposal_reason_mismatch`.
ExecutionResult check_reason(const LoadedDose& dose, const std::string& reason, int64_t today) {
  bool holds = true;
  if (reason == "expired") {
    const std::optional<int64_t> expiry = expiry_day(*dose.lot);
    holds = !expiry || *expiry < today;
  } else if (reason == "recalled") {
    holds = dose.lot->status == "recalled";
  } else if (reason == "opened_vial") {
    holds = !dose.state.administrations.empty();  // opened, perhaps quarantined since
  }
  if (holds) return ExecutionResult::accept();
  return ExecutionResult::reject("disposal_reason_mismatch",
                                 "dose " + dose.code->canonical + " is not " + reason);
}

}  // namespace

ExecutionResult dispose(Call& call) {
  BodyReader r(call.body, "body");
  auto codes = read_codes(r, "codes");
  auto reason = r.one_of("reason", {"expired", "recalled", "temperature", "damaged",
                                    "opened_vial", "other"});
  auto method = r.one_of("method", {"incineration", "autoclave", "chemical", "other"});
  auto witness = r.matching("witness", is_identity_id,
                            "an identity id <org>/<name>, each [a-z0-9-] 1..64");
  r.text("note", 256, Presence::kOptional);
  if (!r.finish()) return r.result();
  call.txn.index("org/" + call.org.id);
  DoseSet set;
  if (ExecutionResult v = load_doses_on_lot_trails(call.txn, *codes, set); !v.accepted) return v;
  for (const LoadedDose& dose : set.doses) {
    if (ExecutionResult v = check_held(dose, call.org); !v.accepted) return v;
    if (ExecutionResult v = check_reason(dose, *reason, call.today()); !v.accepted) return v;
  }
  std::optional<Organisation> witness_org;
  if (ExecutionResult v = check_witness(call, *witness, witness_org); !v.accepted) return v;
  for (LoadedDose& dose : set.doses) {
    dose.state.status = "disposed";
    dose.state.disposed_at_ms = call.block.timestamp_ms;
    dose.state.disposed_by = call.signer.id;
    dose.state.disposal_record = std::string(call.record_id);
    dose.state.disposal_reason = *reason;
    dose.state.disposal_method = *method;
    dose.state.disposal_witness = *witness;
    call.txn.write(std::move(dose.key), dose.state);
  }
  return ExecutionResult::accept();
}

}  // namespace medtrail::contracts::vaccine
