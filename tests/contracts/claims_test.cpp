// claim.submit / claim.settle: insurance claims for a dispense or a dose, once each, settled or
// refused once by the insurer.
#include <gtest/gtest.h>

#include <string>

#include "contracts/rx_fixture.h"
#include "contracts/vaccine_fixture.h"

namespace medtrail::contracts {
namespace {

using nlohmann::json;
using testing::ContractFixture;
using testing::kPatientRef;
using testing::Person;

json rx_claim(const std::string& id, const std::string& rx_id, int64_t dispense = 1,
              int64_t fen = 4250) {
  return {{"claim_id", id}, {"insurer", "ins-a"}, {"rx_id", rx_id}, {"dispense", dispense}, {"amount_fen", fen}};
}
json dose_claim(const std::string& id, const std::string& code, int64_t fen = 9000) {
  return {{"claim_id", id}, {"insurer", "ins-a"}, {"dose_code", code}, {"amount_fen", fen}};
}
json with_amount(json body, int64_t fen) {
  body["amount_fen"] = fen;
  return body;
}
json settle(const std::string& id, const std::string& decision, std::optional<int64_t> fen) {
  json body = {{"claim_id", id}, {"decision", decision}};
  if (fen) body["amount_fen"] = *fen;
  if (decision == "refused") body["reason"] = "drug not on the reimbursement list";
  return body;
}

class ClaimsTest : public rx_testing::RxTest {
 protected:
  std::string run(const Person& who, const std::string& kind, const json& body) {
    ledger::ExecutionResult r = f.run(who, kind, body);
    EXPECT_EQ(r.accepted, r.reason_code.empty()) << r.reason;
    return r.accepted ? "accepted" : r.reason_code;
  }
  // A prescription dispensed in two parts by pharm-a.
  std::string dispensed_twice() {
    const std::string id = approved();
    EXPECT_TRUE(dispense(pharmacist, id, {{{"drug_code", rx_testing::kDrug}, {"quantity", 20}}}).accepted);
    EXPECT_TRUE(dispense(pharmacist, id, {{{"drug_code", rx_testing::kDrug2}, {"quantity", 10}}}).accepted);
    return id;
  }
  Person insurer = f.person("ins-a", "op-lu", "operator");
  Person billing = f.person("pharm-a", "op-bill", "operator");
};

TEST_F(ClaimsTest, APharmacyClaimsEachDispenseOnceAndTheInsurerSettles) {
  const std::string id = dispensed_twice();
  EXPECT_EQ(run(billing, "claim.submit", rx_claim("CLM-1", id, 1)), "accepted");
  EXPECT_EQ(run(pharmacist, "claim.submit", rx_claim("CLM-2", id, 2, 1800)), "accepted");
  auto claim = *f.state_json("claim/CLM-1");
  EXPECT_EQ(claim["provider"], "pharm-a");
  EXPECT_EQ(claim["insurer"], "ins-a");
  EXPECT_EQ(claim["subject"], "rx/" + id);
  EXPECT_EQ(claim["service"], 1);
  EXPECT_EQ(claim["patient_ref"], kPatientRef);
  EXPECT_EQ(claim["amount_fen"], 4250);
  EXPECT_EQ(claim["status"], "submitted");
  // The same dispense again, under another claim id: refused, and kept on the first claim's trail.
  EXPECT_EQ(run(billing, "claim.submit", rx_claim("CLM-3", id, 1)), "already_claimed");
  EXPECT_FALSE(f.state_json("claim/CLM-3"));
  EXPECT_EQ(f.index_of("claim/CLM-1").size(), 2u);
  EXPECT_EQ(f.index_of("claim/CLM-3").size(), 1u);
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 4u);  // issue, three claims

