#include "api/vaccination_record.h"

#include <optional>

#include "api/checkpoint_lookup.h"
#include "api/subject_trail.h"
#include "core/store_state_view.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/state_codec.h"
#include "medtrail/contracts/vaccine.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::node::api {

namespace {

using nlohmann::json;
using ledger::Status;

template <contracts::StoredStruct T>
ledger::Result<std::optional<T>> read(const ledger::ChainStore& store, const std::string& key) {
  auto bytes = store.get_state(key);
  if (!bytes.ok()) return Status::error("io_error", "the state could not be read");
  if (!bytes->has_value()) return std::optional<T>();
  std::optional<T> value = contracts::decode_value<T>(**bytes);
  if (!value) return Status::error("corrupt_state", "a stored value does not decode");
  return value;
}

std::string org_name(const ledger::ChainStore& store, const contracts::ChainParams& chain,
                     const std::string& org) {
  StoreStateView view(store);
  std::optional<contracts::Organisation> o = contracts::find_org(view, chain, org);
  return o && !o->name.empty() ? o->name : org;
}

// Facts of the code's lot from the state: the product, lot, expiry and whether it was recalled;
// nulls when the state has no dose or lot for the code (the leaf's facts stand alone then).
ledger::Result<json> lot_facts(const ledger::ChainStore& store, const std::string& written_code) {
  json facts = {{"vaccine", nullptr}, {"product_code", nullptr}, {"lot", nullptr},
                {"expiry", nullptr},  {"lot_recalled", nullptr}};
  std::optional<std::string> code = contracts::canonical_dose_code(written_code);
  if (!code) return facts;
  auto dose = read<contracts::vaccine::Dose>(store, "vcode/" + *code);
  if (!dose.ok()) return dose.status();
  if (!*dose) return facts;
  auto lot = read<contracts::vaccine::Lot>(store, (*dose)->lot);
  if (!lot.ok()) return lot.status();
  if (!*lot) return facts;
  return json{{"vaccine", (*lot)->product_name},
              {"product_code", (*lot)->product_code},
              {"lot", (*lot)->lot},
              {"expiry", (*lot)->expiry},
              {"lot_recalled", (*lot)->recalled_at_ms.has_value()}};
}

// One dose given, or nullopt when the leaf is not an accepted administration to `patient_ref`
// (the leaf's own body says to whom: it is what a proof covers).
ledger::Result<std::optional<json>> dose_given(const ledger::ChainStore& store,
                                               const contracts::ChainParams& chain,
                                               std::string_view patient_ref, uint64_t leaf_index,
                                               const ledger::LeafRecord& leaf,
                                               const std::optional<ledger::SignedCheckpoint>& checkpoint) {
  if (!leaf.result.accepted) return std::optional<json>();
  json body;
  auto fields = ledger::parse_payload(leaf.envelope, &body);
  if (!fields.ok() || fields->kind != "vaccine.administer") return std::optional<json>();
  const json& ref = body.value("patient_ref", json());
  const json& code = body.value("code", json());
  if (!ref.is_string() || ref.get<std::string>() != patient_ref || !code.is_string()) {
    return std::optional<json>();
  }
  auto id = ledger::record_id(leaf.envelope);
  if (!id.ok()) return std::optional<json>();
  auto facts = lot_facts(store, code.get<std::string>());
  if (!facts.ok()) return facts.status();
  const json& dose_number = body.value("dose_number", json());
  const int64_t at_ms = static_cast<int64_t>(leaf.timestamp_ms);
  json row = {{"leaf_index", leaf_index},
              {"record_id", *id},
              {"at_ms", at_ms},
              {"kind", fields->kind},
              {"actor", leaf.envelope.signer},
              {"accepted", true},
              {"code", code},
              {"dose_number", dose_number.is_number_integer() ? dose_number : json()},
              {"date", contracts::format_date(contracts::day_of(at_ms, chain.utc_offset_minutes))},
              {"organisation", org_name(store, chain, fields->org)}};
  row.update(*facts);
  row["proof"] = checkpoint ? leaf_proof_json(store, leaf, leaf_index, *checkpoint) : json();
  return std::optional<json>(std::move(row));
}

}  // namespace

ledger::Result<json> vaccination_record(const ledger::ChainStore& store, const contracts::ChainParams& chain,
                                        std::string_view patient_ref,
                                        const std::optional<ledger::SignedCheckpoint>& checkpoint) {
  auto trail = subject_trail(store, "patient/" + std::string(patient_ref), kMaxVaccinationScan);
  if (!trail.ok()) return Status::error("io_error", "the patient's trail could not be read");
  json rows = json::array();
  bool truncated = false;
  for (uint64_t leaf_index : trail->leaves) {
    auto leaf = store.leaf_at(leaf_index);
    if (!leaf.ok()) return Status::error("io_error", "a record could not be read");
    auto dose = dose_given(store, chain, patient_ref, leaf_index, *leaf, checkpoint);
    if (!dose.ok()) return dose.status();
    if (!*dose) continue;
    if (rows.size() == kMaxVaccinations) {
      truncated = true;
      break;
    }
    rows.push_back(std::move(**dose));
  }
  return json{{"patient_ref", patient_ref},
              {"checkpoint", checkpoint ? ledger::checkpoint_to_json(*checkpoint) : json()},
              {"rows", std::move(rows)},
              {"truncated", truncated},
              {"scan_truncated", trail->truncated && !truncated},
              {"as_of", {{"height", store.height()}, {"tree_size", store.tree_size()}}}};
}

}  // namespace medtrail::node::api
