#pragma once
// What the vaccine kinds share: keys, the doses a record names with their lots, and the checks
// every movement of a dose goes through. The stored values are in vaccine.h.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/contracts/state.h"
#include "medtrail/contracts/vaccine.h"
#include "medtrail/ledger/block.h"
#include "vaccine_codes.h"

namespace medtrail::contracts::vaccine {

std::string lot_key(std::string_view product_code, std::string_view lot);
std::string code_key(std::string_view canonical);
std::string shipment_key(std::string_view shipment_id);

// The lot's expiry day; nullopt when the stored date does not parse (never written by a contract).
std::optional<int64_t> expiry_day(const Lot& lot);

// Reads a list of codes in either printed form; the same dose twice is `bad_format`.
std::optional<std::vector<DoseCode>> read_codes(BodyReader& r, std::string_view name);

// A dose a record names: its code as given, its stored state and its lot.
struct LoadedDose {
  const DoseCode* code;  // into the record's code list
  std::string key;       // vcode/<canonical>
  Dose state;
  const Lot* lot;  // into DoseSet::lots; state.lot is its key
};

// Doses read for one record; each lot is read once however many of its doses the record names.
struct DoseSet {
  std::vector<LoadedDose> doses;
  std::map<std::string, Lot> lots;  // by key, so lots are listed in key order
};

// Reads each code's dose and lot: `unknown_code`, `unknown_lot` (a dose whose lot cannot be read),
// `code_lot_mismatch` (a GS1 label whose expiry or lot differ from the lot's). `out` points into
// `codes`, which must outlive it.
ledger::ExecutionResult load_doses(const RecordTxn& txn, const std::vector<DoseCode>& codes,
                                   DoseSet& out);
// The same, with the record on the trail of every lot read, whether or not all loaded.
ledger::ExecutionResult load_doses_on_lot_trails(RecordTxn& txn, const std::vector<DoseCode>& codes,
                                                 DoseSet& out);
// The same for one code, added to `out` (`code` must outlive it).
ledger::ExecutionResult load_dose(const RecordTxn& txn, const DoseCode& code, DoseSet& out);

// Whether a GS1 label's GTIN, lot and expiry are the lot's: `code_lot_mismatch`.
ledger::ExecutionResult check_label(const DoseCode& code, const Lot& lot);

// Why no dose of the lot may be shipped or given on `today`: `lot_recalled`, `lot_not_released`,
// `lot_expired` (Vaccine Administration Law: only released, unexpired vaccine is distributed
// and used).
ledger::ExecutionResult lot_usable(const Lot& lot, int64_t today);

// Why the dose is not in `org`'s hands, as its storage or its disposal needs: `code_disposed`,
// `code_reused` (every dose given), `not_holder` (held elsewhere, or on its way). In stock, an
// opened vial and a quarantined dose are all held.
ledger::ExecutionResult check_held(const LoadedDose& dose, const Organisation& org);

// Why the dose may not be shipped or given: `code_disposed`, `code_reused`, the lot's reasons,
// `code_quarantined`.
ledger::ExecutionResult dose_usable(const LoadedDose& dose, int64_t today);

// Takes the dose out of use for `reason` (packaging, temperature, ...), by this record.
void mark_quarantined(Dose& dose, std::string reason, const Call& call);

// "2.5" / "-0.5" for a value scaled by 10.
std::string tenths_text(int64_t tenths);

// Temperatures in tenths of a degree Celsius, both ends included.
struct TemperatureRange {
  int64_t min = 0;
  int64_t max = 0;
  bool contains(const TemperatureRange& inner) const {
    return min <= inner.min && inner.max <= max;
  }
  std::string text() const { return tenths_text(min) + ".." + tenths_text(max) + " °C"; }
};

// The storage range on the lot's label; nullopt when the stored text does not parse (never
// written by a contract), which no temperature satisfies.
std::optional<TemperatureRange> storage_range(const Lot& lot);

}  // namespace medtrail::contracts::vaccine
