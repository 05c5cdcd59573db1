#pragma once
// Shared fixture for the vaccine.* contract tests (vaccine_supply_test.cpp, vaccine_use_test.cpp):
// a manufacturer, an inspector, clinics and a CDC, body builders for every kind and helpers that
// register, release, stock and inspect doses.
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "contracts/contract_fixture.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/contracts/vaccine.h"

namespace medtrail::contracts::vaccine_testing {

using nlohmann::json;
using testing::ContractFixture;
using testing::kPatientRef;
using testing::Person;

inline const std::string kGtin = "06901234567892";
inline const std::string kOtherGtin = "06901234567908";
inline const std::string kLot = "L2026A";
inline const std::string kLotKey = "vlot/" + kGtin + "/" + kLot;

// "(01)<gtin>(17)<expiry>(10)<lot>(21)<serial>" for the test lot unless told otherwise.
inline std::string gs1(const std::string& serial, const std::string& expiry = "281231",
                       const std::string& lot = kLot, const std::string& gtin = kGtin) {
  return "(01)" + gtin + "(17)" + expiry + "(10)" + lot + "(21)" + serial;
}
inline std::string canonical(const std::string& serial) { return "01" + kGtin + "21" + serial; }
// A 20-digit traceability code.
inline std::string digits20(int n) {
  std::string tail = std::to_string(n);
  return "8" + std::string(19 - tail.size(), '0') + tail;
}

// A state value's JSON view without its unset (null) fields.
inline json set_fields(json view) {
  for (auto it = view.begin(); it != view.end();) {
    it = it->is_null() ? view.erase(it) : std::next(it);
  }
  return view;
}

inline json lot_body(const std::string& expiry = "2028-12-31", int64_t doses = 100) {
  return {{"product_code", kGtin},
          {"product_name", "Hepatitis B vaccine 10ug"},
          {"lot", kLot},
          {"expiry", expiry},
          {"dose_count", doses},
          {"storage_min_c", "2.0"},
          {"storage_max_c", "8.0"}};
}
inline json lot_ref() { return {{"product_code", kGtin}, {"lot", kLot}}; }
inline json with(json body, const std::string& field, json value) {
  body[field] = std::move(value);
  return body;
}
inline json without(json body, const std::string& field) {
  body.erase(field);
  return body;
}
inline json release_body(const std::string& decision = "released") {
  json body = lot_ref();
  body["decision"] = decision;
  if (decision == "released") body["certificate_no"] = "SJ20260001";
  return body;
}
inline json codes_body(const std::vector<std::string>& codes) {
  return with(lot_ref(), "codes", codes);
}
inline json ship_body(const std::string& id, const std::string& to,
                      const std::vector<std::string>& codes) {
  return {{"shipment_id", id}, {"to_org", to}, {"codes", codes}};
}
inline json cold_chain(const std::string& min_c = "2.5", const std::string& max_c = "7.5",
                       bool compliant = true) {
  return {{"log_hash", std::string(64, 'b')},
          {"min_c", min_c},
          {"max_c", max_c},
          {"compliant", compliant}};
}
inline json receive_body(const std::string& id, std::optional<json> chain = cold_chain()) {
  json body = {{"shipment_id", id}};
  if (chain) body["cold_chain"] = *chain;
  return body;
}
inline json administer_body(const std::string& code) {
  return {
      {"code", code}, {"patient_ref", kPatientRef}, {"dose_number", 1}, {"site", "left deltoid"}};
}
inline json quarantine_body(const std::vector<std::string>& codes,
                            const std::string& reason = "packaging") {
  return {{"codes", codes}, {"reason", reason}};
}

// A storage unit's temperature record over the day before the fixture's time.
inline json storage_body(const std::vector<std::string>& codes, const std::string& min_c = "3.0",
                         const std::string& max_c = "6.0") {
  return {{"unit", "FRIDGE-2"},
          {"from", "2026-11-22T08:00:00+08:00"},
          {"to", "2026-11-23T08:00:00+08:00"},
          {"log_hash", std::string(64, 'd')},
          {"min_c", min_c},
          {"max_c", max_c},
          {"codes", codes}};
}
inline json dispose_body(const std::vector<std::string>& codes, const std::string& reason = "damaged",
                         const std::string& witness = "reg-a/insp-liu") {
  return {{"codes", codes}, {"reason", reason}, {"method", "incineration"}, {"witness", witness}};
}
inline json aefi_body(const std::string& code, const std::string& onset = "2026-11-23",
                      bool serious = false) {
  return {{"code", code},
          {"patient_ref", kPatientRef},
          {"onset_date", onset},
          {"serious", serious},
          {"symptoms", "fever 38.6 C and swelling at the injection site"}};
}

class VaccineTest : public ::testing::Test {
 protected:
  VaccineTest()
      : maker(f.person("maker-a", "op-chen", "operator")),
        inspector(f.person("reg-a", "insp-liu", "inspector")),
        nurse(f.person("clinic-a", "nurse-he", "vaccinator")),
        clinic_op(f.person("clinic-a", "op-ma", "operator")),
        nurse_b(f.person("clinic-b", "nurse-qi", "vaccinator")),
        cdc_op(f.person("cdc-a", "op-sun", "operator")) {}

