// POST /v1/pseudonym/evaluate against a real single-node stack: a member's blinded ids are
// evaluated only under its committed, accepted signed query; the answer checks against the key
// genesis names; malformed requests commit nothing; the daily limit holds through the API.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/pseudonym.h"
#include "medtrail/ledger/resident_id.h"
#include "medtrail/ledger/signed_query.h"
#include "support/http_client.h"
#include "support/node/api_stack.h"

namespace medtrail::node::api::testing {
namespace {

using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using nlohmann::json;

const std::string kId = "110101199003077571";

class PseudonymApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_.run_pseudonym_service();
    ASSERT_TRUE(stack_.wait_for_leader());
    doctor_ = stack_.register_person("hosp-a", "li", "doctor");
  }

  static std::string code(const HttpResponse& r) {
    json b = json::parse(r.body, nullptr, false);
    return b.is_object() && b.contains("error") ? b["error"].value("code", "") : "";
  }
  HttpResponse send(const Person& who, const std::string& target, const std::string& body,
                    const std::string& purpose = "treatment") {
    return client_.post(target, body, "application/json",
                        {{"Authorization", stack_.authorization(who, target, purpose, {}, "POST", body)}});
  }
  ledger::PseudonymRequest request(size_t n) {
    return ledger::blind_resident_ids(std::vector<std::string>(n, kId)).value();
  }
  const ledger::OprfElement& service_key() const { return stack_.pseudonym_key().public_key; }

  ApiStack stack_;
  HttpClient client_{stack_.port()};
  Person doctor_;
};

