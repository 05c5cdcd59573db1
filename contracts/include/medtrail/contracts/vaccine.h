#pragma once
// Vaccine traceability as citizens and auditors read it: dose codes as printed on the smallest
// package, the state the contracts (vaccine.* kinds) keep, and the status one dose shows; see
// docs/contracts.md "Vaccines".
//
// State keys (values: the stored structs below):
//   vlot/<product_code>/<lot>   vaccine::Lot       owner, expiry, release decision, recall
//   vcode/<canonical code>      vaccine::Dose      its lot key, holder, status
//   vship/<shipment_id>         vaccine::Shipment  from, to, canonical codes, status
// A lot and a dose also keep their public facts at "pub/<key>" (public_view below).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/state_codec.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/public_facts.h"

namespace medtrail::contracts {

namespace vaccine {

// A dose travels at most this many legs (shipments); a value that grows with every leg is bounded.
inline constexpr size_t kMaxDoseLegs = 64;
// A code (the smallest package) holds at most this many doses: a multi-dose vial's.
inline constexpr int64_t kMaxDosesPerCode = 20;

// "vlot/<product_code>/<lot>". status: registered -> released | denied (the batch-release
// decision, kept also in `decision`); any of these -> recalled.
struct Lot {
  std::string product_code;  // GTIN-14
  std::string product_name;
  std::string lot;
  std::string expiry;  // YYYY-MM-DD
  int64_t dose_count = 0;
  // The storage temperature range on the product's label, degrees Celsius with one fraction
  // digit ("2.0", "-25.0"): the cold chain and storage records are judged against it.
  std::string storage_min_c;
  std::string storage_max_c;
  // Doses in each smallest package: 1, or a multi-dose vial's n (each code is given n times).
  int64_t doses_per_code = 1;
  // A multi-dose vial's in-use period on the label: hours from its first dose; none when unset.
  std::optional<int64_t> open_vial_hours;
  int64_t code_count = 0;
  std::string owner;  // the registering manufacturer
  std::string status;
  int64_t registered_at_ms = 0;
  std::string registered_by;
  std::string registered_record;
  // Set by vaccine.lot.release.
  std::optional<std::string> decision;
  std::optional<int64_t> decided_at_ms;
  std::optional<std::string> decided_by;
  std::optional<std::string> decision_record;
  std::optional<std::string> certificate_no;
  // Set by vaccine.recall.
  std::optional<int64_t> recalled_at_ms;
  std::optional<std::string> recalled_by;
  std::optional<std::string> recall_reason;
  std::optional<std::string> recall_record;
  // The doses of the lot given to someone who had a suspected adverse event following
  // immunisation (vaccine.aefi), and those reported serious: each administration counts once
  // however many reports follow. The signal its holder and regulators watch.
  int64_t aefi_reports = 0;
  int64_t aefi_serious = 0;

  static constexpr auto fields() {
    return std::tuple{field("product_code", &Lot::product_code),
                      field("product_name", &Lot::product_name),
                      field("lot", &Lot::lot),
                      field("expiry", &Lot::expiry),
                      field("dose_count", &Lot::dose_count),
                      field("storage_min_c", &Lot::storage_min_c),
                      field("storage_max_c", &Lot::storage_max_c),
                      field("doses_per_code", &Lot::doses_per_code),
                      field("open_vial_hours", &Lot::open_vial_hours),
                      field("code_count", &Lot::code_count),
                      field("owner", &Lot::owner),
                      field("status", &Lot::status),
                      field("registered_at_ms", &Lot::registered_at_ms),
                      field("registered_by", &Lot::registered_by),
                      field("registered_record", &Lot::registered_record),
                      field("decision", &Lot::decision),
                      field("decided_at_ms", &Lot::decided_at_ms),
                      field("decided_by", &Lot::decided_by),
                      field("decision_record", &Lot::decision_record),
                      field("certificate_no", &Lot::certificate_no),
                      field("recalled_at_ms", &Lot::recalled_at_ms),
                      field("recalled_by", &Lot::recalled_by),
                      field("recall_reason", &Lot::recall_reason),
                      field("recall_record", &Lot::recall_record),
                      field("aefi_reports", &Lot::aefi_reports),
                      field("aefi_serious", &Lot::aefi_serious)};
  }
};

// One dose given from a code: to whom, by whom, when.
struct Administration {
  int64_t at_ms = 0;
  std::string by;
  std::string record;
  std::string patient_ref;
  std::optional<int64_t> dose_number;
  std::optional<std::string> site;
  // Set by the first vaccine.aefi about this dose: whether any report called it serious.
  std::optional<bool> aefi_serious;

