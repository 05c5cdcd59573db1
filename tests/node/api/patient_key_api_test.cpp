// POST /v1/patient-keys/<ref> against a real single-node stack running the key service: shares
// only under a committed signed query on the patient's trail; the same share to seal and to
// open; and after a patient.erase, no share of the old key ever again — the fields sealed under
// it stay shut even to their parties.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "medtrail/contracts/erasure.h"
#include "medtrail/ledger/patient_shares.h"
#include "medtrail/ledger/sealed_fields.h"
#include "support/http_client.h"
#include "support/node/api_stack.h"

namespace medtrail::node::api::testing {
namespace {

using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using nlohmann::json;

const std::string kRef(64, '7');
const std::string kFields = R"({"diagnosis_code":"F32.1"})";
const ledger::SealedContext kContext{"rx.issue", "hosp-a/dr-li"};

class PatientKeyApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_.run_pseudonym_service();
    ASSERT_TRUE(stack_.wait_for_leader());
    doctor_ = stack_.register_person("hosp-a", "dr-li", "doctor");
    inspector_ = stack_.register_person("reg-c", "insp-wu", "inspector");
  }

  static std::string code(const HttpResponse& r) {
    json b = json::parse(r.body, nullptr, false);
    return b.is_object() && b.contains("error") ? b["error"].value("code", "") : "";
  }
  HttpResponse ask(const Person& who, ledger::ShareUse use, const std::vector<ledger::Bytes>& nonces,
                   const std::string& purpose = "treatment") {
    const std::string target = ledger::patient_share_target(kRef, nonces.size(), use);
    const std::string body = ledger::patient_share_request_json(nonces);
    return client_.post(target, body, "application/json",
                        {{"Authorization", stack_.authorization(who, target, purpose, {}, "POST", body)}});
  }
  std::vector<ledger::SecureBytes> shares_of(const HttpResponse& r, size_t n) {
    auto shares = ledger::read_patient_share_response(r.body, n);
    EXPECT_TRUE(shares.ok()) << shares.status().to_string();
    return shares.ok() ? std::move(*shares) : std::vector<ledger::SecureBytes>();
  }

  ApiStack stack_;
  HttpClient client_{stack_.port()};
  Person doctor_;
  Person inspector_;
};

TEST_F(PatientKeyApiTest, SharesToSealOpenTheRecordUntilThePatientIsErased) {
  // The author: a nonce, its share, the seal.
  const ledger::Bytes nonce = ledger::new_sealed_nonce();
  const uint64_t before = stack_.store().tree_size();
  HttpResponse to_seal = ask(doctor_, ledger::ShareUse::kSeal, {nonce});
  ASSERT_EQ(to_seal.status, 200) << to_seal.body;
  EXPECT_EQ(stack_.store().tree_size(), before + 1) << "the query is committed before the share leaves";
  EXPECT_EQ(to_seal.header("medtrail-receipt").size(), 64u);
  ledger::PatientShare share{kRef, nonce, std::move(shares_of(to_seal, 1).at(0))};
  const ledger::EncryptionKey hospital = ledger::generate_encryption_key();
  auto sealed = ledger::seal(kFields, kContext, {{"hosp-a", hospital.public_key}}, &share);
  ASSERT_TRUE(sealed.ok()) << sealed.status().to_string();

  // A reader (here the regulator's inspector, to open) gets the same share: with the data key, it opens.
  HttpResponse to_open = ask(inspector_, ledger::ShareUse::kOpen, {nonce, ledger::new_sealed_nonce()}, "audit");
  ASSERT_EQ(to_open.status, 200) << to_open.body;
  std::vector<ledger::SecureBytes> opened_shares = shares_of(to_open, 2);
  auto opened = ledger::open_sealed(sealed->sealed, sealed->data_key.view(), kContext, &opened_shares.at(0));
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  EXPECT_EQ(*opened, kFields);

  // The regulator approves the patient's erasure.
  RecordStatus erased = stack_.submit_as(
      inspector_, std::string(contracts::kPatientEraseKind),
      {{"patient_ref", kRef}, {"basis", "consent_withdrawn"}, {"request_ref", "REQ-7"}});
  ASSERT_EQ(erased.state, RecordState::kCommitted);
  ASSERT_TRUE(erased.result.accepted) << erased.result.reason_code;

  // No share to open any more — and the refused ask is on the chain like any other.
  const uint64_t after_erase = stack_.store().tree_size();
  HttpResponse gone = ask(doctor_, ledger::ShareUse::kOpen, {nonce});
  EXPECT_EQ(gone.status, 410) << gone.body;
  EXPECT_EQ(code(gone), "patient_key_erased");
  EXPECT_EQ(gone.body.find(kRef), std::string::npos);
  EXPECT_EQ(stack_.store().tree_size(), after_erase + 1);
  // Cared for again: a seal draws a new key, whose share for the old nonce opens nothing old.
  HttpResponse again = ask(doctor_, ledger::ShareUse::kSeal, {nonce});
  ASSERT_EQ(again.status, 200) << again.body;
  std::vector<ledger::SecureBytes> new_share = shares_of(again, 1);
  EXPECT_EQ(ledger::open_sealed(sealed->sealed, sealed->data_key.view(), kContext, &new_share.at(0)).status().code(),
            "open_failed");
}

TEST_F(PatientKeyApiTest, MalformedAsksRecordNothingAndAResearcherGetsNothing) {
  const uint64_t before = stack_.store().tree_size();
  const std::string good_body = ledger::patient_share_request_json(std::vector<ledger::Bytes>{ledger::new_sealed_nonce()});
  for (const std::string& target :
       {std::string(ledger::kPatientKeysPath) + kRef + "?n=1&for=peek",
        std::string(ledger::kPatientKeysPath) + kRef + "?n=2&for=seal&x=y"}) {
    HttpResponse r = client_.post(target, good_body, "application/json",
                                  {{"Authorization", stack_.authorization(doctor_, target, "treatment", {}, "POST", good_body)}});
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(code(r), "bad_target");
  }
  const std::string target = ledger::patient_share_target(kRef, 2, ledger::ShareUse::kSeal);
  HttpResponse short_body = client_.post(
      target, good_body, "application/json",
      {{"Authorization", stack_.authorization(doctor_, target, "treatment", {}, "POST", good_body)}});
  EXPECT_EQ(short_body.status, 400);
  EXPECT_EQ(code(short_body), "bad_request");
  EXPECT_EQ(stack_.store().tree_size(), before) << "nothing malformed is recorded";

  HttpResponse research = ask(doctor_, ledger::ShareUse::kOpen, {ledger::new_sealed_nonce()}, "research");
  EXPECT_EQ(research.status, 403) << research.body;
  EXPECT_EQ(code(research), "purpose_not_permitted");
  EXPECT_EQ(stack_.store().tree_size(), before + 1);
}

TEST(PatientKeyApiWithoutService, ANodeWithoutTheServiceSaysWhereItIs) {
  ApiStack stack;
  ASSERT_TRUE(stack.wait_for_leader());
  HttpClient client(stack.port());
  const std::string target = ledger::patient_share_target(kRef, 1, ledger::ShareUse::kOpen);
  HttpResponse r = client.post(target, "{}", "application/json", {});
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("hosp-a"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace medtrail::node::api::testing
