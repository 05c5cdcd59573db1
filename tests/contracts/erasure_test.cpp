// Erasure (contracts/erasure.h): a regulator's inspector approves a patient's erasure with a
// record on the patient's trail; the key service's share queries (ledger/patient_shares.h) — who
// may ask, to seal or to open — land on the patient's trail too.
#include "medtrail/contracts/erasure.h"

#include <gtest/gtest.h>

#include <string>

#include "contracts/contract_fixture.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/oprf.h"
#include "medtrail/ledger/patient_shares.h"
#include "medtrail/ledger/signed_query.h"

namespace medtrail::contracts {
namespace {

using nlohmann::json;
using testing::ContractFixture;
using testing::kPatientRef;
using testing::Person;

class ErasureTest : public ::testing::Test {
 protected:
  ErasureTest() {
    ledger::GenesisPseudonym service;
    service.org = "reg-a";
    const ledger::OprfServerKey key = ledger::oprf_generate_key_pair();
    service.public_key.assign(key.public_key.begin(), key.public_key.end());
    f.chain.genesis.pseudonym = service;
  }
  json erase_body(const std::string& basis = "consent_withdrawn") const {
    return {{"patient_ref", kPatientRef}, {"basis", basis}, {"request_ref", "REQ-2026-0042"}};
  }
  ledger::ExecutionResult ask_shares(const Person& who, ledger::ShareUse use, const std::string& purpose = "treatment") {
    json q = {{"chain", ledger::to_hex(f.chain.chain_id)},
              {"node", "node-1"},
              {"method", "POST"},
              {"target", ledger::patient_share_target(kPatientRef, 2, use)},
              {"body_hash", std::string(64, '0')},
              {"purpose", purpose}};
    return f.run(who, std::string(ledger::kAccessQueryKind), q);
  }
  bool last_on_patient_trail() {
    std::vector<uint64_t> leaves = f.index_of("patient/" + kPatientRef);
    return !leaves.empty() && leaves.back() == f.last_leaf();
  }

  ContractFixture f;
  Person inspector = f.person("reg-a", "insp-liu", "inspector");
  Person doctor = f.person("hosp-a", "dr-wang", "doctor");
  Person pharmacist = f.person("pharm-a", "ph-zhou", "pharmacist");
  Person regulator_auditor = f.person("reg-a", "aud-qin", "auditor");
};

TEST_F(ErasureTest, ARegulatorsInspectorApprovesAnErasureOnThePatientsTrail) {
  ledger::Envelope e = f.sign(inspector, std::string(kPatientEraseKind), erase_body());
  ledger::ExecutionResult r = f.run_block({e}).front();
  ASSERT_TRUE(r.accepted) << r.reason_code << ": " << r.reason;
  EXPECT_TRUE(last_on_patient_trail());
  std::optional<StoredErasure> erased = read_erasure(f.state, kPatientRef).value();
  ASSERT_TRUE(erased.has_value());
  EXPECT_EQ(erased->count, 1);
  EXPECT_EQ(erased->last_basis, "consent_withdrawn");
  EXPECT_EQ(erased->last_record, ledger::record_id(e).value());
  // A patient cared for again may be erased again: the count says how often.
  ASSERT_TRUE(f.run(inspector, std::string(kPatientEraseKind), erase_body("purpose_achieved")).accepted);
  EXPECT_EQ(read_erasure(f.state, kPatientRef).value()->count, 2);
}

TEST_F(ErasureTest, OnlyARegulatorsInspectorMayAndTheBodyIsStrict) {
  EXPECT_EQ(f.run(doctor, std::string(kPatientEraseKind), erase_body()).reason_code, "role_not_permitted");
  EXPECT_EQ(f.run(regulator_auditor, std::string(kPatientEraseKind), erase_body()).reason_code, "role_not_permitted");
  EXPECT_EQ(f.run(inspector, std::string(kPatientEraseKind), erase_body("because")).reason_code, "bad_format");
  json id_in_clear = erase_body();
  id_in_clear["patient_ref"] = "110101199003077571";
  EXPECT_EQ(f.run(inspector, std::string(kPatientEraseKind), id_in_clear).reason_code, "patient_identifier_in_clear");
  json free_text = erase_body();
  free_text["request_ref"] = "the patient phoned on Monday";
  EXPECT_EQ(f.run(inspector, std::string(kPatientEraseKind), free_text).reason_code, "bad_format");
  EXPECT_FALSE(read_erasure(f.state, kPatientRef).value().has_value());
}

TEST_F(ErasureTest, AnErasureStateThatDoesNotDecodeIsAnErrorNotNeverErased) {
  f.state.put(erased_key(kPatientRef), "not a stored erasure");
  auto erased = read_erasure(f.state, kPatientRef);
  ASSERT_FALSE(erased.ok());
  EXPECT_EQ(erased.status().code(), "state_unreadable");
  EXPECT_FALSE(decode_erasure(std::string("\x01")).ok());
  EXPECT_FALSE(decode_erasure(std::nullopt).value().has_value());
}

TEST_F(ErasureTest, CareStaffAskForSharesToSealAndToOpenARegulatorOnlyToOpen) {
  for (const Person* who : {&doctor, &pharmacist}) {
    for (ledger::ShareUse use : {ledger::ShareUse::kSeal, ledger::ShareUse::kOpen}) {
      ledger::ExecutionResult r = ask_shares(*who, use);
      EXPECT_TRUE(r.accepted) << who->id << ": " << r.reason_code << " " << r.reason;
      EXPECT_TRUE(last_on_patient_trail()) << "the patient sees who asked for their keys";
    }
  }
  EXPECT_TRUE(ask_shares(regulator_auditor, ledger::ShareUse::kOpen, "audit").accepted);
  EXPECT_EQ(ask_shares(regulator_auditor, ledger::ShareUse::kSeal, "audit").reason_code, "query_not_permitted");
  EXPECT_TRUE(last_on_patient_trail()) << "a refused ask is on the patient's trail too";
  EXPECT_EQ(ask_shares(doctor, ledger::ShareUse::kOpen, "research").reason_code, "purpose_not_permitted");
  Person hospital_auditor = f.person("hosp-a", "aud-he", "auditor");
  EXPECT_EQ(ask_shares(hospital_auditor, ledger::ShareUse::kOpen, "audit").reason_code, "query_not_permitted");
  f.chain.genesis.pseudonym.reset();
  EXPECT_EQ(ask_shares(doctor, ledger::ShareUse::kSeal).reason_code, "no_pseudonym_service");
}

}  // namespace
}  // namespace medtrail::contracts
