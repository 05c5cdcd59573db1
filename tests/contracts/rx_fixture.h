#pragma once
// Shared fixture for the rx.* contract tests (rx_issue_test.cpp, rx_pharmacy_test.cpp): a
// doctor, pharmacists and a courier desk, a default prescription body and helpers that issue,
// review, dispense, deliver and cancel it.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "contracts/contract_fixture.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/rx.h"

namespace medtrail::contracts::rx_testing {

using nlohmann::json;
using testing::ContractFixture;
using testing::kPatientRef;
using testing::Person;

inline const std::string kDrug = "86979474000084";
inline const std::string kDrug2 = "86900000000015";
inline const std::string kMorphine = "N02AA01";

inline json item(const std::string& code = kDrug, int64_t quantity = 20, int64_t days = 5) {
  return {{"drug_code", code},    {"name", "Amoxicillin capsules"},
          {"strength", "0.25 g"}, {"quantity", quantity},
          {"unit", "capsule"},    {"dosage", "2 capsules three times a day"},
          {"days_supply", days}};
}

inline json controlled(const std::string& cls, const std::string& form, int64_t days,
                       int64_t quantity = 10) {
  json i = item(kMorphine, quantity, days);
  i["controlled_class"] = cls;
  i["form"] = form;
  return i;
}

inline json issue_body() {
  return {{"patient_ref", kPatientRef},
          {"type", "normal"},
          {"channel", "offline"},
          {"diagnosis_code", "J06.9"},
          {"items", json::array({item(), item(kDrug2, 10, 7)})}};
}

// A body change and the reason code it must give ("" when it must be accepted).
struct Case {
  const char* name;
  std::function<void(json&)> change;
  const char* code;
};

class RxTest : public ::testing::Test {
 protected:
  ledger::ExecutionResult run_issue(const json& body, std::string* rx_id = nullptr) {
    ledger::Envelope e = f.sign(doctor, "rx.issue", body);
    if (rx_id != nullptr) *rx_id = ledger::record_id(e).value();
    return f.run_block({e}).at(0);
  }
  std::string issue(const json& body = issue_body()) {
    std::string id;
    ledger::ExecutionResult r = run_issue(body, &id);
    EXPECT_TRUE(r.accepted) << r.reason_code << ": " << r.reason;
    return id;
  }
  ledger::ExecutionResult review(const Person& who, const std::string& id,
                                 const std::string& decision = "approved") {
    json body = {{"rx_id", id}, {"decision", decision}};
    if (decision == "rejected") body["note"] = "dose too high for the patient's age";
    return f.run(who, "rx.review", body);
  }
  std::string approved(const json& body = issue_body()) {
    std::string id = issue(body);
    EXPECT_TRUE(review(pharmacist, id).accepted);
    return id;
  }
  json dispense_body(const std::string& id, json items) {
    return {{"rx_id", id}, {"items", std::move(items)}};
  }
  ledger::ExecutionResult dispense(const Person& who, const std::string& id, json items) {
    return f.run(who, "rx.dispense", dispense_body(id, std::move(items)));
  }
  // Everything the default prescription holds, dispensed at once.
  ledger::ExecutionResult dispense_all(const Person& who, const std::string& id) {
    return dispense(
        who, id,
        {{{"drug_code", kDrug}, {"quantity", 20}}, {{"drug_code", kDrug2}, {"quantity", 10}}});
  }
  ledger::ExecutionResult deliver(const Person& who, const std::string& id) {
    return f.run(who, "rx.deliver",
                 {{"rx_id", id}, {"method", "courier"}, {"tracking_no", "SF1234567890"}});
  }
  ledger::ExecutionResult cancel(const Person& who, const std::string& id) {
    return f.run(who, "rx.cancel", {{"rx_id", id}, {"reason", "wrong drug chosen"}});
  }
  json rx(const std::string& id) { return f.state_json(rx_key(id)).value_or(json()); }
  int64_t today() const { return day_of(f.now_ms(), f.chain.utc_offset_minutes); }
  void next_day() { f.set_time("2026-11-24T00:00:00+08:00"); }

  void expect_issue_cases(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(c.name);
      json body = issue_body();
      c.change(body);
      ledger::ExecutionResult r = run_issue(body);
      EXPECT_EQ(r.reason_code, c.code) << r.reason;
      EXPECT_EQ(r.accepted, std::string(c.code).empty());
    }
  }

  ContractFixture f;
  // Holds the right to prescribe narcotic and psychotropic class 1 drugs; other_doctor does not.
  // An attending doctor (主治医师), who may issue a first long-term prescription.
  Person doctor = f.person("hosp-a", "dr-wang", "doctor",
                           {{"qualifications", {"controlled_prescribing"}},
                            {"title", "attending"},
                            {"practice_since", "2012-09-01"}});
  Person other_doctor = f.person("hosp-a", "dr-zhou", "doctor");
  Person pharmacist = f.person("pharm-a", "ph-zhao", "pharmacist");
  Person pharmacist_b = f.person("pharm-b", "ph-qian", "pharmacist");
  // Holds the right to dispense narcotic and psychotropic class 1 drugs; the others do not.
  Person hospital_pharmacist = f.person("hosp-a", "ph-sun", "pharmacist",
                                        {{"qualifications", {"controlled_dispensing"}}});
  Person other_hospital_pharmacist = f.person("hosp-b", "ph-li", "pharmacist");
  Person courier_desk = f.person("pharm-b", "op-chen", "operator");
};

}  // namespace medtrail::contracts::rx_testing
