// vaccine.ship / vaccine.receive: doses move between organisations only as a shipment the
// consignee accepts with a compliant full-journey temperature record; without one it refuses
// them and they are quarantined (Vaccine Administration Law, distribution: a unit that cannot
// obtain the temperature records, or whose temperatures did not comply, shall not receive them).
#include <set>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/contracts/directory.h"
#include "vaccine_doses.h"
#include "vaccine_handlers.h"

namespace medtrail::contracts::vaccine {
namespace {

using ledger::ExecutionResult;

struct ColdChain {
  std::string log_hash;
  int64_t min_c = 0;  // tenths of a degree Celsius
  int64_t max_c = 0;
  bool compliant = false;
  ColdChainRecord record() const {
    // BodyReader::hex checked the text: it decodes.
    return {ledger::from_hex(log_hash).value(), tenths_text(min_c), tenths_text(max_c), compliant};
  }
};

std::optional<ColdChain> read_cold_chain(BodyReader& r) {
  std::optional<BodyReader> c = r.object("cold_chain", Presence::kOptional);
  if (!c) return std::nullopt;
  auto log_hash = c->hex("log_hash", 32);
  auto min_c = c->decimal("min_c", 1, -1000, 1000);
  auto max_c = c->decimal("max_c", 1, -1000, 1000);
  auto compliant = c->boolean("compliant");
  if (!c->finish()) return std::nullopt;
  return ColdChain{*log_hash, *min_c, *max_c, *compliant};
}

// A dose still travelling with the shipment being received.
struct Travelling {
  std::string key;
  Dose dose;
};

// The doses of `shipment` still travelling with it: doses a regulator quarantined on the way
// are not, and stay quarantined.
std::vector<Travelling> travelling_doses(const RecordTxn& txn, const Shipment& shipment,
                                         std::string_view shipment_id) {
  std::vector<Travelling> out;
  out.reserve(shipment.codes.size());
  for (const std::string& code : shipment.codes) {
    std::string key = code_key(code);
    std::optional<Dose> dose = txn.read<Dose>(key);
    if (!dose || dose->status != "in_transit" || dose->shipment != shipment_id) continue;
    out.push_back({std::move(key), std::move(*dose)});
  }
  return out;
}

// Why the journey's temperature record does not allow receiving the doses; empty when it does.
// Each dose's lot names its label's storage range (疫苗储存和运输管理规范: stored and carried as
// the label says), and the journey must have stayed inside every one of them.
std::string breach_of(const RecordTxn& txn, const std::optional<ColdChain>& c,
                      const std::vector<Travelling>& doses) {
  if (!c) return "no full-journey temperature record was given";
  if (!c->compliant) return "the temperature record is not compliant";
  if (c->min_c > c->max_c) return "the temperature record's minimum is above its maximum";
  const TemperatureRange journey{c->min_c, c->max_c};
  std::set<std::string_view> judged;
  for (const Travelling& t : doses) {
    if (!judged.insert(t.dose.lot).second) continue;
    std::optional<Lot> lot = txn.read<Lot>(t.dose.lot);
    std::optional<TemperatureRange> label = lot ? storage_range(*lot) : std::nullopt;
    if (!label) return "the storage range of lot " + t.dose.lot + " cannot be read";
    if (!label->contains(journey)) {
      return "temperatures " + journey.text() + " left " + lot->product_code + "/" + lot->lot +
             "'s label range " + label->text();
    }
  }
  return "";
}

// Sends every travelling dose to stock at the consignee (received) or back under the sender's
// responsibility, quarantined (refused).
void settle_doses(Call& call, std::vector<Travelling>& doses, bool received) {
  for (auto& [key, dose] : doses) {
    if (received) {
      dose.status = "in_stock";
      dose.holder = call.org.id;
      dose.shipment.reset();
    } else {
      // The sender stays the holder: the refused doses go back under its responsibility.
      mark_quarantined(dose, "temperature", call);
    }
    call.txn.write(std::move(key), dose);
  }
}

bool is_vaccination_site(const Organisation& org) {
  return org.has_type("clinic") || org.has_type("hospital");
}

// VAL art. 35: the marketing-authorisation holder supplies disease-control centres, which supply
// the vaccination sites; no other unit supplies a site, and a site receives from no other unit.
// Vaccines go nowhere but to a centre or a site (a site may send unused doses back to a centre).
ExecutionResult check_route(const Organisation& from, const Organisation& to) {
  auto refuse = [&](const std::string& why) {
    return ExecutionResult::reject("supply_route_not_allowed",
                                   "vaccine.ship from " + from.id + " to " + to.id + ": " + why);
  };
  const bool to_cdc = to.has_type("cdc");
  if (!to_cdc && !is_vaccination_site(to)) {
    return refuse("vaccines go only to a disease-control centre or a vaccination site");
  }
  if (from.has_type("manufacturer") && !from.has_type("cdc") && !to_cdc) {
    return refuse("the marketing-authorisation holder supplies disease-control centres only");
  }
  if (!to_cdc && !from.has_type("cdc")) {
    return refuse("only a disease-control centre supplies a vaccination site");
  }
  return ExecutionResult::accept();
}

ExecutionResult check_sendable(const Call& call, const DoseSet& set) {
  for (const LoadedDose& dose : set.doses) {
    if (ExecutionResult r = dose_usable(dose, call.today()); !r.accepted) return r;
    if (dose.state.status == "in_use") {
      // Its remaining doses are for this site's session, not for another cold chain.
      return ExecutionResult::reject("vial_opened",
                                     "vial " + dose.code->canonical + " is opened: it does not travel");
    }
    if (dose.state.holder != call.org.id || dose.state.status != "in_stock") {
      return ExecutionResult::reject("not_holder",
                                     "dose " + dose.code->canonical + " is not in stock here");
    }
  }
  return ExecutionResult::accept();
}

}  // namespace

ExecutionResult ship(Call& call) {
  BodyReader r(call.body, "body");
  auto id = r.token("shipment_id", Charset::kCode, 1, 64);
  auto to = r.token("to_org", Charset::kId, 1, 64);
  auto codes = read_codes(r, "codes");
  if (!r.finish()) return r.result();
  const std::string key = shipment_key(*id);
  call.txn.index(key);
  call.txn.index("org/" + call.org.id);
  if (call.txn.get(key))
    return ExecutionResult::reject("shipment_exists", "shipment " + *id + " exists");
  std::optional<Organisation> consignee = find_org(call.txn, call.chain, *to);
  if (!consignee || consignee->removed) {
    return ExecutionResult::reject("unknown_org", "no organisation " + *to);
  }
  call.txn.index("org/" + *to);
  if (ExecutionResult v = check_route(call.org, *consignee); !v.accepted) return v;
  DoseSet set;
  if (ExecutionResult v = load_doses(call.txn, *codes, set); !v.accepted) return v;
  if (ExecutionResult v = check_sendable(call, set); !v.accepted) return v;
  for (const LoadedDose& dose : set.doses) {
    if (dose.state.legs.size() >= kMaxDoseLegs) {
      return ExecutionResult::reject("too_many_legs", "dose " + dose.code->canonical + " has travelled " +
                                                          std::to_string(kMaxDoseLegs) + " legs already");
    }
  }
  Shipment shipment;
  shipment.codes.reserve(set.doses.size());
  for (LoadedDose& dose : set.doses) {
    dose.state.status = "in_transit";
    dose.state.shipment = *id;
    dose.state.legs.push_back(*id);
    call.txn.write(std::move(dose.key), dose.state);
    shipment.codes.push_back(dose.code->canonical);
  }
  shipment.from = call.org.id;
  shipment.to = std::move(*to);
  shipment.status = "in_transit";
  shipment.shipped_at_ms = call.block.timestamp_ms;
  shipment.shipped_by = call.signer.id;
  shipment.shipped_record = std::string(call.record_id);
  call.txn.write(key, shipment);
  return ExecutionResult::accept();
}

ExecutionResult receive(Call& call) {
  BodyReader r(call.body, "body");
  auto id = r.token("shipment_id", Charset::kCode, 1, 64);
  std::optional<ColdChain> cold_chain = read_cold_chain(r);
  if (!r.finish()) return r.result();
  const std::string key = shipment_key(*id);
  call.txn.index(key);
  call.txn.index("org/" + call.org.id);
  std::optional<Shipment> shipment = call.txn.read<Shipment>(key);
  if (!shipment) return ExecutionResult::reject("unknown_shipment", "no shipment " + *id);
  if (shipment->to != call.org.id) {
    return ExecutionResult::reject("not_consignee",
                                   "shipment " + *id + " is addressed to another organisation");
  }
  if (shipment->status != "in_transit") {
    return ExecutionResult::reject("already_received",
                                   "shipment " + *id + " was " + shipment->status);
  }
  std::vector<Travelling> doses = travelling_doses(call.txn, *shipment, *id);
  const std::string breach = breach_of(call.txn, cold_chain, doses);
  settle_doses(call, doses, breach.empty());
  shipment->status = breach.empty() ? "received" : "refused";
  shipment->settled_at_ms = call.block.timestamp_ms;
  shipment->settled_by = call.signer.id;
  shipment->settled_record = std::string(call.record_id);
  if (cold_chain) shipment->cold_chain = cold_chain->record();
  call.txn.write(key, *shipment);
  if (breach.empty()) return ExecutionResult::accept();
  // The refusal and the quarantine it causes are one fact: the writes stand with the rejection.
  call.txn.keep_writes_on_reject();
  return ExecutionResult::reject("cold_chain_breach", "shipment " + *id + " refused: " + breach);
}

}  // namespace medtrail::contracts::vaccine