  static constexpr auto fields() {
    return std::tuple{field("at_ms", &Administration::at_ms),
                      field("by", &Administration::by),
                      field("record", &Administration::record),
                      field("patient_ref", &Administration::patient_ref),
                      field("dose_number", &Administration::dose_number),
                      field("site", &Administration::site),
                      field("aefi_serious", &Administration::aefi_serious)};
  }
};

// "vcode/<canonical>": one smallest package (a single dose, or a multi-dose vial). status:
// in_stock -> in_transit -> in_stock at the consignee, or quarantined when the consignee refuses
// it; in_stock -> administered (every dose given; a vial is in_use between its first and last
// dose) | quarantined; in_stock, in_use or quarantined -> disposed (destroyed, for good). A dose never stores its lot's recall or expiry: both are read from the
// lot, so one write marks every dose.
struct Dose {
  std::string lot;     // the lot's key, "vlot/<product_code>/<lot>"
  std::string holder;  // organisation id; the sender while in transit
  std::string status;
  int64_t added_at_ms = 0;
  std::optional<std::string> shipment;  // while in transit, and on doses refused on receipt
  std::optional<std::string> quarantine_reason;
  std::optional<int64_t> quarantined_at_ms;
  std::optional<std::string> quarantined_by;
  std::optional<std::string> quarantine_record;
  // Every dose given from the code, in order: at most the lot's doses_per_code.
  std::vector<Administration> administrations;
  // Set by vaccine.dispose.
  std::optional<int64_t> disposed_at_ms;
  std::optional<std::string> disposed_by;
  std::optional<std::string> disposal_record;
  std::optional<std::string> disposal_reason;
  std::optional<std::string> disposal_method;
  std::optional<std::string> disposal_witness;
  // Every shipment the dose travelled in, in order: its journey from maker to arm (each leg's
  // cold chain is in its shipment) without scanning the lot's trail.
  std::vector<std::string> legs;

  static constexpr auto fields() {
    return std::tuple{field("lot", &Dose::lot),
                      field("holder", &Dose::holder),
                      field("status", &Dose::status),
                      field("added_at_ms", &Dose::added_at_ms),
                      field("shipment", &Dose::shipment),
                      field("quarantine_reason", &Dose::quarantine_reason),
                      field("quarantined_at_ms", &Dose::quarantined_at_ms),
                      field("quarantined_by", &Dose::quarantined_by),
                      field("quarantine_record", &Dose::quarantine_record),
                      field("administrations", &Dose::administrations),
                      field("disposed_at_ms", &Dose::disposed_at_ms),
                      field("disposed_by", &Dose::disposed_by),
                      field("disposal_record", &Dose::disposal_record),
                      field("disposal_reason", &Dose::disposal_reason),
                      field("disposal_method", &Dose::disposal_method),
                      field("disposal_witness", &Dose::disposal_witness),
                      field("legs", &Dose::legs)};
  }
};

// The consignee's full-journey temperature record, as given on receipt.
struct ColdChainRecord {
  ledger::Bytes log_hash;  // SHA-256 of the temperature log
  std::string min_c;       // degrees Celsius with one fraction digit, "2.5"
  std::string max_c;
  bool compliant = false;

  static constexpr auto fields() {
    return std::tuple{field("log_hash", &ColdChainRecord::log_hash),
                      field("min_c", &ColdChainRecord::min_c),
                      field("max_c", &ColdChainRecord::max_c),
                      field("compliant", &ColdChainRecord::compliant)};
  }
};

// "vship/<shipment_id>". status: in_transit -> received | refused.
struct Shipment {
  std::string from;
  std::string to;
  std::vector<std::string> codes;  // canonical dose codes
  std::string status;
  int64_t shipped_at_ms = 0;
  std::string shipped_by;
  std::string shipped_record;
  // Set by vaccine.receive.
  std::optional<int64_t> settled_at_ms;
  std::optional<std::string> settled_by;
  std::optional<std::string> settled_record;
  std::optional<ColdChainRecord> cold_chain;

  static constexpr auto fields() {
    return std::tuple{field("from", &Shipment::from),
                      field("to", &Shipment::to),
                      field("codes", &Shipment::codes),
                      field("status", &Shipment::status),
                      field("shipped_at_ms", &Shipment::shipped_at_ms),
                      field("shipped_by", &Shipment::shipped_by),
                      field("shipped_record", &Shipment::shipped_record),
                      field("settled_at_ms", &Shipment::settled_at_ms),
                      field("settled_by", &Shipment::settled_by),
                      field("settled_record", &Shipment::settled_record),
                      field("cold_chain", &Shipment::cold_chain)};
  }
};

// What anyone may read and prove of a lot or a dose (docs/contracts.md, "Public facts"): written
// at "pub/<key>" with every write of the value (RecordTxn::write). Never a person's id (their
// organisation instead), a patient or a free-text reason; no administration time but a vial's
// opening time (its first dose's), kept only while it is in use, where the in-use rule needs it.
ledger::PublicFacts public_view(const Lot& lot);
ledger::PublicFacts public_view(const Dose& dose);

}  // namespace vaccine

// A dose code in either printed form, as the chain keys it: a 20-digit drug traceability code
// as is, a GS1 element string "(01)<gtin>(17)<yymmdd>(10)<lot>(21)<serial>" as "01<gtin>21<serial>"
// (expiry and lot are attributes of the dose, not part of its identity). nullopt if malformed.
std::optional<std::string> canonical_dose_code(std::string_view text);

// True iff `gtin14` is 14 ASCII digits whose last is the GS1 mod-10 check digit.
bool gtin_check_digit_ok(std::string_view gtin14);

// What one dose is, for a citizen, at `now_ms`, whose calendar day (calendar.h) is `today`:
// "recalled", "disposed", "expired", "quarantined", "administered", "not_released", "in_use" (an
// opened multi-dose vial), "in_transit" or "in_stock". A recall shows on every dose of the lot;
// expiry on every dose not yet given (an administered dose was checked against the expiry when
// it was given), and on an opened vial past its in-use period. Takes the JSON views
// (state_value_json) of the dose and its lot. Unreadable state never reads as usable.
std::string dose_status(const nlohmann::json& code_state, const nlohmann::json& lot_state,
                        int64_t today, int64_t now_ms);

}  // namespace medtrail::contracts
