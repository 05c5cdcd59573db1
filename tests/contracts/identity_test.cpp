// identity.register / identity.revoke and the signer checks every record goes through.
#include <gtest/gtest.h>

#include "contracts/contract_fixture.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/ledger/trail_head.h"

namespace medtrail::contracts {
namespace {

using testing::ContractFixture;
using testing::Person;

nlohmann::json doctor_body(const ledger::KeyPair& key, const std::string& user = "dr-wang") {
  return {{"user_id", user},
          {"role", "doctor"},
          {"public_key", ledger::to_hex(key.public_key)},
          {"licence_no", "110101-2020-0001"},
          {"valid_from", "2026-01-01"},
          {"valid_until", "2026-12-31"}};
}

class IdentityTest : public ::testing::Test {
 protected:
  ledger::KeyPair fresh_key() { return ledger::ed25519_sha256().generate_keypair().value(); }
  // Someone the admin registered through a record, with the key to sign as them.
  Person registered(const std::string& org, const std::string& user, nlohmann::json body) {
    Person p{org + "/" + user, org, fresh_key()};
    body["user_id"] = user;
    body["public_key"] = ledger::to_hex(p.key.public_key);
    EXPECT_TRUE(f.run(f.admin(org), "identity.register", body).accepted);
    return p;
  }
  // A record any doctor may sign whose body is wrong: past the signer checks it fails on the
  // body, so a body reason code proves the signer was accepted.
  ledger::ExecutionResult doctor_record(const Person& who) {
    return f.run(who, "rx.issue", nlohmann::json::object());
  }
  ContractFixture f;
};

TEST_F(IdentityTest, AdminRegistersADoctorWhoCanThenSign) {
  Person dr = registered("hosp-a", "dr-wang", doctor_body(fresh_key()));
  auto stored = f.state_json(identity_key("hosp-a/dr-wang"));
  ASSERT_TRUE(stored);
  EXPECT_EQ((*stored)["role"], "doctor");
  EXPECT_EQ((*stored)["valid_until"], "2026-12-31");
  EXPECT_EQ(doctor_record(dr).reason_code, "missing_field");
  EXPECT_EQ(f.index_of("identity/hosp-a/dr-wang").size(), 1u);
}

// 处方管理办法 art. 11: the institution grants the right to prescribe (doctors) and to dispense
// (pharmacists) narcotic and psychotropic class 1 drugs; the identity carries it.
TEST_F(IdentityTest, SpecialQualificationsAreRegisteredWithTheirRole) {
  nlohmann::json body = doctor_body(fresh_key());
  body["qualifications"] = {"controlled_prescribing"};
  registered("hosp-a", "dr-wang", body);
  EXPECT_EQ(f.state_json(identity_key("hosp-a/dr-wang")).value()["qualifications"],
            nlohmann::json({"controlled_prescribing"}));
  registered("hosp-a", "dr-zhou", doctor_body(fresh_key()));
  EXPECT_EQ(f.state_json(identity_key("hosp-a/dr-zhou")).value()["qualifications"],
            nlohmann::json::array());
  nlohmann::json pharmacist = doctor_body(fresh_key());
  pharmacist["role"] = "pharmacist";
  pharmacist["qualifications"] = {"controlled_dispensing"};
  registered("hosp-a", "ph-sun", pharmacist);

  nlohmann::json titled = doctor_body(fresh_key(), "dr-chief");
  titled["title"] = "chief";
  registered("hosp-a", "dr-chief", titled);
  EXPECT_EQ(f.state_json(identity_key("hosp-a/dr-chief")).value()["title"], "chief");
  EXPECT_TRUE(f.state_json(identity_key("hosp-a/dr-zhou")).value()["title"].is_null());
  pharmacist["title"] = "chief";
  pharmacist["user_id"] = "ph-chief";
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", pharmacist).reason_code,
            "qualification_not_for_role");
  titled["title"] = "professor";
  titled["user_id"] = "dr-prof";
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", titled).reason_code, "bad_format");

