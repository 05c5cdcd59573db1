// patient.erase: a regulator's approval of a patient's erasure request (PIPL art. 47). The
// contract records it; the key service's node acts on it (node/src/api/patient_key_store.h).
#include "medtrail/contracts/erasure.h"

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/registry.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;

ExecutionResult erase(Call& call) {
  BodyReader r(call.body, "body");
  auto patient = r.patient_ref("patient_ref");
  // The grounds of art. 47 para. 1 (purpose achieved or no longer needed; service ended or
  // retention period over; consent withdrawn; processing unlawful or against the agreement).
  auto basis = r.one_of("basis", {"purpose_achieved", "service_ended", "retention_expired", "consent_withdrawn",
                                  "unlawful_processing"});
  // The case number of the request at the organisation that received it, never its content.
  r.token("request_ref", Charset::kCode, 1, 64);
  if (!r.finish()) return r.result();
  call.txn.index("patient/" + *patient);
  call.txn.index("org/" + call.org.id);
  StoredErasure erased = call.txn.read<StoredErasure>(erased_key(*patient)).value_or(StoredErasure{});
  ++erased.count;
  erased.last_record = std::string(call.record_id);
  erased.last_at_ms = call.block.timestamp_ms;
  erased.last_basis = std::move(*basis);
  call.txn.write(erased_key(*patient), erased);
  return ExecutionResult::accept();
}

}  // namespace

std::string erased_key(std::string_view patient_ref) { return std::string(kErasedPrefix) + std::string(patient_ref); }

ledger::Result<std::optional<StoredErasure>> decode_erasure(const std::optional<std::string>& raw) {
  if (!raw) return std::optional<StoredErasure>{};
  std::optional<StoredErasure> erased = decode_value<StoredErasure>(*raw);
  if (!erased) return ledger::Status::error("state_unreadable", "the erasure state does not decode");
  return erased;
}

ledger::Result<std::optional<StoredErasure>> read_erasure(const StateView& state, std::string_view patient_ref) {
  return decode_erasure(state.get(erased_key(patient_ref)));
}

std::vector<std::string> erased_patients(const ledger::StateWrites& writes) {
  std::vector<std::string> out;
  for (auto it = writes.lower_bound(kErasedPrefix); it != writes.end() && it->first.starts_with(kErasedPrefix); ++it) {
    if (it->second) out.push_back(it->first.substr(kErasedPrefix.size()));
  }
  return out;
}

std::vector<KindRule> erasure_rules() {
  // The regulator approves: the organisation that received the request is a party to the data.
  return {{kPatientEraseKind, {"inspector"}, {"regulator"}, erase}};
}

}  // namespace medtrail::contracts
