#pragma once
// A patient's erasure (PIPL art. 47; docs/privacy.md, "Erasure"): a regulator's inspector
// approves it with a `patient.erase` record; the key service's node then destroys the patient's
// key, so the patient's erasable sealed fields (ledger/sealed_fields.h, version 2) never open
// again. The record, the chain's bytes and every proof stay: leaves commit to ciphertext.
//
// State "erased/<patient_ref>": how often the patient was erased, and the last time. A patient
// cared for again after an erasure gets a new key on the next seal; a later erasure destroys that.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/state.h"
#include "medtrail/contracts/state_codec.h"
#include "medtrail/ledger/chain_store.h"

namespace medtrail::contracts {

struct StoredErasure {
  int64_t count = 0;
  std::string last_record;  // the patient.erase record id
  int64_t last_at_ms = 0;   // its block time
  // A key the service drew remembers `count` then: one drawn before the latest erasure is dead.
  std::string last_basis;

  static constexpr auto fields() {
    return std::tuple{field("count", &StoredErasure::count), field("last_record", &StoredErasure::last_record),
                      field("last_at_ms", &StoredErasure::last_at_ms),
                      field("last_basis", &StoredErasure::last_basis)};
  }
};

inline constexpr std::string_view kPatientEraseKind = "patient.erase";
inline constexpr std::string_view kErasedPrefix = "erased/";

std::string erased_key(std::string_view patient_ref);
// The erasure a stored "erased/<ref>" value records; nullopt when the patient was never erased.
// A value that does not decode is `state_unreadable`: a reader that must not hand out a dead
// patient's key fails closed instead of reading "never erased".
ledger::Result<std::optional<StoredErasure>> decode_erasure(const std::optional<std::string>& raw);
ledger::Result<std::optional<StoredErasure>> read_erasure(const StateView& state, std::string_view patient_ref);
// The patients a block's writes erased, in ref order: the key service's node destroys their keys.
std::vector<std::string> erased_patients(const ledger::StateWrites& writes);

}  // namespace medtrail::contracts
