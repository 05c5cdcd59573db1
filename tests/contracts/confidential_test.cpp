// Confidential fields on the chain (contracts/confidential.h): what every node checks of a
// sealed body it cannot read, the chain-wide rule against confidential fields in clear, and the
// organisations' encryption keys (org.enc_key).
#include "medtrail/contracts/confidential.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "contracts/rx_fixture.h"
#include "medtrail/ledger/confidential_fields.h"
#include "medtrail/ledger/sealed_fields.h"

namespace medtrail::contracts {
namespace {

using namespace rx_testing;

class ConfidentialTest : public RxTest {
 protected:
  ConfidentialTest() {
    for (const char* org : {"hosp-a", "hosp-b", "pharm-a", "reg-a", "reg-b", "reg-c"}) {
      keys_.emplace(org, ledger::generate_encryption_key());
      set_genesis_key(org, keys_.at(org).public_key);
    }
  }
  void set_genesis_key(const std::string& org, const ledger::Bytes& key) {
    for (ledger::GenesisOrg& o : f.chain.genesis.organisations) {
      if (o.id == org) o.encryption_public_key = key;
    }
  }
  std::vector<ledger::SealRecipient> readers(std::vector<std::string> orgs) const {
    std::vector<ledger::SealRecipient> out;
    for (const std::string& org : orgs) out.push_back({org, keys_.at(org).public_key});
    return out;
  }
  // `body` with its confidential fields moved into a sealed part for `orgs`, as a client makes it.
  json sealed(json body, const std::string& kind, const Person& author,
              std::vector<std::string> orgs = {"hosp-a", "reg-a", "reg-b", "reg-c"}) {
    json taken = ledger::take_confidential(kind, body);
    auto result = ledger::seal(taken.dump(), {kind, author.id}, readers(orgs));
    EXPECT_TRUE(result.ok()) << result.status().to_string();
    body["sealed"] = ledger::sealed_to_json(result->sealed);
    return body;
  }
  // The same, erasable (version 2) for `subject`, under a share of a key nobody keeps: the
  // contracts never open a sealed part.
  json sealed_erasable(json body, const std::string& kind, const Person& author, const std::string& subject,
                       std::vector<std::string> orgs = {"hosp-a", "reg-a", "reg-b", "reg-c"}) {
    json taken = ledger::take_confidential(kind, body);
    ledger::PatientShare share{subject, ledger::new_sealed_nonce(), ledger::SecureBytes(ledger::kPatientShareBytes)};
    auto result = ledger::seal(taken.dump(), {kind, author.id}, readers(orgs), &share);
    EXPECT_TRUE(result.ok()) << result.status().to_string();
    body["sealed"] = ledger::sealed_to_json(result->sealed);
    return body;
  }
  ledger::ExecutionResult issue_sealed(const json& body, std::string* rx_id = nullptr) { return run_issue(body, rx_id); }