  std::string run(const Person& who, const std::string& kind, const json& body) {
    ledger::ExecutionResult r = f.run(who, kind, body);
    EXPECT_EQ(r.accepted, r.reason_code.empty()) << r.reason;
    return r.accepted ? "accepted" : r.reason_code;
  }
  void accept(const Person& who, const std::string& kind, const json& body) {
    ledger::ExecutionResult r = f.run(who, kind, body);
    ASSERT_TRUE(r.accepted) << kind << ": " << r.reason_code << " " << r.reason;
  }
  // A registered lot, released unless told otherwise, with codes serial 1..n in GS1 form.
  std::vector<std::string> lot_with_codes(int n, const std::string& decision = "released") {
    accept(maker, "vaccine.lot.register", lot_body());
    if (!decision.empty()) accept(inspector, "vaccine.lot.release", release_body(decision));
    std::vector<std::string> codes;
    for (int i = 1; i <= n; ++i) codes.push_back(gs1("SN" + std::to_string(i)));
    accept(maker, "vaccine.codes.add", codes_body(codes));
    return codes;
  }
  // The codes along the route the law sets: the manufacturer ships them to cdc-a ("CDC-<id>"),
  // which ships them on to clinic-a (`id`); both legs received.
  void stock_clinic(const std::vector<std::string>& codes, const std::string& id = "SHIP-1") {
    stock_cdc(codes, "CDC-" + id);
    accept(cdc_op, "vaccine.ship", ship_body(id, "clinic-a", codes));
    accept(clinic_op, "vaccine.receive", receive_body(id));
  }
  // The codes shipped from the manufacturer and received by cdc-a.
  void stock_cdc(const std::vector<std::string>& codes, const std::string& id = "CDC-SHIP-1") {
    accept(maker, "vaccine.ship", ship_body(id, "cdc-a", codes));
    accept(cdc_op, "vaccine.receive", receive_body(id));
  }
  // Runs the kind's handler past the envelope: 10,000 codes exceed the 64 KiB payload limit, yet
  // the contract's own list limit must hold whatever the transport allows.
  ledger::ExecutionResult direct(const Person& who, const std::string& kind, const json& body) {
    std::optional<Signer> signer = find_signer(f.state, f.chain, who.id);
    std::optional<Organisation> org = find_org(f.state, f.chain, who.org);
    const ledger::PayloadFields fields{1, kind, who.org, who.id, "2026-11-23T02:00:00Z", "n1"};
    const BlockContext block{1, f.now_ms()};
    RecordTxn txn(f.state);
    const std::string record_id(64, '0');  // the call holds a view of it
    Call call{block, f.chain, *signer, *org, fields, body, record_id, txn};
    return Registry::standard().find(kind)->handler(call);
  }
  std::string status_of(const std::string& code) {
    auto state = f.state_json("vcode/" + *canonical_dose_code(code));
    return state ? (*state)["status"].get<std::string>() : "absent";
  }
  std::string citizen_status(const std::string& code) {
    auto dose = f.state_json("vcode/" + *canonical_dose_code(code));
    auto lot = f.state_json((*dose)["lot"].get<std::string>());
    return dose_status(*dose, *lot, day_of(f.now_ms(), f.chain.utc_offset_minutes), f.now_ms());
  }

  ContractFixture f;
  Person maker, inspector, nurse, clinic_op, nurse_b, cdc_op;
};

// A body and the reason code it must get.
struct BodyCase {
  std::string name;
  json body;
  std::string expected;
};

}  // namespace medtrail::contracts::vaccine_testing