  struct Case {
    const char* name;
    nlohmann::json qualifications;
    const char* code;
  };
  for (const Case& c :
       {Case{
            "a pharmacist's for a doctor", {"controlled_dispensing"}, "qualification_not_for_role"},
        Case{"unknown", {"surgery"}, "bad_format"},
        Case{"twice", {"controlled_prescribing", "controlled_prescribing"}, "bad_format"},
        Case{"empty", nlohmann::json::array(), "too_few_items"},
        Case{"not a list", "controlled_prescribing", "wrong_type"}}) {
    SCOPED_TRACE(c.name);
    nlohmann::json b = doctor_body(fresh_key(), "dr-new");
    b["qualifications"] = c.qualifications;
    EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", b).reason_code, c.code);
  }
}

TEST_F(IdentityTest, RegisteredIdentityCanSignLaterInTheSameBlock) {
  ledger::KeyPair key = fresh_key();
  Person dr{"hosp-a/dr-wang", "hosp-a", key};
  auto results = f.run_block({f.sign(f.admin("hosp-a"), "identity.register", doctor_body(key)),
                              f.sign(dr, "rx.issue", nlohmann::json::object())});
  EXPECT_TRUE(results[0].accepted);
  EXPECT_EQ(results[1].reason_code, "missing_field");
}

TEST_F(IdentityTest, OnlyAnAdminMayRegister) {
  Person dr = f.person("hosp-a", "dr-li", "doctor");
  EXPECT_EQ(f.run(dr, "identity.register", doctor_body(fresh_key())).reason_code,
            "role_not_permitted");
}

TEST_F(IdentityTest, IdTakenTwiceOrNamedAdminOrANodeIsRefused) {
  registered("hosp-a", "dr-wang", doctor_body(fresh_key()));
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", doctor_body(fresh_key())).reason_code,
            "identity_exists");
  EXPECT_EQ(
      f.run(f.admin("hosp-a"), "identity.register", doctor_body(fresh_key(), "admin")).reason_code,
      "identity_exists");
  EXPECT_EQ(
      f.run(f.admin("hosp-a"), "identity.register", doctor_body(fresh_key(), "node-1")).reason_code,
      "identity_exists");
}

TEST_F(IdentityTest, RoleMustFitTheOrganisationType) {
  EXPECT_EQ(f.run(f.admin("pharm-a"), "identity.register", doctor_body(fresh_key())).reason_code,
            "role_not_allowed_for_org");
  nlohmann::json pharmacist = doctor_body(fresh_key(), "ph-zhao");
  pharmacist["role"] = "pharmacist";
  EXPECT_TRUE(f.run(f.admin("pharm-a"), "identity.register", pharmacist).accepted);
}

TEST_F(IdentityTest, LicenceIsRequiredForClinicalRoles) {
  nlohmann::json body = doctor_body(fresh_key());
  body.erase("licence_no");
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", body).reason_code, "missing_field");
  body["role"] = "operator";
  EXPECT_TRUE(f.run(f.admin("hosp-a"), "identity.register", body).accepted);
}

TEST_F(IdentityTest, BodyIsCheckedStrictly) {
  nlohmann::json body = doctor_body(fresh_key());
  body["valid_until"] = "2025-12-31";
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", body).reason_code, "out_of_range");
  body = doctor_body(fresh_key());
  body["role"] = "surgeon";
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", body).reason_code, "bad_format");
  body = doctor_body(fresh_key());
  body["public_key"] = "abcd";
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", body).reason_code, "bad_format");
  body = doctor_body(fresh_key());
  body["extra"] = 1;
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", body).reason_code, "unknown_field");
  body = doctor_body(fresh_key());
  body["valid_from"] = "2026-02-30";
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", body).reason_code, "bad_format");
  body = doctor_body(fresh_key());
  body["display_name"] = "Wang 110101199003077571";
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", body).reason_code,
            "patient_identifier_in_clear");
}

TEST_F(IdentityTest, RevokedSignerIsRefusedFromThatBlockOn) {
  Person dr = registered("hosp-a", "dr-wang", doctor_body(fresh_key()));
  auto results = f.run_block({f.sign(dr, "rx.issue", nlohmann::json::object()),
                              f.sign(f.admin("hosp-a"), "identity.revoke",
                                     {{"user_id", "dr-wang"}, {"reason", "left the hospital"}}),
                              f.sign(dr, "rx.issue", nlohmann::json::object())});
  EXPECT_EQ(results[0].reason_code, "missing_field");  // before the revocation: signer fine
  EXPECT_TRUE(results[1].accepted);
  EXPECT_EQ(results[2].reason_code, "signer_revoked");
  EXPECT_EQ(doctor_record(dr).reason_code, "signer_revoked");
}

