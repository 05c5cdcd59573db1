// A patient's consent through the API of a real single-node stack: a doctor's read of the
// patient's trail for treatment is answered while a grant is in force, refused (403 no_consent)
// once it is withdrawn, and every attempt, the refused ones too, is on the patient's own trail.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/signed_query.h"
#include "support/http_client.h"
#include "support/node/api_stack.h"

namespace medtrail::node::api::testing {
namespace {

using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using nlohmann::json;

const std::string kPatientRef(64, 'c');
const std::string kTrail = "/v1/audit/trails/patient/" + kPatientRef;

class ConsentApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(stack_.wait_for_leader());
    desk_ = stack_.register_person("hosp-a", "desk-wu", "operator");
    doctor_ = stack_.register_person("hosp-a", "dr-ma", "doctor");
    auditor_ = stack_.register_person("reg-c", "zhao", "auditor");
  }

  static json body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }
  static std::string code(const HttpResponse& r) {
    json b = body(r);
    return b.is_object() && b.contains("error") ? b["error"].value("code", "") : "";
  }
  HttpResponse read_trail(const Person& who, const std::string& purpose) {
    return client_.get(kTrail, {{"Authorization", stack_.authorization(who, kTrail, purpose)}});
  }
  // The reads of the trail so far (access.query records about the patient), as a regulator's
  // auditor sees them: {signer, accepted, reason_code} in chain order.
  std::vector<json> recorded_reads() {
    HttpResponse r = read_trail(auditor_, "audit");
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<json> reads;
    for (const json& row : body(r).value("rows", json::array())) {
      if (row.value("kind", "") != ledger::kAccessQueryKind) continue;
      reads.push_back({{"signer", row.value("actor", "")},
                       {"accepted", row.value("accepted", false)},
                       {"reason_code", row.value("reason_code", "")}});
    }
    return reads;
  }

  ApiStack stack_;
  HttpClient client_{stack_.port()};
  Person desk_;
  Person doctor_;
  Person auditor_;
};

TEST_F(ConsentApiTest, AWithdrawnGrantRefusesTheNextReadAndTheRefusalIsOnThePatientsTrail) {
  HttpResponse before_grant = read_trail(doctor_, "treatment");
  ASSERT_EQ(before_grant.status, 403) << before_grant.body;
  EXPECT_EQ(code(before_grant), "no_consent");
  EXPECT_EQ(before_grant.body.find(kPatientRef), std::string::npos) << "a refusal never echoes the patient_ref";

  RecordStatus granted = stack_.submit_as(desk_, "consent.grant",
                                          {{"patient_ref", kPatientRef},
                                           {"org", "hosp-a"},
                                           {"role", "doctor"},
                                           {"purposes", {"treatment"}},
                                           {"valid_until", "2099-12-31"}});
  ASSERT_EQ(granted.state, RecordState::kCommitted);
  ASSERT_TRUE(granted.result.accepted) << granted.result.reason_code;
  HttpResponse while_granted = read_trail(doctor_, "treatment");
  ASSERT_EQ(while_granted.status, 200) << while_granted.body;

  RecordStatus withdrawn =
      stack_.submit_as(desk_, "consent.withdraw", {{"patient_ref", kPatientRef}, {"grant_id", granted.id}});
  ASSERT_EQ(withdrawn.state, RecordState::kCommitted);
  ASSERT_TRUE(withdrawn.result.accepted) << withdrawn.result.reason_code;
  HttpResponse after_withdrawal = read_trail(doctor_, "treatment");
  ASSERT_EQ(after_withdrawal.status, 403) << after_withdrawal.body;
  EXPECT_EQ(code(after_withdrawal), "no_consent");
  EXPECT_EQ(after_withdrawal.header("medtrail-receipt").size(), 64u);

  // An emergency read needs no consent: it is break-glass, flagged for justification.
  EXPECT_EQ(read_trail(doctor_, "emergency").status, 200);

  const std::vector<json> expected = {
      {{"signer", doctor_.id}, {"accepted", false}, {"reason_code", "no_consent"}},
      {{"signer", doctor_.id}, {"accepted", true}, {"reason_code", ""}},
      {{"signer", doctor_.id}, {"accepted", false}, {"reason_code", "no_consent"}},
      {{"signer", doctor_.id}, {"accepted", true}, {"reason_code", ""}},
  };
  std::vector<json> reads = recorded_reads();
  // The auditor's own read joins the trail as it is answered; the four before it are the doctor's.
  ASSERT_GE(reads.size(), expected.size());
  EXPECT_EQ(std::vector<json>(reads.begin(), reads.begin() + expected.size()), expected);
}

}  // namespace
}  // namespace medtrail::node::api::testing
