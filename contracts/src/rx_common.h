#pragma once
// What the rx contracts share: their handlers, the drug code format and reading and writing the
// stored prescription (rx::Prescription, medtrail/contracts/rx.h).
#include <string>
#include <string_view>

#include "medtrail/contracts/registry.h"
#include "medtrail/contracts/rx.h"

namespace medtrail::contracts::rx {

ledger::ExecutionResult issue(Call& call);
ledger::ExecutionResult cancel(Call& call);
ledger::ExecutionResult review(Call& call);
ledger::ExecutionResult dispense(Call& call);
ledger::ExecutionResult deliver(Call& call);
ledger::ExecutionResult receipt(Call& call);
ledger::ExecutionResult evaluate(Call& call);  // rx_evaluation.cpp

// A national drug standard code (14 digits starting "86"), a WHO ATC code such as N02AA01, or a
// TCM decoction piece's code (is_tcm_piece_code).
bool is_drug_code(std::string_view code);
// 中药饮片 (TCM decoction pieces): the national medical insurance code of a piece, "T" and nine
// digits (T001700643).
bool is_tcm_piece_code(std::string_view code);
inline constexpr std::string_view kDrugCodeFormat =
    "a national drug code (14 digits starting 86), an ATC code such as N02AA01 or a TCM piece "
    "code such as T001700643";
// Items on one prescription: 5 Western or patent medicines (处方管理办法 art. 6); a TCM formula
// of decoction pieces has no number in law, medtrail bounds it at 40.
inline constexpr size_t kMaxWesternItems = 5;
inline constexpr size_t kMaxTcmItems = 40;

// Loads the prescription `rx_id` into `rx`: `unknown_prescription` when there is none (a value
// that does not decode throws CorruptState: the verdict `corrupt_state`).
ledger::ExecutionResult load(const Call& call, std::string_view rx_id, Prescription& rx);

// Whether the signer's organisation may review and dispense `rx`: a retail pharmacy any
// prescription; a hospital its own, and another institution's when genesis' prescription_flow is
// "any_institution" (ledger/genesis.h).
bool may_serve(const Call& call, const Prescription& rx);

// Narcotic and psychotropic class 1 drugs: prescribed and dispensed only by people with the
// special qualification, never sold by a retail pharmacy (麻醉药品和精神药品管理条例, 处方管理办法
// art. 11).
inline bool needs_special_qualification(const Item& item) {
  return item.controlled_class == "narcotic" || item.controlled_class == "psychotropic_1";
}

// Every item's dispensed quantity has reached the prescribed one.
bool fully_dispensed(const Prescription& rx);
// The day is past the last day of validity (处方管理办法 art. 18).
inline bool expired(const Prescription& rx, int64_t today) { return today > rx.valid_until_day; }
// Who signed the record, when.
Attribution attribution(const Call& call);

}  // namespace medtrail::contracts::rx
