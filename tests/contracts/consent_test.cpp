// A patient's consent (contracts/consent.h): grants and withdrawals recorded for the patient, and
// the reads of the patient's trail that check them.
#include "medtrail/contracts/consent.h"

#include <gtest/gtest.h>

#include <string>

#include "contracts/contract_fixture.h"
#include "medtrail/ledger/signed_query.h"

namespace medtrail::contracts {
namespace {

using nlohmann::json;
using testing::ContractFixture;
using testing::kPatientRef;
using testing::Person;

const std::string kTrail = "/v1/audit/trails/patient/" + kPatientRef;

class ConsentTest : public ::testing::Test {
 protected:
  json query(const std::string& purpose) const {
    return {{"chain", ledger::to_hex(f.chain.chain_id)},
            {"node", "node-1"},
            {"method", "GET"},
            {"target", kTrail},
            {"body_hash", std::string(64, '0')},
            {"purpose", purpose}};
  }
  ledger::ExecutionResult read(const Person& who, const std::string& purpose = "treatment") {
    return f.run(who, std::string(ledger::kAccessQueryKind), query(purpose));
  }
  json grant_body(const std::string& org, json purposes = {"treatment"}, const std::string& until = "2026-12-31") {
    return {{"patient_ref", kPatientRef}, {"org", org}, {"purposes", purposes}, {"valid_until", until}};
  }
  // Records a grant as `desk`; returns its id.
  std::string grant(const json& body) {
    ledger::Envelope e = f.sign(desk, "consent.grant", body);
    ledger::ExecutionResult r = f.run_block({e}).at(0);
    EXPECT_TRUE(r.accepted) << r.reason_code << ": " << r.reason;
    return ledger::record_id(e).value();
  }
  ledger::ExecutionResult withdraw(const Person& who, const std::string& id) {
    return f.run(who, "consent.withdraw", {{"patient_ref", kPatientRef}, {"grant_id", id}});
  }
  bool last_on_patient_trail() {
    auto leaves = f.index_of("patient/" + kPatientRef);
    return !leaves.empty() && leaves.back() == f.last_leaf();
  }

  ContractFixture f;
  Person desk = f.person("hosp-b", "desk-wu", "operator");
  Person doctor = f.person("hosp-b", "dr-ma", "doctor");
  Person other_doctor = f.person("hosp-a", "dr-he", "doctor");
};

TEST_F(ConsentTest, ADoctorReadsAPatientsTrailForCareOnlyUnderAGrantInForce) {
  ledger::ExecutionResult before = read(doctor);
  EXPECT_EQ(before.reason_code, "no_consent") << before.reason;
  EXPECT_TRUE(last_on_patient_trail());  // the refused attempt is the patient's to see

  const std::string id = grant(grant_body("hosp-b"));
  EXPECT_TRUE(last_on_patient_trail());
  ledger::ExecutionResult granted = read(doctor);
  EXPECT_TRUE(granted.accepted) << granted.reason_code << ": " << granted.reason;
  EXPECT_EQ(read(other_doctor).reason_code, "no_consent");       // another organisation
  EXPECT_EQ(read(doctor, "research").reason_code, "query_not_permitted");

  // Withdrawn wherever the patient asks: the next read fails, and is recorded.
  Person elsewhere = f.person("clinic-a", "desk-li", "operator");
  ledger::ExecutionResult withdrawn = withdraw(elsewhere, id);
  ASSERT_TRUE(withdrawn.accepted) << withdrawn.reason_code << ": " << withdrawn.reason;
  EXPECT_TRUE(last_on_patient_trail());
  EXPECT_EQ(read(doctor).reason_code, "no_consent");
  EXPECT_TRUE(last_on_patient_trail());
  // An emergency needs no grant: break-glass stays possible.
  EXPECT_TRUE(read(doctor, "emergency").accepted);
  EXPECT_EQ(withdraw(elsewhere, id).reason_code, "already_withdrawn");
  EXPECT_EQ(withdraw(elsewhere, std::string(64, 'e')).reason_code, "unknown_grant");
}

TEST_F(ConsentTest, AGrantNamesItsRoleAndEndsWithItsLastDay) {
  json pharmacists = grant_body("hosp-b", {"treatment", "dispensing"}, "2026-11-24");
  pharmacists["role"] = "pharmacist";
  grant(pharmacists);
  EXPECT_EQ(read(doctor).reason_code, "no_consent");  // doctors are not covered
  grant(grant_body("hosp-b", {"treatment"}, "2026-11-24"));
  EXPECT_TRUE(read(doctor).accepted);
  f.set_time("2026-11-24T23:59:00+08:00");
  EXPECT_TRUE(read(doctor).accepted);
  f.set_time("2026-11-25T00:00:00+08:00");
  EXPECT_EQ(read(doctor).reason_code, "no_consent");
  // Regulators' supervision needs no grant.
  EXPECT_TRUE(read(f.person("reg-a", "aud-1", "auditor"), "audit").accepted);
}

TEST_F(ConsentTest, GrantsAreCheckedAndBounded) {
  auto refused = [&](json body) { return f.run(desk, "consent.grant", body).reason_code; };
  EXPECT_EQ(refused(grant_body("hosp-b", {"audit"})), "bad_format");
  EXPECT_EQ(refused(grant_body("hosp-b", {"emergency"})), "bad_format");
  EXPECT_EQ(refused(grant_body("hosp-b", json::array())), "too_few_items");
  EXPECT_EQ(refused(grant_body("hosp-b", {"treatment"}, "2026-11-22")), "out_of_range");
  EXPECT_EQ(refused(grant_body("nobody")), "unknown_org");
  json by_id = grant_body("hosp-b");
  by_id["patient_ref"] = "110101199003077571";
  EXPECT_EQ(refused(by_id), "patient_identifier_in_clear");
  EXPECT_EQ(f.run(f.person("maker-a", "op-1", "operator"), "consent.grant", grant_body("hosp-b")).reason_code,
            "org_not_permitted");
  EXPECT_EQ(f.run(f.person("hosp-b", "aud-1", "auditor"), "consent.grant", grant_body("hosp-b")).reason_code,
            "role_not_permitted");
  for (size_t i = 0; i < kMaxConsentGrants; ++i) grant(grant_body("hosp-b"));
  EXPECT_EQ(refused(grant_body("hosp-b")), "too_many_grants");
  // A withdrawn grant makes room.
  const std::string first = (*f.state_json(consent_key(kPatientRef)))["grants"][0]["id"];
  ASSERT_TRUE(withdraw(desk, first).accepted);
  EXPECT_TRUE(f.run(desk, "consent.grant", grant_body("hosp-b")).accepted);
}

}  // namespace
}  // namespace medtrail::contracts