TEST_F(IdentityTest, RevokeNeedsAnExistingUnrevokedIdentityOfTheSameOrg) {
  nlohmann::json revoke = {{"user_id", "dr-wang"}, {"reason", "left"}};
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.revoke", revoke).reason_code, "unknown_identity");
  registered("hosp-a", "dr-wang", doctor_body(fresh_key()));
  EXPECT_EQ(f.run(f.admin("hosp-b"), "identity.revoke", revoke).reason_code, "unknown_identity");
  EXPECT_TRUE(f.run(f.admin("hosp-a"), "identity.revoke", revoke).accepted);
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.revoke", revoke).reason_code, "already_revoked");
}

TEST_F(IdentityTest, ValidityIsByCalendarDayInTheChainTimeZone) {
  Person dr = f.person("hosp-a", "dr-day", "doctor", "2026-11-24", "2026-11-30");
  // 23:59 on the 23rd in UTC+8 is 15:59Z: not yet valid.
  f.set_time("2026-11-23T15:59:59Z");
  EXPECT_EQ(doctor_record(dr).reason_code, "signer_not_yet_valid");
  // 16:00Z is midnight of the 24th in UTC+8.
  f.set_time("2026-11-23T16:00:00Z");
  EXPECT_EQ(doctor_record(dr).reason_code, "missing_field");
  f.set_time("2026-11-30T23:59:59+08:00");
  EXPECT_EQ(doctor_record(dr).reason_code, "missing_field");
  f.set_time("2026-12-01T00:00:00+08:00");
  EXPECT_EQ(doctor_record(dr).reason_code, "signer_expired");
}

TEST_F(IdentityTest, UnknownKindIsRefused) {
  EXPECT_EQ(f.run(f.admin("hosp-a"), "rx.prescribe", nlohmann::json::object()).reason_code,
            "unknown_kind");
}

TEST_F(IdentityTest, RoleAndOrgTypeOfTheKindAreEnforced) {
  Person pharmacist = f.person("pharm-a", "ph-li", "pharmacist");
  EXPECT_EQ(f.run(pharmacist, "identity.revoke", {{"user_id", "x"}, {"reason", "r"}}).reason_code,
            "role_not_permitted");
}

TEST_F(IdentityTest, RejectedRecordWritesNothingButItsIndex) {
  const auto before = f.state.entries().size();
  EXPECT_FALSE(f.run(f.admin("hosp-a"), "identity.revoke", {{"user_id", "ghost"}, {"reason", "r"}})
                   .accepted);
  // Its index entry and the subject's trail head (ledger/trail_head.h), nothing else.
  EXPECT_EQ(f.state.entries().size(), before + 2);
  EXPECT_EQ(f.index_of("identity/hosp-a/ghost").size(), 1u);
  EXPECT_TRUE(f.state.get(ledger::trail_head_key("identity/hosp-a/ghost")).has_value());
}

TEST_F(IdentityTest, StoredIdentityViewKeepsItsFieldNames) {
  registered("hosp-a", "dr-wang", doctor_body(fresh_key()));
  auto stored = f.state_json(identity_key("hosp-a/dr-wang"));
  ASSERT_TRUE(stored);
  EXPECT_EQ((*stored)["org"], "hosp-a");
  EXPECT_EQ((*stored)["user_id"], "dr-wang");
  EXPECT_EQ((*stored)["licence_no"], "110101-2020-0001");
  EXPECT_EQ((*stored)["valid_from"], "2026-01-01");
  EXPECT_EQ((*stored)["registered_at_ms"], f.now_ms());
  EXPECT_TRUE((*stored)["revoked_at_ms"].is_null());
  ASSERT_TRUE(
      f.run(f.admin("hosp-a"), "identity.revoke", {{"user_id", "dr-wang"}, {"reason", "left"}})
          .accepted);
  stored = f.state_json(identity_key("hosp-a/dr-wang"));
  EXPECT_EQ((*stored)["revoked_at_ms"], f.now_ms());
  EXPECT_TRUE((*stored)["revoked_by"].is_string());
}

TEST_F(IdentityTest, IdentityThatDoesNotDecodeSignsNothingAndIsCorruptToRevoke) {
  Person dr = f.person("hosp-a", "dr-x", "doctor");
  f.state.apply({{identity_key(dr.id), std::string("garbage")}});
  EXPECT_FALSE(find_signer(f.state, f.chain, dr.id));  // lenient: unknown, never a throw
  EXPECT_EQ(doctor_record(dr).reason_code, "unknown_signer");
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.revoke", {{"user_id", "dr-x"}, {"reason", "r"}})
                .reason_code,
            "corrupt_state");
}

}  // namespace
}  // namespace medtrail::contracts