  std::map<std::string, ledger::EncryptionKey> keys_;
};

TEST_F(ConfidentialTest, ASealedPrescriptionIsAcceptedAndItsRulesStillHold) {
  std::string id;
  ledger::ExecutionResult r = issue_sealed(sealed(issue_body(), "rx.issue", doctor), &id);
  ASSERT_TRUE(r.accepted) << r.reason_code << ": " << r.reason;
  json rx = *f.state_json("rx/" + id);
  EXPECT_TRUE(rx["items"][0]["name"].is_null());
  EXPECT_TRUE(rx["items"][0]["dosage"].is_null());
  EXPECT_TRUE(rx["diagnosis_code"].is_null());
  EXPECT_EQ(rx["items"][0]["drug_code"], kDrug);
  EXPECT_EQ(rx["items"][0]["prescribed"], 20);
  // Nothing confidential anywhere in the state a node keeps.
  for (const auto& [key, value] : f.state.entries()) {
    EXPECT_EQ(value.find("Amoxicillin"), std::string::npos) << key;
    EXPECT_EQ(value.find("three times a day"), std::string::npos) << key;
    EXPECT_EQ(value.find("J06.9"), std::string::npos) << key;
  }
  // The clear fields carry the rules: a dispense beyond the quantity is refused as before.
  ASSERT_TRUE(review(pharmacist, id).accepted);
  json over = {{"rx_id", id}, {"items", json::array({{{"drug_code", kDrug}, {"quantity", 21}}})}};
  EXPECT_EQ(f.run(pharmacist, "rx.dispense", over).reason_code, "quantity_exceeded");
  json supply = issue_body();
  supply["items"][0]["days_supply"] = 8;
  EXPECT_EQ(issue_sealed(sealed(supply, "rx.issue", doctor)).reason_code, "supply_needs_reason");
  // The reason itself is confidential: sealed, it stays out of the state and out of sight.
  supply["extended_supply"] = true;
  supply["supply_reason"] = "patient travels abroad for three weeks";
  std::string extended_id;
  ASSERT_TRUE(issue_sealed(sealed(supply, "rx.issue", doctor), &extended_id).accepted);
  EXPECT_EQ(f.state_json(rx_key(extended_id)).value()["extended_supply"], true);
  EXPECT_TRUE(f.state_json(rx_key(extended_id)).value()["supply_reason"].is_null());
}

TEST_F(ConfidentialTest, NothingConfidentialBesideTheSealedPart) {
  json body = sealed(issue_body(), "rx.issue", doctor);
  body["items"][1]["name"] = "Loratadine";
  ledger::ExecutionResult r = issue_sealed(body);
  EXPECT_EQ(r.reason_code, "confidential_in_clear");
  EXPECT_NE(r.reason.find("body.items[1].name"), std::string::npos) << r.reason;
}

TEST_F(ConfidentialTest, AChainThatSealsRefusesConfidentialFieldsInClear) {
  f.chain.genesis.confidential_fields = std::string(ledger::kConfidentialSealed);
  ledger::ExecutionResult clear = issue_sealed(issue_body());
  EXPECT_EQ(clear.reason_code, "confidential_in_clear");
  EXPECT_NE(clear.reason.find("body.diagnosis_code"), std::string::npos) << clear.reason;
  // Without a sealed part the required fields are simply missing.
  json bare = issue_body();
  ledger::take_confidential("rx.issue", bare);
  EXPECT_EQ(issue_sealed(bare).reason_code, "missing_field");
  EXPECT_TRUE(issue_sealed(sealed(issue_body(), "rx.issue", doctor)).accepted);
  // Kinds with nothing confidential are unaffected; a review's note must be sealed too.
  std::string id = issue(sealed(issue_body(), "rx.issue", doctor));
  json note = {{"rx_id", id}, {"decision", "approved"}, {"note", "checked the interaction"}};
  EXPECT_EQ(f.run(pharmacist, "rx.review", note).reason_code, "confidential_in_clear");
}

TEST_F(ConfidentialTest, TheAuthorAndEveryRegulatorWithAKeyMustBeAbleToRead) {
  ledger::ExecutionResult no_regulator =
      issue_sealed(sealed(issue_body(), "rx.issue", doctor, {"hosp-a", "reg-a", "reg-b"}));
  EXPECT_EQ(no_regulator.reason_code, "sealed_reader_missing");
  EXPECT_NE(no_regulator.reason.find("reg-c"), std::string::npos) << no_regulator.reason;
  EXPECT_EQ(issue_sealed(sealed(issue_body(), "rx.issue", doctor, {"reg-a", "reg-b", "reg-c"})).reason_code,
            "sealed_reader_missing");
  // A regulator without a key yet cannot be a reader; the others still must be.
  set_genesis_key("reg-c", {});
  EXPECT_TRUE(issue_sealed(sealed(issue_body(), "rx.issue", doctor, {"hosp-a", "reg-a", "reg-b"})).accepted);
  // Readers beyond the required ones are the author's choice (here the patient's pharmacy).
  EXPECT_TRUE(
      issue_sealed(sealed(issue_body(), "rx.issue", doctor, {"hosp-a", "pharm-a", "reg-a", "reg-b"})).accepted);
}

TEST_F(ConfidentialTest, KeysMustBeTheReadersCurrentOnes) {
  // Sealed for an organisation under a key the chain does not list for it.
  json body = issue_body();
  json taken = ledger::take_confidential("rx.issue", body);
  std::vector<ledger::SealRecipient> forged = readers({"hosp-a", "reg-a", "reg-b", "reg-c"});
  forged[1].public_key = ledger::generate_encryption_key().public_key;
  auto result = ledger::seal(taken.dump(), {"rx.issue", doctor.id}, forged);
  ASSERT_TRUE(result.ok());
  body["sealed"] = ledger::sealed_to_json(result->sealed);
  ledger::ExecutionResult r = issue_sealed(body);
  EXPECT_EQ(r.reason_code, "unknown_reader_key");
  EXPECT_NE(r.reason.find("reg-a"), std::string::npos) << r.reason;
  // An organisation that is not a member.
  keys_.emplace("stranger", ledger::generate_encryption_key());
  EXPECT_EQ(issue_sealed(sealed(issue_body(), "rx.issue", doctor, {"hosp-a", "reg-a", "reg-b", "reg-c", "stranger"}))
                .reason_code,
            "unknown_reader_key");
}

TEST_F(ConfidentialTest, AMalformedSealedPartIsABadFormat) {
  json body = sealed(issue_body(), "rx.issue", doctor);
  body["sealed"]["keys"][0]["wrapped"] = "AAAA";
  EXPECT_EQ(issue_sealed(body).reason_code, "bad_format");
  body["sealed"] = "opaque";
  EXPECT_EQ(issue_sealed(body).reason_code, "wrong_type");
  json dispense = {{"rx_id", std::string(64, 'a')},
                   {"items", json::array({{{"drug_code", kDrug}, {"quantity", 1}}})},
                   {"sealed", sealed(issue_body(), "rx.issue", doctor)["sealed"]}};
  EXPECT_EQ(f.run(pharmacist, "rx.dispense", dispense).reason_code, "unknown_field");
}

TEST_F(ConfidentialTest, RotatingAnOrganisationsKeyChangesWhatRecordsMustBeSealedFor) {
  Person admin = f.admin("reg-a");
  ledger::EncryptionKey next = ledger::generate_encryption_key();
  ledger::ExecutionResult rotated = f.run(admin, "org.enc_key", {{"public_key", ledger::to_hex(next.public_key)}});
  ASSERT_TRUE(rotated.accepted) << rotated.reason_code << ": " << rotated.reason;
  EXPECT_EQ(f.index_of("org/reg-a").back(), f.last_leaf());  // on the organisation's trail
  EXPECT_EQ(issue_sealed(sealed(issue_body(), "rx.issue", doctor)).reason_code, "unknown_reader_key");
  keys_.insert_or_assign("reg-a", std::move(next));
  EXPECT_TRUE(issue_sealed(sealed(issue_body(), "rx.issue", doctor)).accepted);
  json stored = *f.state_json(encryption_keys_key("reg-a"));
  ASSERT_EQ(stored["keys"].size(), 1u);
  EXPECT_EQ(stored["keys"][0]["key_id"], keys_.at("reg-a").key_id());

  const std::string again = ledger::to_hex(keys_.at("reg-a").public_key);
  EXPECT_EQ(f.run(admin, "org.enc_key", {{"public_key", again}}).reason_code, "duplicate_key");
  EXPECT_EQ(f.run(admin, "org.enc_key", {{"public_key", std::string(64, '0')}}).reason_code, "bad_format");
  EXPECT_EQ(f.run(admin, "org.enc_key", {{"public_key", "abc"}}).reason_code, "bad_format");
  Person inspector = f.person("reg-a", "liu", "inspector");
  EXPECT_EQ(f.run(inspector, "org.enc_key", {{"public_key", ledger::to_hex(ledger::generate_encryption_key().public_key)}})
                .reason_code,
            "role_not_permitted");
}

TEST_F(ConfidentialTest, AnOrganisationKeepsAtMostSixtyFourKeys) {
  Person admin = f.admin("pharm-b");
  for (size_t i = 0; i < kMaxRegisteredEncryptionKeys; ++i) {
    ASSERT_TRUE(f.run(admin, "org.enc_key", {{"public_key", ledger::to_hex(ledger::generate_encryption_key().public_key)}})
                    .accepted);
  }
  EXPECT_EQ(f.run(admin, "org.enc_key", {{"public_key", ledger::to_hex(ledger::generate_encryption_key().public_key)}})
                .reason_code,
            "too_many_keys");
}

TEST_F(ConfidentialTest, EveryKindWithConfidentialFieldsTakesASealedPart) {
  std::string id = issue(sealed(issue_body(), "rx.issue", doctor));
  // A rejection's reason, sealed by the pharmacy for itself and the regulators.
  json review = sealed({{"rx_id", id}, {"decision", "rejected"}, {"note", "allergic to penicillin"}}, "rx.review",
                       pharmacist, {"pharm-a", "reg-a", "reg-b", "reg-c"});
  ledger::ExecutionResult r = f.run(pharmacist, "rx.review", review);
  EXPECT_TRUE(r.accepted) << r.reason_code << ": " << r.reason;
  EXPECT_TRUE((*f.state_json("rx/" + id))["review"]["note"].is_null());
  std::string second = issue(sealed(issue_body(), "rx.issue", doctor));
  json cancel = sealed({{"rx_id", second}, {"reason", "patient reported a rash"}}, "rx.cancel", doctor);
  r = f.run(doctor, "rx.cancel", cancel);
  EXPECT_TRUE(r.accepted) << r.reason_code << ": " << r.reason;
  EXPECT_TRUE((*f.state_json("rx/" + second))["cancel"]["reason"].is_null());
}

TEST_F(ConfidentialTest, AnErasableSealedPartNamesTheRecordsOwnPatient) {
  const std::string other(64, 'f');
  EXPECT_TRUE(issue_sealed(sealed_erasable(issue_body(), "rx.issue", doctor, kPatientRef)).accepted);
  ledger::ExecutionResult moved = issue_sealed(sealed_erasable(issue_body(), "rx.issue", doctor, other));
  EXPECT_EQ(moved.reason_code, "sealed_subject_mismatch");
  EXPECT_EQ(moved.reason.find(other), std::string::npos) << "no ref in the message";
  // A review's patient is the prescription's, from the state.
  std::string id = issue(sealed_erasable(issue_body(), "rx.issue", doctor, kPatientRef));
  const json note = {{"rx_id", id}, {"decision", "rejected"}, {"note", "allergic to penicillin"}};
  const std::vector<std::string> pharmacy_readers = {"pharm-a", "reg-a", "reg-b", "reg-c"};
  EXPECT_EQ(f.run(pharmacist, "rx.review", sealed_erasable(note, "rx.review", pharmacist, other, pharmacy_readers))
                .reason_code,
            "sealed_subject_mismatch");
  EXPECT_TRUE(
      f.run(pharmacist, "rx.review", sealed_erasable(note, "rx.review", pharmacist, kPatientRef, pharmacy_readers))
          .accepted);
}

TEST_F(ConfidentialTest, AnErasableChainRefusesSealedPartsThatCannotBeErased) {
  f.chain.genesis.confidential_fields = std::string(ledger::kConfidentialErasable);
  EXPECT_EQ(issue_sealed(sealed(issue_body(), "rx.issue", doctor)).reason_code, "not_erasable");
  EXPECT_EQ(issue_sealed(issue_body()).reason_code, "confidential_in_clear");
  std::string id;
  ledger::ExecutionResult r = issue_sealed(sealed_erasable(issue_body(), "rx.issue", doctor, kPatientRef), &id);
  ASSERT_TRUE(r.accepted) << r.reason_code << ": " << r.reason;
  // The rules still run on the clear fields.
  ASSERT_TRUE(review(pharmacist, id).accepted);
  json over = {{"rx_id", id}, {"items", json::array({{{"drug_code", kDrug}, {"quantity", 21}}})}};
  EXPECT_EQ(f.run(pharmacist, "rx.dispense", over).reason_code, "quantity_exceeded");
}

}  // namespace
}  // namespace medtrail::contracts
