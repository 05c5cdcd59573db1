// A pharmacist verifies a prescription before dispensing (GET /v1/prescriptions/{id}, a recorded
// read): what remains, and whether the chain would take the reader's dispense here and now —
// the rx contract's own verdict, which changes as the prescription moves on.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/prescription_view.h"
#include "medtrail/ledger/envelope.h"
#include "support/node/api_stack.h"
#include "support/http_client.h"

namespace medtrail::node::api::testing {
namespace {

using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using nlohmann::json;

const std::string kPatient(64, 'a');

class PrescriptionApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(stack_.wait_for_leader());
    doctor_ = stack_.register_person("hosp-a", "dr-li", "doctor");
    pharmacist_ = stack_.register_person("hosp-a", "ph-wang", "pharmacist");
    json item = {{"drug_code", "86979474000084"}, {"name", "Amoxicillin capsules"}, {"strength", "0.25 g"},
                 {"quantity", 20}, {"unit", "capsule"}, {"dosage", "2 capsules three times a day"},
                 {"days_supply", 5}};
    RecordStatus issued = stack_.submit_as(doctor_, "rx.issue",
                                           {{"patient_ref", kPatient}, {"type", "normal"}, {"channel", "offline"},
                                            {"diagnosis_code", "J02.9"}, {"items", json::array({item})}});
    ASSERT_EQ(issued.state, RecordState::kCommitted) << issued.result.reason_code << " " << issued.result.reason;
    rx_id_ = issued.id;
  }
  HttpResponse verify(const Person& who, const std::string& id, const std::string& purpose = "dispensing") {
    const std::string target = "/v1/prescriptions/" + id;
    return client_.get(target, {{"Authorization", stack_.authorization(who, target, purpose)}});
  }
  static json body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

  ApiStack stack_;
  HttpClient client_{stack_.port()};
  Person doctor_, pharmacist_;
  std::string rx_id_;
};

TEST_F(PrescriptionApiTest, TheVerdictFollowsThePrescriptionThroughReviewAndDispense) {
  HttpResponse r = verify(pharmacist_, rx_id_);
  ASSERT_EQ(r.status, 200) << r.body;
  json b = body(r);
  EXPECT_EQ(b["status"], "valid");
  EXPECT_EQ(b["authentic"]["doctor"], doctor_.id);
  EXPECT_EQ(b["authentic"]["registration_stood_at_issue"], true);
  EXPECT_EQ(b["authentic"]["licence_no"], "L-dr-li");
  EXPECT_EQ(b["items"][0]["remaining"], 20);
  EXPECT_EQ(b["dispensable"]["here_and_now"], false);
  EXPECT_EQ(b["dispensable"]["reason_code"], "not_reviewed");
  EXPECT_EQ(b["receipt"]["record_id"], r.header("medtrail-receipt"));

  ASSERT_EQ(stack_.submit_as(pharmacist_, "rx.review", {{"rx_id", rx_id_}, {"decision", "approved"}}).state,
            RecordState::kCommitted);
  b = body(verify(pharmacist_, rx_id_));
  EXPECT_EQ(b["dispensable"]["here_and_now"], true) << b["dispensable"].dump();
  EXPECT_EQ(b["dispensable"]["dispense_of"], json::array({{{"drug_code", "86979474000084"}, {"quantity", 20}}}));

  ASSERT_EQ(stack_.submit_as(pharmacist_, "rx.dispense",
                             {{"rx_id", rx_id_}, {"items", json::array({{{"drug_code", "86979474000084"}, {"quantity", 12}}})}})
                .state,
            RecordState::kCommitted);
  b = body(verify(pharmacist_, rx_id_));
  EXPECT_EQ(b["status"], "dispensing");
  EXPECT_EQ(b["items"][0]["dispensed"], 12);
  EXPECT_EQ(b["items"][0]["remaining"], 8);
  EXPECT_EQ(b["dispensable"]["here_and_now"], true);

  ASSERT_EQ(stack_.submit_as(pharmacist_, "rx.dispense",
                             {{"rx_id", rx_id_}, {"items", json::array({{{"drug_code", "86979474000084"}, {"quantity", 8}}})}})
                .state,
            RecordState::kCommitted);
  b = body(verify(pharmacist_, rx_id_));
  EXPECT_EQ(b["dispensable"]["here_and_now"], false);
  EXPECT_EQ(b["dispensable"]["reason_code"], "already_dispensed");
  // The trail is the prescription's steps: issue, review, two dispenses. The four reads are
  // records too, but not its steps: who else read it is not the pharmacist's to see.
  std::vector<std::string> kinds;
  for (const json& t : b["trail"]) kinds.push_back(t["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"rx.issue", "rx.review", "rx.dispense", "rx.dispense"}));

  // They are on its read log, which a regulator follows: this read joins it too.
  Person inspector = stack_.register_person("reg-c", "qian", "inspector");
  const std::string target = "/v1/audit/trails/rx-reads/" + rx_id_;
  HttpResponse reads = client_.get(target, {{"Authorization", stack_.authorization(inspector, target, "audit")}});
  ASSERT_EQ(reads.status, 200) << reads.body;
  std::vector<std::string> readers;
  const json page = body(reads);
  for (const json& row : page["rows"]) readers.push_back(row["actor"]);
  EXPECT_EQ(readers, (std::vector<std::string>(4, pharmacist_.id)));
}

// However often it was read, a verification lists every step: reads used to share the
// prescription's trail, so that enough of them pushed a later dispense out of its first 500
// entries (and made each verification dearer than the last).
TEST_F(PrescriptionApiTest, ReadsDoNotCrowdTheStepsOutOfTheTrail) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(verify(pharmacist_, rx_id_).status, 200);
  ASSERT_EQ(stack_.submit_as(pharmacist_, "rx.review", {{"rx_id", rx_id_}, {"decision", "approved"}}).state,
            RecordState::kCommitted);
  json b = body(verify(pharmacist_, rx_id_));
  ASSERT_EQ(b["trail"].size(), 2u) << b["trail"].dump();
  EXPECT_EQ(b["trail"][1]["kind"], "rx.review");
  EXPECT_EQ(b["trail_truncated"], false);
}

TEST_F(PrescriptionApiTest, TheVerdictIsTheReadersOwn) {
  // A regulator may read it, but is no pharmacist: the contract says so, not a second rule here.
  Person auditor = stack_.register_person("reg-c", "zhao", "auditor");
  HttpResponse r = verify(auditor, rx_id_, "audit");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["dispensable"]["reason_code"], "role_not_permitted");
  EXPECT_EQ(body(r)["prescription"]["patient_ref"], kPatient);  // a member's view is whole
}