TEST_F(PseudonymApiTest, ADoctorGetsTheRefAfterTheQueryIsOnTheChain) {
  ledger::PseudonymRequest req = request(2);
  const uint64_t before = stack_.store().tree_size();
  HttpResponse r = send(doctor_, req.target, req.body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(stack_.store().tree_size(), before + 1);
  EXPECT_EQ(r.header("medtrail-receipt").size(), 64u);
  auto refs = ledger::finish_patient_refs(req, r.body, service_key());
  ASSERT_TRUE(refs.ok()) << refs.status().to_string();
  auto direct = ledger::oprf_evaluate(ledger::kPseudonymMode, stack_.pseudonym_key(),
                                      ledger::to_bytes(*ledger::normalise_resident_id(kId)));
  EXPECT_EQ((*refs)[0], ledger::patient_ref_of(*direct));
  EXPECT_EQ((*refs)[1], (*refs)[0]);
}

TEST_F(PseudonymApiTest, ANodeWithoutTheServiceKeyRecordsNothing) {
  ApiStack plain;
  ASSERT_TRUE(plain.wait_for_leader());
  Person doctor = plain.register_person("hosp-a", "li", "doctor");
  HttpClient client(plain.port());
  ledger::PseudonymRequest req = request(1);
  const uint64_t before = plain.store().tree_size();
  HttpResponse r = client.post(req.target, req.body, "application/json",
                               {{"Authorization", plain.authorization(doctor, req.target, "treatment", {}, "POST", req.body)}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(code(r), "no_pseudonym_service");
  EXPECT_EQ(plain.store().tree_size(), before);
}

TEST_F(PseudonymApiTest, MalformedRequestsAreRefusedBeforeAnythingIsRecorded) {
  ledger::PseudonymRequest req = request(1);
  const uint64_t before = stack_.store().tree_size();
  EXPECT_EQ(code(send(doctor_, "/v1/pseudonym/evaluate?n=2", req.body)), "bad_request");
  EXPECT_EQ(code(send(doctor_, "/v1/pseudonym/evaluate?n=0", req.body)), "bad_target");
  EXPECT_EQ(code(send(doctor_, "/v1/pseudonym/evaluate?n=1&x=1", req.body)), "bad_target");
  EXPECT_EQ(code(send(doctor_, req.target, R"({"blinded":[")" + std::string(64, '0') + R"("]})")),
            "oprf_bad_element");
  EXPECT_EQ(code(send(doctor_, req.target, "{")), "bad_request");
  // Without a signed query, or with one for another body: 401, nothing evaluated.
  HttpResponse unsigned_request = client_.post(req.target, req.body);
  EXPECT_EQ(unsigned_request.status, 401);
  EXPECT_EQ(code(unsigned_request), "auth_required");
  ledger::PseudonymRequest other = request(1);
  HttpResponse swapped = client_.post(
      req.target, req.body, "application/json",
      {{"Authorization", stack_.authorization(doctor_, req.target, "treatment", {}, "POST", other.body)}});
  EXPECT_EQ(code(swapped), "wrong_body");
  EXPECT_EQ(stack_.store().tree_size(), before);
}

TEST_F(PseudonymApiTest, TheDailyLimitHoldsAndARefusalIsOnTheChainWithItsReceipt) {
  ledger::PseudonymRequest full = request(64);
  ASSERT_EQ(send(doctor_, full.target, full.body).status, 200);
  ledger::PseudonymRequest over = request(ApiStack::kPseudonymPersonDailyLimit - 64 + 1);
  HttpResponse refused = send(doctor_, over.target, over.body);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(code(refused), "pseudonym_limit_reached");
  EXPECT_EQ(refused.header("medtrail-receipt").size(), 64u);
  ledger::PseudonymRequest rest = request(ApiStack::kPseudonymPersonDailyLimit - 64);
  HttpResponse last = send(doctor_, rest.target, rest.body);
  EXPECT_EQ(last.status, 200) << last.body;
  EXPECT_TRUE(ledger::finish_patient_refs(rest, last.body, service_key()).ok());
}

TEST_F(PseudonymApiTest, ResearchIsRefusedOnTheChain) {
  ledger::PseudonymRequest req = request(1);
  HttpResponse r = send(doctor_, req.target, req.body, "research");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code(r), "purpose_not_permitted");
}

// A citizen's own ref: the identity check first, then the node's own record, then the answer.
class CitizenPseudonymApiTest : public PseudonymApiTest {
 protected:
  HttpResponse ask(const std::string& credential, ledger::PseudonymRequest& req) {
    return client_.post(std::string(ledger::kCitizenPseudonymPath),
                        ledger::citizen_pseudonym_request_json(credential, req.blinded[0]));
  }
};

TEST_F(CitizenPseudonymApiTest, ACitizenGetsTheirRefAfterTheNodeRecordsTheRequest) {
  ledger::PseudonymRequest req = request(1);
  const uint64_t before = stack_.store().tree_size();
  HttpResponse r = ask(ApiStack::kCitizenCredentials[0], req);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(stack_.store().tree_size(), before + 1);
  auto refs = ledger::finish_patient_refs(req, r.body, service_key());
  ASSERT_TRUE(refs.ok()) << refs.status().to_string();
  auto direct = ledger::oprf_evaluate(ledger::kPseudonymMode, stack_.pseudonym_key(), ledger::to_bytes(kId));
  EXPECT_EQ((*refs)[0], ledger::patient_ref_of(*direct));
  // The record is the node's, and names the citizen by a digest, not by the credential.
  auto leaf = stack_.store().leaf_at(stack_.store().find_record(*ledger::hash_from_hex(r.header("medtrail-receipt"))).value());
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(leaf->envelope.signer, "hosp-a/n1");
  EXPECT_TRUE(leaf->result.accepted);
  const std::string payload(leaf->envelope.payload.begin(), leaf->envelope.payload.end());
  EXPECT_EQ(payload.find(ApiStack::kCitizenCredentials[0]), std::string::npos);
  EXPECT_NE(payload.find("\"kind\":\"pseudonym.citizen\""), std::string::npos) << payload;
}

TEST_F(CitizenPseudonymApiTest, AnUnprovenCitizenIsRefusedAndNothingIsRecorded) {
  ledger::PseudonymRequest req = request(1);
  const uint64_t before = stack_.store().tree_size();
  HttpResponse r = ask("card-9999", req);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code(r), "identity_check_failed");
  EXPECT_EQ(r.body.find("card-9999"), std::string::npos);
  EXPECT_EQ(code(client_.post(std::string(ledger::kCitizenPseudonymPath), "{}")), "bad_request");
  EXPECT_EQ(code(client_.post(std::string(ledger::kCitizenPseudonymPath),
                              R"({"credential":"card-0001","blinded":[")" + std::string(64, '0') + R"("]})")),
            "oprf_bad_element");
  EXPECT_EQ(stack_.store().tree_size(), before);
}

TEST_F(CitizenPseudonymApiTest, EachCitizenHasTheirOwnDailyLimit) {
  for (uint32_t i = 0; i < ApiStack::kPseudonymCitizenDailyLimit; ++i) {
    ledger::PseudonymRequest req = request(1);
    ASSERT_EQ(ask(ApiStack::kCitizenCredentials[0], req).status, 200);
  }
  // Beyond it, refused at the door: a valid card cannot fill the chain with refusals.
  ledger::PseudonymRequest req = request(1);
  const uint64_t before = stack_.store().tree_size();
  for (int i = 0; i < 3; ++i) {
    HttpResponse over = ask(ApiStack::kCitizenCredentials[0], req);
    EXPECT_EQ(over.status, 403);
    EXPECT_EQ(code(over), "pseudonym_limit_reached");
  }
  EXPECT_EQ(stack_.store().tree_size(), before);
  EXPECT_EQ(ask(ApiStack::kCitizenCredentials[1], req).status, 200);
}

}  // namespace
}  // namespace medtrail::node::api::testing
