// rx.evaluate: 处方点评 findings on a prescription, by its hospital's pharmacists or a regulator.
#include <gtest/gtest.h>

#include <string>

#include "contracts/rx_fixture.h"

namespace medtrail::contracts {
namespace {

using namespace rx_testing;  // NOLINT: test helpers

json finding(const std::string& id, json findings = json::array({"irregular.10", "excessive.3"})) {
  return {{"rx_id", id}, {"result", "irrational"}, {"findings", std::move(findings)}};
}
json rational(const std::string& id) { return {{"rx_id", id}, {"result", "rational"}}; }
json with_field(json body, const std::string& name, json value) {
  body[name] = std::move(value);
  return body;
}

TEST_F(RxTest, TheIssuingHospitalsPharmacistRecordsAFindingOnThreeTrails) {
  const std::string id = approved();
  ASSERT_TRUE(dispense_all(pharmacist, id).accepted);
  const ledger::ExecutionResult r = f.run(hospital_pharmacist, "rx.evaluate", finding(id));
  EXPECT_TRUE(r.accepted) << r.reason_code << " " << r.reason;
  // The prescription's trail, the hospital's, and the doctor's: a regulator reads findings by
  // organisation and by doctor.
  EXPECT_EQ(f.index_of("rx/" + id).size(), 4u);  // issue, review, dispense, evaluate
  EXPECT_EQ(f.index_of("actor/hosp-a/dr-wang").size(), 1u);
  EXPECT_EQ(f.index_of("org/hosp-a").size(), 2u);  // the issue, the evaluation
  // Evaluating changes nothing the pharmacies act on.
  EXPECT_EQ(rx(id)["status"], "dispensed");
  EXPECT_TRUE(f.run(hospital_pharmacist, "rx.evaluate", rational(id)).accepted);  // a second look
}

TEST_F(RxTest, ARegulatorEvaluatesAnyPrescriptionAHospitalOnlyItsOwn) {
  const std::string id = issue();
  EXPECT_EQ(f.run(other_hospital_pharmacist, "rx.evaluate", finding(id)).reason_code,
            "not_issuing_hospital");
  // The refusal is on the prescription's trail, never on the hospital's or the doctor's.
  EXPECT_TRUE(f.index_of("actor/hosp-a/dr-wang").empty());
  EXPECT_EQ(f.index_of("org/hosp-a").size(), 1u);  // the issue
  EXPECT_EQ(f.run(pharmacist, "rx.evaluate", finding(id)).reason_code, "org_not_permitted");
  EXPECT_EQ(f.run(doctor, "rx.evaluate", finding(id)).reason_code, "role_not_permitted");
  EXPECT_TRUE(f.run(f.person("reg-a", "insp-liu", "inspector"), "rx.evaluate", finding(id)).accepted);
  EXPECT_TRUE(f.run(f.person("insp-a", "insp-ye", "inspector"), "rx.evaluate", rational(id)).accepted);
  EXPECT_EQ(f.run(hospital_pharmacist, "rx.evaluate", finding(std::string(64, 'f'))).reason_code,
            "unknown_prescription");
  // The contract's refusal stays on the prescription's trail too (the executor's, of the wrong
  // role or organisation type, come before any index).
  EXPECT_EQ(f.index_of("rx/" + id).size(), 4u);  // issue, refused, two evaluations
}

TEST_F(RxTest, FindingsUseTheStandardsCodes) {
  const std::string id = issue();
  struct BodyCase {
    const char* name;
    json body;
    const char* code;
  };
  const BodyCase cases[] = {
      {"last irregular item", finding(id, {"irregular.15"}), ""},
      {"last inappropriate item", finding(id, {"inappropriate.9"}), ""},
      {"last excessive item", finding(id, {"excessive.4"}), ""},
      {"beyond the irregular items", finding(id, {"irregular.16"}), "bad_format"},
      {"beyond the inappropriate items", finding(id, {"inappropriate.10"}), "bad_format"},
      {"beyond the excessive items", finding(id, {"excessive.5"}), "bad_format"},
      {"item zero", finding(id, {"irregular.0"}), "bad_format"},
      {"leading zero", finding(id, {"irregular.01"}), "bad_format"},
      {"unknown category", finding(id, {"rational.1"}), "bad_format"},
      {"no item", finding(id, {"excessive"}), "bad_format"},
      {"twice", finding(id, {"excessive.1", "excessive.1"}), "bad_format"},
      {"no findings", finding(id, json::array()), "too_few_items"},
      {"irrational without findings", json{{"rx_id", id}, {"result", "irrational"}}, "missing_field"},
      {"rational with findings", with_field(rational(id), "findings", {"irregular.1"}), "unknown_field"},
      {"unknown result", json{{"rx_id", id}, {"result", "good"}}, "bad_format"},
      {"note too long", with_field(rational(id), "note", std::string(513, 'x')), "out_of_range"},
      {"extra field", with_field(rational(id), "score", 5), "unknown_field"},
  };
  for (const BodyCase& c : cases) {
    const ledger::ExecutionResult r = f.run(hospital_pharmacist, "rx.evaluate", c.body);
    EXPECT_EQ(r.reason_code, c.code) << c.name << ": " << r.reason;
  }
  json eleven = json::array();
  for (int i = 1; i <= 11; ++i) eleven.push_back("irregular." + std::to_string(i));
  EXPECT_EQ(f.run(hospital_pharmacist, "rx.evaluate", finding(id, eleven)).reason_code, "too_many_items");
}

}  // namespace
}  // namespace medtrail::contracts