TEST_F(PrescriptionApiTest, RefusedAndUnknownReadsAreRecordedMalformedIdsAreNot) {
  Person operator_ = stack_.register_person("disinf-d", "op-tang", "operator");
  HttpResponse refused = verify(operator_, rx_id_);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(body(refused)["error"]["code"], "query_not_permitted");
  EXPECT_FALSE(refused.header("medtrail-receipt").empty());
  EXPECT_EQ(refused.body.find(kPatient), std::string::npos);

  HttpResponse unknown = verify(pharmacist_, std::string(64, 'd'));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_FALSE(unknown.header("medtrail-receipt").empty());

  const uint64_t before = stack_.store().tree_size();
  HttpResponse bad = verify(pharmacist_, "ABC");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(body(bad)["error"]["code"], "bad_rx_id");
  EXPECT_EQ(stack_.store().tree_size(), before);
}

// A read whose query committed before the prescription was issued (an earlier leaf of the same
// block, or an earlier block) is answered after the issue is in the state; what the contract
// judged was the state before it, so the view shows nothing — the race, played out directly.
TEST_F(PrescriptionApiTest, APrescriptionIssuedAfterTheReadersQueryIsNotShown) {
  const uint64_t issued_at = *stack_.store().find_record(*ledger::hash_from_hex(rx_id_));
  Reader reader;
  reader.signer = pharmacist_.id;
  reader.org = "hosp-a";
  reader.role = "pharmacist";
  reader.purpose = "dispensing";
  reader.receipt = std::string(64, 'e');
  for (uint64_t receipt_leaf : {issued_at, issued_at > 0 ? issued_at - 1 : 0}) {
    reader.receipt_leaf = receipt_leaf;
    http::Response r = prescription_view(stack_.context(), rx_id_, reader);
    EXPECT_EQ(r.status, 404) << "receipt leaf " << receipt_leaf << ", issued at " << issued_at << ": " << r.body;
    EXPECT_EQ(r.body.find(kPatient), std::string::npos);
  }
  reader.receipt_leaf = issued_at + 1;  // the query came after the issue: the view is served
  http::Response r = prescription_view(stack_.context(), rx_id_, reader);
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace medtrail::node::api::testing
