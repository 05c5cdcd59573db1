#include "vaccine_doses.h"

#include <set>

#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/vaccine.h"

namespace medtrail::contracts {
namespace vaccine {

using ledger::ExecutionResult;

std::string lot_key(std::string_view product_code, std::string_view lot) {
  return "vlot/" + std::string(product_code) + "/" + std::string(lot);
}
std::string code_key(std::string_view canonical) { return "vcode/" + std::string(canonical); }
std::string shipment_key(std::string_view shipment_id) {
  return "vship/" + std::string(shipment_id);
}

std::optional<int64_t> expiry_day(const Lot& lot) { return parse_date(lot.expiry); }

std::optional<std::vector<DoseCode>> read_codes(BodyReader& r, std::string_view name) {
  auto texts = r.string_list(name, 1, 10000, is_dose_code,
                             kDoseCodeFormat);
  if (!texts) return std::nullopt;
  std::vector<DoseCode> codes;
  codes.reserve(texts->size());
  std::set<std::string> seen;
  for (size_t i = 0; i < texts->size(); ++i) {
    DoseCode code = *parse_dose_code((*texts)[i]);
    if (!seen.insert(code.canonical).second) {
      r.fail("bad_format", r.path_of(name) + "[" + std::to_string(i) + "] is a dose listed before");
      return std::nullopt;
    }
    codes.push_back(std::move(code));
  }
  return codes;
}

ExecutionResult check_label(const DoseCode& code, const Lot& lot) {
  if (!code.gs1) return ExecutionResult::accept();
  const std::optional<int64_t> expiry = expiry_day(lot);
  if (code.gs1->gtin != lot.product_code || code.gs1->lot != lot.lot || !expiry ||
      !gs1_expiry_matches(code.gs1->expiry, *expiry)) {
    return ExecutionResult::reject("code_lot_mismatch", "the label of dose " + code.canonical +
                                                            " names another lot or expiry");
  }
  return ExecutionResult::accept();
}

ExecutionResult load_dose(const RecordTxn& txn, const DoseCode& code, DoseSet& out) {
  std::string key = code_key(code.canonical);
  std::optional<Dose> state = txn.read<Dose>(key);
  if (!state)
    return ExecutionResult::reject("unknown_code", "no dose " + code.canonical + " on the chain");
  auto cached = out.lots.find(state->lot);
  if (cached == out.lots.end()) {
    std::optional<Lot> lot = txn.read<Lot>(state->lot);
    if (!lot)
      return ExecutionResult::reject("unknown_lot",
                                     "the lot of dose " + code.canonical + " cannot be read");
    cached = out.lots.emplace(state->lot, std::move(*lot)).first;
  }
  if (ExecutionResult r = check_label(code, cached->second); !r.accepted) return r;
  out.doses.push_back(LoadedDose{&code, std::move(key), std::move(*state), &cached->second});
  return ExecutionResult::accept();
}

ExecutionResult load_doses(const RecordTxn& txn, const std::vector<DoseCode>& codes, DoseSet& out) {
  out.doses.reserve(codes.size());
  for (const DoseCode& code : codes) {
    if (ExecutionResult r = load_dose(txn, code, out); !r.accepted) return r;
  }
  return ExecutionResult::accept();
}

ExecutionResult check_held(const LoadedDose& dose, const Organisation& org) {
  const std::string& status = dose.state.status;
  const std::string& code = dose.code->canonical;
  if (status == "disposed") return ExecutionResult::reject("code_disposed", "dose " + code + " was destroyed");
  if (status == "administered") return ExecutionResult::reject("code_reused", "dose " + code + " was given");
  const bool held = status == "in_stock" || status == "in_use" || status == "quarantined";
  if (dose.state.holder != org.id || !held) {
    return ExecutionResult::reject("not_holder", "dose " + code + " is not held here");
  }
  return ExecutionResult::accept();
}

ExecutionResult load_doses_on_lot_trails(RecordTxn& txn, const std::vector<DoseCode>& codes,
                                         DoseSet& out) {
  ExecutionResult loaded = load_doses(txn, codes, out);
  for (const auto& [lot_key, unused] : out.lots) txn.index(lot_key);
  return loaded;
}

void mark_quarantined(Dose& dose, std::string reason, const Call& call) {
  dose.status = "quarantined";
  dose.quarantine_reason = std::move(reason);
  dose.quarantined_at_ms = call.block.timestamp_ms;
  dose.quarantined_by = call.signer.id;
  dose.quarantine_record = std::string(call.record_id);
}

ExecutionResult lot_usable(const Lot& lot, int64_t today) {
  auto name = [&lot] { return lot.product_code + "/" + lot.lot; };
  if (lot.status == "recalled")
    return ExecutionResult::reject("lot_recalled", "lot " + name() + " is recalled");
  if (lot.status != "released") {
    return ExecutionResult::reject("lot_not_released", "lot " + name() + " has no batch release");
  }
  const std::optional<int64_t> expiry = expiry_day(lot);
  if (!expiry || *expiry < today) {
    return ExecutionResult::reject("lot_expired", "lot " + name() + " expired on " + lot.expiry);
  }
  return ExecutionResult::accept();
}

ExecutionResult dose_usable(const LoadedDose& dose, int64_t today) {
  const std::string& status = dose.state.status;
  if (status == "disposed") {
    return ExecutionResult::reject("code_disposed", "dose " + dose.code->canonical + " was destroyed");
  }
  if (status == "administered") {
    return ExecutionResult::reject("code_reused", dose.lot->doses_per_code > 1
                                                      ? "every dose of vial " + dose.code->canonical + " was given"
                                                      : "dose " + dose.code->canonical + " was administered before");
  }
  if (ExecutionResult r = lot_usable(*dose.lot, today); !r.accepted) return r;
  if (status == "quarantined") {
    return ExecutionResult::reject("code_quarantined",
                                   "dose " + dose.code->canonical + " is quarantined");
  }
  return ExecutionResult::accept();
}

std::optional<TemperatureRange> storage_range(const Lot& lot) {
  const std::optional<int64_t> min = parse_decimal(lot.storage_min_c, 1);
  const std::optional<int64_t> max = parse_decimal(lot.storage_max_c, 1);
  if (!min || !max || *min > *max) return std::nullopt;
  return TemperatureRange{*min, *max};
}

std::string tenths_text(int64_t tenths) {
  const int64_t magnitude = tenths < 0 ? -tenths : tenths;
  return (tenths < 0 ? "-" : "") + std::to_string(magnitude / 10) + "." +
         std::to_string(magnitude % 10);
}

}  // namespace vaccine

namespace {

// A string field of a JSON view; empty when absent or not a string.
std::string string_at(const nlohmann::json& view, const char* name) {
  auto it = view.find(name);
  return it != view.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// An opened vial whose in-use period (open_vial_hours from its first dose) is over at `now_ms`;
// an unreadable first dose counts as over.
bool open_vial_spent(const nlohmann::json& code_state, const nlohmann::json& lot_state,
                     int64_t now_ms) {
  auto hours = lot_state.find("open_vial_hours");
  if (hours == lot_state.end() || !hours->is_number_integer()) return false;
  auto given = code_state.find("administrations");
  if (given == code_state.end() || !given->is_array() || given->empty()) return true;
  auto first = given->front().find("at_ms");
  if (first == given->front().end() || !first->is_number_integer()) return true;
  return now_ms - first->get<int64_t>() > hours->get<int64_t>() * 3'600'000;
}

}  // namespace

std::string dose_status(const nlohmann::json& code_state, const nlohmann::json& lot_state,
                        int64_t today, int64_t now_ms) {
  const std::string status = string_at(code_state, "status");
  const std::string lot_status = string_at(lot_state, "status");
  if (lot_status == "recalled") return "recalled";
  if (status == "disposed") return "disposed";
  const std::optional<int64_t> expiry = parse_date(string_at(lot_state, "expiry"));
  if (status != "administered" && (!expiry || *expiry < today)) return "expired";
  if (status == "in_use" && open_vial_spent(code_state, lot_state, now_ms)) return "expired";
  if (status == "administered") return "administered";
  if (status == "in_stock" || status == "in_transit" || status == "in_use") {
    if (lot_status != "released") return "not_released";
    return status;
  }
  // "quarantined", or a status no contract writes: never shown as usable.
  return "quarantined";
}

}  // namespace medtrail::contracts
