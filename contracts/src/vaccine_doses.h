#pragma once
// State the vaccine kinds share: keys, lots and doses as stored, and the checks every movement
// of a dose goes through.
//
// A lot's "status": registered -> released | denied (the batch-release decision, kept also in
// "decision"), and from any of these -> recalled. A dose's "status": in_stock -> in_transit ->
// in_stock at the consignee, or quarantined when the consignee refuses it; in_stock ->
// administered | quarantined. A dose never stores its lot's recall or expiry: both are read from
// the lot, so one write marks every dose of a lot.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/state.h"
#include "medtrail/ledger/block.h"
#include "vaccine_codes.h"

namespace medtrail::contracts::vaccine {

std::string lot_key(std::string_view product_code, std::string_view lot);
std::string code_key(std::string_view canonical);
std::string shipment_key(std::string_view shipment_id);

// A string field of stored JSON; empty when absent or not a string.
std::string string_at(const nlohmann::json& value, const char* name);
// The lot's expiry day; nullopt when the stored date does not parse (never written by a contract).
std::optional<int64_t> expiry_day(const nlohmann::json& lot);

// Reads a list of codes in either printed form; the same dose twice is `bad_format`.
std::optional<std::vector<DoseCode>> read_codes(BodyReader& r, std::string_view name);

struct Dose {
  DoseCode code;
  std::string key;  // vcode/<canonical>
  nlohmann::json state;
  std::string lot_key;
  const nlohmann::json* lot = nullptr;  // into DoseSet::lots
};

// Doses read for one record; each lot is read once however many of its doses the record names.
struct DoseSet {
  std::vector<Dose> doses;
  std::map<std::string, nlohmann::json> lots;
};

// Reads each code's dose and lot: `unknown_code`, `unknown_lot` (a dose whose lot cannot be read),
// `code_lot_mismatch` (a GS1 label whose expiry or lot differ from the lot's).
ledger::ExecutionResult load_doses(const RecordTxn& txn, const std::vector<DoseCode>& codes,
                                   DoseSet& out);

// Whether a GS1 label's GTIN, lot and expiry are the lot's: `code_lot_mismatch`.
ledger::ExecutionResult check_label(const DoseCode& code, const nlohmann::json& lot);

// Why no dose of the lot may be shipped or given on `today`: `lot_recalled`, `lot_not_released`,
// `lot_expired` (Vaccine Administration Law: only released, unexpired vaccine is distributed
// and used).
ledger::ExecutionResult lot_usable(const nlohmann::json& lot, int64_t today);

// Why the dose may not be shipped or given: `code_reused`, the lot's reasons, `code_quarantined`.
ledger::ExecutionResult dose_usable(const Dose& dose, int64_t today);

// "2.5" / "-0.5" for a value scaled by 10.
std::string tenths_text(int64_t tenths);

}  // namespace medtrail::contracts::vaccine