  EXPECT_EQ(run(insurer, "claim.settle", settle("CLM-1", "settled", 4250)), "accepted");  // all of it
  claim = *f.state_json("claim/CLM-1");
  EXPECT_EQ(claim["status"], "settled");
  EXPECT_EQ(claim["settled_amount_fen"], 4250);
  EXPECT_TRUE(claim["refusal_reason"].is_null());
  EXPECT_EQ(claim["decided_by"], "ins-a/op-lu");
  EXPECT_EQ(run(insurer, "claim.settle", settle("CLM-1", "refused", std::nullopt)), "already_decided");
  EXPECT_EQ(run(insurer, "claim.settle", settle("CLM-2", "settled", 1801)), "amount_exceeds_claim");
  EXPECT_EQ(run(insurer, "claim.settle", settle("CLM-2", "refused", std::nullopt)), "accepted");
  EXPECT_EQ((*f.state_json("claim/CLM-2"))["refusal_reason"], "drug not on the reimbursement list");
  EXPECT_TRUE((*f.state_json("claim/CLM-2"))["settled_amount_fen"].is_null());
  // Refused is final too: the service stays claimed, by CLM-2.
  EXPECT_EQ(run(billing, "claim.submit", rx_claim("CLM-4", id, 2)), "already_claimed");
  EXPECT_EQ(f.index_of("org/pharm-a").size(), 3u + 4u + 4u);  // review, 2 dispenses; 4 claims; 4 decisions
}

TEST_F(ClaimsTest, SubmitRules) {
  const std::string id = dispensed_twice();
  const std::string undispensed = approved();
  EXPECT_EQ(run(billing, "claim.submit", rx_claim("CLM-1", id)), "accepted");
  EXPECT_EQ(run(billing, "claim.submit", rx_claim("CLM-1", id, 2)), "claim_exists");
  json to_pharmacy = rx_claim("CLM-2", id, 2);
  to_pharmacy["insurer"] = "pharm-b";
  EXPECT_EQ(run(billing, "claim.submit", to_pharmacy), "not_an_insurer");
  to_pharmacy["insurer"] = "ins-z";
  EXPECT_EQ(run(billing, "claim.submit", to_pharmacy), "unknown_org");
  EXPECT_EQ(run(billing, "claim.submit", rx_claim("CLM-2", std::string(64, 'f'))), "unknown_prescription");
  EXPECT_EQ(run(billing, "claim.submit", rx_claim("CLM-2", id, 3)), "unknown_service");
  EXPECT_EQ(run(billing, "claim.submit", rx_claim("CLM-2", undispensed, 1)), "unknown_service");
  EXPECT_EQ(run(pharmacist_b, "claim.submit", rx_claim("CLM-2", id, 2)), "not_provider");
  EXPECT_EQ(run(doctor, "claim.submit", rx_claim("CLM-2", id, 2)), "role_not_permitted");
  EXPECT_EQ(run(insurer, "claim.submit", rx_claim("CLM-2", id, 2)), "org_not_permitted");
}

TEST_F(ClaimsTest, SettleRules) {
  const std::string id = dispensed_twice();
  EXPECT_EQ(run(insurer, "claim.settle", settle("CLM-1", "settled", 100)), "unknown_claim");
  EXPECT_EQ(run(billing, "claim.submit", rx_claim("CLM-1", id)), "accepted");
  EXPECT_EQ(run(billing, "claim.settle", settle("CLM-1", "settled", 100)), "org_not_permitted");
  EXPECT_EQ(run(f.admin("ins-a"), "claim.settle", settle("CLM-1", "settled", 0)), "out_of_range");
  EXPECT_EQ(run(f.admin("ins-a"), "claim.settle", settle("CLM-1", "settled", std::nullopt)), "missing_field");
  EXPECT_EQ(run(f.admin("ins-a"), "claim.settle", with_amount(settle("CLM-1", "refused", std::nullopt), 5)),
            "unknown_field");
  EXPECT_EQ(run(f.admin("ins-a"), "claim.settle", json{{"claim_id", "CLM-1"}, {"decision", "refused"}}),
            "missing_field");
  EXPECT_EQ(run(f.admin("ins-b"), "claim.settle", settle("CLM-1", "settled", 1)), "not_insurer");
  json with_note = settle("CLM-1", "settled", 1);
  with_note["reason"] = "20% co-payment";
  EXPECT_EQ(run(f.admin("ins-a"), "claim.settle", with_note), "accepted");
  EXPECT_EQ((*f.state_json("claim/CLM-1"))["settlement_note"], "20% co-payment");
  EXPECT_TRUE((*f.state_json("claim/CLM-1"))["refusal_reason"].is_null());
}

TEST_F(ClaimsTest, ClaimBodiesNameExactlyOneService) {
  const std::string id = dispensed_twice();
  json both = rx_claim("CLM-1", id);
  both["dose_code"] = vaccine_testing::digits20(1);
  json neither = {{"claim_id", "CLM-1"}, {"insurer", "ins-a"}, {"amount_fen", 100}};
  json no_dispense = rx_claim("CLM-1", id);
  no_dispense.erase("dispense");
  json crossed = rx_claim("CLM-1", id);
  crossed["administration"] = 1;
  const std::pair<json, std::string> cases[] = {
      {both, "unknown_field"},
      {neither, "missing_field"},
      {no_dispense, "missing_field"},
      {crossed, "unknown_field"},
      {rx_claim("CLM-1", id, 1, 0), "out_of_range"},
      {rx_claim("CLM-1", id, 1, 10'000'000'001), "out_of_range"},
      {rx_claim("CLM-1", id, 21), "out_of_range"},
      {rx_claim("CLM 1", id), "bad_format"},
  };
  for (const auto& [body, code] : cases) EXPECT_EQ(run(billing, "claim.submit", body), code) << body.dump();
  EXPECT_EQ(run(billing, "claim.submit", rx_claim("CLM-1", id, 1, 10'000'000'000)), "accepted");
}

class DoseClaimsTest : public vaccine_testing::VaccineTest {};

TEST_F(DoseClaimsTest, TheClinicClaimsEachDoseGivenOnce) {
  accept(maker, "vaccine.lot.register", vaccine_testing::with(vaccine_testing::lot_body("2028-12-31", 4), "doses_per_code", 2));
  accept(inspector, "vaccine.lot.release", vaccine_testing::release_body());
  const std::string vial = vaccine_testing::gs1("V1");
  accept(maker, "vaccine.codes.add", vaccine_testing::codes_body({vial, vaccine_testing::gs1("V2")}));
  stock_clinic({vial, vaccine_testing::gs1("V2")});
  accept(nurse, "vaccine.administer", vaccine_testing::administer_body(vial));
  EXPECT_EQ(run(clinic_op, "vaccine.ship", vaccine_testing::ship_body("X", "cdc-a", {vaccine_testing::gs1("V2")})),
            "accepted");  // (V2 goes back; nothing to claim for it)
  EXPECT_EQ(run(clinic_op, "claim.submit", dose_claim("D-1", vial)), "accepted");
  EXPECT_EQ((*f.state_json("claim/D-1"))["subject"], "vcode/" + vaccine_testing::canonical("V1"));
  EXPECT_EQ(run(clinic_op, "claim.submit", dose_claim("D-2", vial)), "already_claimed");
  json second = dose_claim("D-2", vial);
  second["administration"] = 2;
  EXPECT_EQ(run(clinic_op, "claim.submit", second), "unknown_service");
  accept(nurse, "vaccine.administer", vaccine_testing::with(vaccine_testing::administer_body(vial), "patient_ref", std::string(64, 'e')));
  EXPECT_EQ(run(clinic_op, "claim.submit", second), "accepted");
  EXPECT_EQ((*f.state_json("claim/D-2"))["patient_ref"], std::string(64, 'e'));
  EXPECT_EQ(run(cdc_op, "claim.submit", dose_claim("D-3", vial)), "not_provider");
  EXPECT_EQ(run(clinic_op, "claim.submit", dose_claim("D-3", vaccine_testing::gs1("V9"))), "unknown_code");
}

}  // namespace
}  // namespace medtrail::contracts
