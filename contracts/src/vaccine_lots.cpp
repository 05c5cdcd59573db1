// vaccine.lot.register, vaccine.lot.release, vaccine.codes.add, vaccine.recall: a lot from the
// manufacturer's registration, through the regulator's batch release (批签发), to a recall.
#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/vaccine.h"
#include "vaccine_doses.h"
#include "vaccine_handlers.h"

namespace medtrail::contracts::vaccine {
namespace {

using ledger::ExecutionResult;

struct LotRef {
  std::string product_code;
  std::string lot;
  std::string key() const { return lot_key(product_code, lot); }
};

std::optional<LotRef> read_lot_ref(BodyReader& r) {
  auto product = r.matching("product_code", gtin_check_digit_ok,
                            "a GTIN-14: 14 digits ending in a valid GS1 check digit");
  auto lot = r.token("lot", Charset::kCode, 1, 20);
  if (!product || !lot) return std::nullopt;
  return LotRef{*product, *lot};
}

ExecutionResult unknown_lot(const std::string& key) {
  return ExecutionResult::reject("unknown_lot", "no lot " + key);
}

// Vaccine Administration Law: the market authorisation holder traces every smallest package, so
// it alone puts codes on its lot, each at most once, never more than the lot's doses.
ExecutionResult check_new_codes(const RecordTxn& txn, const std::vector<DoseCode>& codes,
                                const Lot& lot) {
  for (const DoseCode& code : codes) {
    if (ExecutionResult r = check_label(code, lot); !r.accepted) return r;
  }
  for (const DoseCode& code : codes) {
    if (txn.get(code_key(code.canonical))) {
      return ExecutionResult::reject("code_exists",
                                     "dose " + code.canonical + " is already on the chain");
    }
  }
  const int64_t total = lot.code_count + static_cast<int64_t>(codes.size());
  if (total * lot.doses_per_code > lot.dose_count) {
    return ExecutionResult::reject("dose_count_exceeded",
                                   "the lot would have " + std::to_string(total) + " codes of " +
                                       std::to_string(lot.doses_per_code) + " doses for " +
                                       std::to_string(lot.dose_count) + " doses");
  }
  return ExecutionResult::accept();
}

}  // namespace

ExecutionResult register_lot(Call& call) {
  BodyReader r(call.body, "body");
  auto ref = read_lot_ref(r);
  auto name = r.text("product_name", 128);
  auto expiry = r.date("expiry");
  auto doses = r.integer("dose_count", 1, 10'000'000);
  auto storage_min = r.decimal("storage_min_c", 1, -1000, 1000);
  auto storage_max = r.decimal("storage_max_c", 1, -1000, 1000);
  const int64_t per_code =
      r.integer("doses_per_code", 1, kMaxDosesPerCode, Presence::kOptional).value_or(1);
  // 28 days: the longest in-use period of an opened multi-dose vial (WHO multi-dose vial policy).
  auto open_hours = r.integer("open_vial_hours", 1, 28 * 24, Presence::kOptional);
  if (per_code == 1) r.refuse_field("open_vial_hours", "a multi-dose vial (doses_per_code 2 or more)");
  if (!r.finish()) return r.result();
  if (*doses % per_code != 0) {
    return ExecutionResult::reject("out_of_range",
                                   "body.dose_count must be a whole number of codes of "
                                   "body.doses_per_code doses");
  }
  if (*storage_min >= *storage_max) {
    return ExecutionResult::reject("out_of_range",
                                   "body.storage_min_c must be below body.storage_max_c");
  }
  const std::string key = ref->key();
  call.txn.index(key);
  call.txn.index("org/" + call.org.id);
  if (call.txn.get(key))
    return ExecutionResult::reject("lot_exists", "lot " + key + " is already registered");
  if (*expiry < call.today()) {
    return ExecutionResult::reject("lot_expired",
                                   "body.expiry " + format_date(*expiry) + " is past");
  }
  Lot lot;
  lot.product_code = std::move(ref->product_code);
  lot.product_name = std::move(*name);
  lot.lot = std::move(ref->lot);
  lot.expiry = format_date(*expiry);
  lot.dose_count = *doses;
  lot.storage_min_c = tenths_text(*storage_min);
  lot.storage_max_c = tenths_text(*storage_max);
  lot.doses_per_code = per_code;
  lot.open_vial_hours = open_hours;
  lot.owner = call.org.id;
  lot.status = "registered";
  lot.registered_at_ms = call.block.timestamp_ms;
  lot.registered_by = call.signer.id;
  lot.registered_record = std::string(call.record_id);
  call.txn.write(key, lot);
  return ExecutionResult::accept();
}

ExecutionResult release_lot(Call& call) {
  BodyReader r(call.body, "body");
  auto ref = read_lot_ref(r);
  auto decision = r.one_of("decision", {"released", "denied"});
  auto certificate = r.text("certificate_no", 64, Presence::kOptional);
  if (!r.finish()) return r.result();
  if (*decision == "released" && !certificate) {
    return ExecutionResult::reject("missing_field",
                                   "body.certificate_no is required to release a lot");
  }
  const std::string key = ref->key();
  call.txn.index(key);
  std::optional<Lot> lot = call.txn.read<Lot>(key);
  if (!lot) return unknown_lot(key);
  if (lot->decision) {
    return ExecutionResult::reject("already_decided", "lot " + key + " was " + *lot->decision);
  }
  if (lot->status == "recalled") {
    return ExecutionResult::reject("lot_recalled", "lot " + key + " is recalled");
  }
  lot->status = *decision;
  lot->decision = std::move(*decision);
  lot->decided_at_ms = call.block.timestamp_ms;
  lot->decided_by = call.signer.id;
  lot->decision_record = std::string(call.record_id);
  if (certificate) lot->certificate_no = std::move(*certificate);
  call.txn.write(key, *lot);
  return ExecutionResult::accept();
}

ExecutionResult add_codes(Call& call) {
  BodyReader r(call.body, "body");
  auto ref = read_lot_ref(r);
  auto codes = read_codes(r, "codes");
  if (!r.finish()) return r.result();
  const std::string key = ref->key();
  // Per lot, not per code: ten thousand index entries for one record would swamp the index.
  call.txn.index(key);
  std::optional<Lot> lot = call.txn.read<Lot>(key);
  if (!lot) return unknown_lot(key);
  if (lot->owner != call.org.id) {
    return ExecutionResult::reject("not_lot_owner",
                                   "lot " + key + " belongs to another organisation");
  }
  if (ExecutionResult v = check_new_codes(call.txn, *codes, *lot); !v.accepted) return v;
  // Every new dose has the same value and the same public facts: each encoded once.
  Dose dose;
  dose.lot = key;
  dose.holder = call.org.id;
  dose.status = "in_stock";
  dose.added_at_ms = call.block.timestamp_ms;
  const std::string encoded = encode_value(dose);
  const std::string facts = encode_public(public_view(dose));
  for (const DoseCode& code : *codes) {
    std::string dose_key = code_key(code.canonical);
    call.txn.put(ledger::public_facts_key(dose_key), facts);
    call.txn.put(std::move(dose_key), encoded);
  }
  lot->code_count += static_cast<int64_t>(codes->size());
  call.txn.write(key, *lot);
  return ExecutionResult::accept();
}

ExecutionResult recall_lot(Call& call) {
  BodyReader r(call.body, "body");
  auto ref = read_lot_ref(r);
  auto reason = r.text("reason", 256);
  if (!r.finish()) return r.result();
  const std::string key = ref->key();
  call.txn.index(key);
  std::optional<Lot> lot = call.txn.read<Lot>(key);
  if (!lot) return unknown_lot(key);
  const bool maker = lot->owner == call.org.id && call.signer.role != "inspector";
  if (!maker && !call.org.has_type("regulator")) {
    return ExecutionResult::reject(
        "not_permitted_to_recall",
        "only the lot's manufacturer or a regulator may recall lot " + key);
  }
  if (lot->status == "recalled") {
    return ExecutionResult::reject("already_recalled", "lot " + key + " is already recalled");
  }
  // The doses are not rewritten: each reads its lot, so the recall shows on all from this block.
  lot->status = "recalled";
  lot->recalled_at_ms = call.block.timestamp_ms;
  lot->recalled_by = call.signer.id;
  lot->recall_reason = std::move(*reason);
  lot->recall_record = std::string(call.record_id);
  call.txn.write(key, *lot);
  return ExecutionResult::accept();
}

}  // namespace medtrail::contracts::vaccine
