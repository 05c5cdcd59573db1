// rx.review, rx.dispense and rx.deliver: the pharmacy's side of a prescription. A pharmacist
// reviews before anything is dispensed (处方管理办法 arts. 35, 37), and the cumulative quantity
// dispensed across every pharmacy never exceeds what was prescribed: of two pharmacies racing
// for one prescription, the second to execute is refused.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/confidential.h"
#include "medtrail/contracts/rx.h"
#include "rx_common.h"

namespace medtrail::contracts::rx {
namespace {

using ledger::ExecutionResult;

ExecutionResult not_issuing_hospital() {
  return ExecutionResult::reject(
      "not_issuing_hospital",
      "a hospital serves only the prescriptions it issued (genesis prescription_flow)");
}

// Loads the prescription and lists the record under it and under the signer's organisation
// (a refused dispense belongs to the prescription's trail too).
ExecutionResult load_for_pharmacy(Call& call, const std::string& rx_id, Prescription& rx) {
  call.txn.index(rx_key(rx_id));
  call.txn.index("org/" + call.org.id);
  if (ExecutionResult loaded = load(call, rx_id, rx); !loaded.accepted) return loaded;
  if (!may_serve(call, rx)) return not_issuing_hospital();
  if (rx.status == "cancelled") {
    return ExecutionResult::reject("rx_cancelled", "prescription " + rx_id + " was cancelled");
  }
  return ExecutionResult::accept();
}

ExecutionResult rx_expired(const std::string& rx_id) {
  return ExecutionResult::reject("rx_expired", "prescription " + rx_id + " is past its validity");
}

// drug_code -> quantity, in the order codes sort (the body's order does not matter).
using Quantities = std::map<std::string, int64_t>;

Quantities read_dispensed_items(BodyReader& r) {
  Quantities out;
  const nlohmann::json* array = r.array("items", 1, kMaxTcmItems);
  if (array == nullptr) return out;
  for (size_t i = 0; i < array->size() && r.ok(); ++i) {
    BodyReader item = r.element(*array, i);
    auto code = item.matching("drug_code", is_drug_code, kDrugCodeFormat);
    auto quantity = item.integer("quantity", 1, 100000);
    if (!item.finish()) break;
    if (!out.emplace(*code, *quantity).second) {
      r.fail("bad_format",
             r.path_of("items") + "[" + std::to_string(i) + "].drug_code repeats an earlier item");
    }
  }
  return out;
}

ExecutionResult ready_to_dispense(const Call& call, const std::string& rx_id,
                                  const Prescription& rx) {
  if (rx.status == "dispensed" || rx.status == "delivered") {
    return ExecutionResult::reject("already_dispensed",
                                   "prescription " + rx_id + " is fully dispensed");
  }
  if (!rx.review) {
    return ExecutionResult::reject("not_reviewed", "a pharmacist must approve prescription " +
                                                       rx_id + " before it is dispensed");
  }
  if (rx.review->decision != "approved") {
    return ExecutionResult::reject("review_rejected",
                                   "prescription " + rx_id + " was rejected on review");
  }
  if (expired(rx, call.today())) return rx_expired(rx_id);
  return ExecutionResult::accept();
}

// A retail pharmacy: a pharmacy that is not also a hospital.
bool is_retail(const Organisation& org) { return org.has_type("pharmacy") && !org.has_type("hospital"); }

// Narcotic and psychotropic class 1 drugs are not sold at retail (麻醉药品和精神药品管理条例,
// its chapter on trade: 不得零售); a narcotic injection is used inside the prescribing
// institution unless the patient is a cancer-pain or chronic-pain patient (处方管理办法 art. 22);
// and the pharmacist dispensing either holds the dispensing qualification (art. 11: 调剂资格).
ExecutionResult check_special_dispense(const Call& call, const Prescription& rx,
                                       const Quantities& quantities) {
  for (const Item& item : rx.items) {
    if (!quantities.contains(item.drug_code) || !needs_special_qualification(item)) continue;
    const std::string what = item.drug_code + " is a " + *item.controlled_class + " drug";
    if (is_retail(call.org)) {
      return ExecutionResult::reject("controlled_retail",
                                     what + ", which a retail pharmacy may not dispense");
    }
    if (item.controlled_class == "narcotic" && item.form == "injection" && !rx.pain &&
        rx.org != call.org.id) {
      return ExecutionResult::reject(
          "controlled_outside_issuer",
          what + " injection, used only inside the institution that prescribed it");
    }
    if (!call.signer.has_qualification(kControlledDispensing)) {
      return ExecutionResult::reject(
          "not_qualified",
          what + ": its pharmacist needs the controlled_dispensing qualification (调剂资格)");
    }
  }
  return ExecutionResult::accept();
}

// Adds `quantities` to the items' dispensed counts, or says why it may not.
ExecutionResult add_dispensed(std::vector<Item>& items, const Quantities& quantities) {
  for (const auto& [code, quantity] : quantities) {
    auto item = std::find_if(items.begin(), items.end(),
                             [&drug = code](const Item& i) { return i.drug_code == drug; });
    if (item == items.end()) {
      return ExecutionResult::reject("unknown_item", code + " is not on the prescription");
    }
    const int64_t dispensed = item->dispensed + quantity;
    if (dispensed > item->prescribed) {
      return ExecutionResult::reject(
          "quantity_exceeded", code + ": " + std::to_string(dispensed) + " dispensed in all, " +
                                   std::to_string(item->prescribed) + " prescribed");
    }
    item->dispensed = dispensed;
  }
  return ExecutionResult::accept();
}

}  // namespace

ExecutionResult review(Call& call) {
  BodyReader r(call.body, "body");
  const std::optional<ledger::Sealed> sealed = read_sealed(r, call.body, call);
  auto rx_id = r.hex("rx_id", 32);
  auto decision = r.one_of("decision", {"approved", "rejected"});
  // A rejection must say why (处方管理办法 art. 35: the prescriber is told and corrects it); a
  // sealed body says it in its sealed part.
  auto note = r.text("note", 512, decision == "rejected" && !sealed.has_value() ? Presence::kRequired : Presence::kOptional);
  if (!r.finish()) return r.result();
  Prescription rx;
  if (ExecutionResult v = load_for_pharmacy(call, *rx_id, rx); !v.accepted) return v;
  if (ExecutionResult v = check_sealed_readers(sealed, call, rx.patient_ref); !v.accepted) return v;
  if (rx.review) {
    return ExecutionResult::reject("already_reviewed",
                                   "prescription " + *rx_id + " was reviewed before");
  }
  if (expired(rx, call.today())) return rx_expired(*rx_id);
  rx.status = *decision;
  rx.review = Review{attribution(call), std::move(*decision), std::move(note)};
  call.txn.write(rx_key(*rx_id), rx);
  return ExecutionResult::accept();
}

ExecutionResult dispense(Call& call) {
  BodyReader r(call.body, "body");
  auto rx_id = r.hex("rx_id", 32);
  Quantities quantities = read_dispensed_items(r);
  if (!r.finish()) return r.result();
  Prescription rx;
  if (ExecutionResult v = load_for_pharmacy(call, *rx_id, rx); !v.accepted) return v;
  if (ExecutionResult v = ready_to_dispense(call, *rx_id, rx); !v.accepted) return v;
  if (rx.dispenses.size() >= static_cast<size_t>(kMaxDispenses)) {
    return ExecutionResult::reject("too_many_dispenses",
                                   "prescription " + *rx_id + " was dispensed in " +
                                       std::to_string(kMaxDispenses) + " parts already");
  }
  if (ExecutionResult v = check_special_dispense(call, rx, quantities); !v.accepted) return v;
  if (ExecutionResult v = add_dispensed(rx.items, quantities); !v.accepted) return v;
  rx.dispenses.push_back(Dispense{attribution(call), std::move(quantities)});
  rx.status = fully_dispensed(rx) ? "dispensed" : "dispensing";
  call.txn.write(rx_key(*rx_id), rx);
  return ExecutionResult::accept();
}

ExecutionResult deliver(Call& call) {
  BodyReader r(call.body, "body");
  const std::optional<ledger::Sealed> sealed = read_sealed(r, call.body, call);
  auto rx_id = r.hex("rx_id", 32);
  auto method = r.one_of("method", {"pickup", "courier"});
  auto tracking = r.text("tracking_no", 64, Presence::kOptional);
  auto carrier = r.token("carrier", Charset::kId, 1, 64, Presence::kOptional);
  if (method != "courier") r.refuse_field("carrier", "a courier delivery only");
  if (!r.finish()) return r.result();
  call.txn.index(rx_key(*rx_id));
  call.txn.index("org/" + call.org.id);
  Prescription rx;
  if (ExecutionResult loaded = load(call, *rx_id, rx); !loaded.accepted) return loaded;
  if (ExecutionResult v = check_sealed_readers(sealed, call, rx.patient_ref); !v.accepted) return v;
  if (rx.status != "dispensed" && rx.status != "delivered") {
    return ExecutionResult::reject("not_dispensed",
                                   "prescription " + *rx_id + " is not fully dispensed");
  }
  if (std::none_of(rx.dispenses.begin(), rx.dispenses.end(),
                   [&](const Dispense& d) { return d.org == call.org.id; })) {
    return ExecutionResult::reject("not_dispenser",
                                   "only an organisation that dispensed it may deliver");
  }
  if (rx.delivery) {
    return ExecutionResult::reject("already_delivered",
                                   "prescription " + *rx_id + " was delivered before");
  }
  if (carrier) {
    // A third-party logistics organisation the pharmacy entrusted (药品网络销售监督管理办法 2022:
    // 委托配送): a member of the chain, of type logistics, which then records the receipt.
    std::optional<Organisation> org = find_org(call.txn, call.chain, *carrier);
    if (!org || org->removed) return ExecutionResult::reject("unknown_org", "no organisation " + *carrier);
    if (!org->has_type("logistics")) {
      return ExecutionResult::reject("not_a_carrier",
                                     "organisation " + *carrier + " is not a logistics organisation");
    }
    call.txn.index("org/" + *carrier);
  }
  rx.delivery = Delivery{attribution(call), std::move(*method), std::move(tracking), std::move(carrier)};
  rx.status = "delivered";
  call.txn.write(rx_key(*rx_id), rx);
  return ExecutionResult::accept();
}

// The patient confirms receipt to whoever handed the medicines over: the carrier the delivery
// named, or else the organisation that delivered (a pickup at its counter).
ExecutionResult receipt(Call& call) {
  BodyReader r(call.body, "body");
  auto rx_id = r.hex("rx_id", 32);
  auto confirmation = r.one_of("confirmation", {"signature", "verification_code", "in_person"});
  auto evidence = r.hex("evidence_hash", 32, Presence::kOptional);
  if (!r.finish()) return r.result();
  call.txn.index(rx_key(*rx_id));
  call.txn.index("org/" + call.org.id);
  Prescription rx;
  if (ExecutionResult loaded = load(call, *rx_id, rx); !loaded.accepted) return loaded;
  if (!rx.delivery) {
    return ExecutionResult::reject("not_delivered", "prescription " + *rx_id + " was not delivered");
  }
  const std::string& deliverer = rx.delivery->carrier ? *rx.delivery->carrier : rx.delivery->org;
  if (call.org.id != deliverer) {
    return ExecutionResult::reject("not_deliverer",
                                   "the receipt is recorded by " + deliverer + ", who handed it over");
  }
  if (rx.receipt) {
    return ExecutionResult::reject("already_received",
                                   "prescription " + *rx_id + "'s receipt was recorded before");
  }
  rx.receipt = Receipt{attribution(call), std::move(*confirmation), std::move(evidence)};
  call.txn.write(rx_key(*rx_id), rx);
  return ExecutionResult::accept();
}

}  // namespace medtrail::contracts::rx
