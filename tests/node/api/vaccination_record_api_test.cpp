// POST /v1/citizen/vaccinations against a real single-node stack: a citizen whose health card
// names them gets every dose the chain says they were given — and nobody else's — after the node
// recorded the lookup on their own trail; a card that names nobody, an unknown card and the day's
// limit are refused with nothing recorded.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/pseudonym.h"
#include "support/http_client.h"
#include "support/node/api_stack.h"

namespace medtrail::node::api::testing {
namespace {

using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using nlohmann::json;

const std::string kGtin = "06901234567892";
const std::string kLot = "L2026A";
const std::string kCodes[] = {"80000000000000000001", "80000000000000000002", "80000000000000000003"};

class VaccinationRecordApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_.run_pseudonym_service();
    ASSERT_TRUE(stack_.wait_for_leader());
    holder_ref_ = ledger::service_patient_ref(stack_.pseudonym_key(), ApiStack::kHealthCardHolder).value();
    other_ref_ = ledger::service_patient_ref(stack_.pseudonym_key(), "110101199003077571").value();
    Person maker = stack_.register_person("maker-e", "op-ma", "operator");
    Person cdc_op = stack_.register_person("cdc-f", "op-sun", "operator");
    nurse_ = stack_.register_person("cdc-f", "nurse-chen", "vaccinator");
    Person regulator{"reg-c/admin", stack_.regulator()};
    const json lot = {{"product_code", kGtin}, {"lot", kLot}};
    expect_accepted(stack_.submit_as(maker, "vaccine.lot.register",
                                     {{"product_code", kGtin}, {"product_name", "Hepatitis B vaccine 10ug"},
                                      {"lot", kLot}, {"expiry", "2099-12-31"}, {"dose_count", 100},
                                      {"storage_min_c", "2.0"}, {"storage_max_c", "8.0"}}));
    json release = lot;
    release["decision"] = "released";
    release["certificate_no"] = "SJ20260001";
    expect_accepted(stack_.submit_as(regulator, "vaccine.lot.release", release));
    json codes = lot;
    codes["codes"] = kCodes;
    expect_accepted(stack_.submit_as(maker, "vaccine.codes.add", codes));
    expect_accepted(stack_.submit_as(maker, "vaccine.ship",
                                     {{"shipment_id", "S-1"}, {"to_org", "cdc-f"}, {"codes", kCodes}}));
    expect_accepted(stack_.submit_as(
        cdc_op, "vaccine.receive",
        {{"shipment_id", "S-1"},
         {"cold_chain", {{"log_hash", std::string(64, 'b')}, {"min_c", "2.5"}, {"max_c", "7.5"}, {"compliant", true}}}}));
  }
  static void expect_accepted(const RecordStatus& s) {
    ASSERT_EQ(s.state, RecordState::kCommitted) << s.result.reason_code << ": " << s.result.reason << s.code;
  }
  RecordStatus administer(const std::string& code, const std::string& ref, int dose_number) {
    return stack_.submit_as(nurse_, "vaccine.administer",
                            {{"code", code}, {"patient_ref", ref}, {"dose_number", dose_number}});
  }
  HttpResponse ask(const std::string& credential) {
    return client_.post(std::string(ledger::kCitizenVaccinationsPath), ledger::citizen_credential_request_json(credential));
  }
  static std::string code(const HttpResponse& r) {
    json b = json::parse(r.body, nullptr, false);
    return b.is_object() && b.contains("error") ? b["error"].value("code", "") : "";
  }

  ApiStack stack_;
  HttpClient client_{stack_.port()};
  Person nurse_;
  std::string holder_ref_;
  std::string other_ref_;
};

TEST_F(VaccinationRecordApiTest, TheHolderGetsTheirOwnDosesAfterTheLookupIsOnTheirTrail) {
  expect_accepted(administer(kCodes[0], holder_ref_, 1));
  expect_accepted(administer(kCodes[1], other_ref_, 1));  // someone else's dose
  EXPECT_FALSE(administer(kCodes[0], holder_ref_, 2).result.accepted);  // refused: code_reused
  expect_accepted(administer(kCodes[2], holder_ref_, 2));

  const uint64_t before = stack_.store().tree_size();
  HttpResponse r = ask(ApiStack::kHealthCard);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(stack_.store().tree_size(), before + 1);
  json answer = json::parse(r.body);
  EXPECT_EQ(answer["patient_ref"], holder_ref_);
  EXPECT_EQ(answer["truncated"], false);
  ASSERT_EQ(answer["rows"].size(), 2u) << r.body;
  const json& first = answer["rows"][0];
  EXPECT_EQ(first["vaccine"], "Hepatitis B vaccine 10ug");
  EXPECT_EQ(first["lot"], kLot);
  EXPECT_EQ(first["product_code"], kGtin);
  EXPECT_EQ(first["dose_number"], 1);
  EXPECT_EQ(first["organisation"], "Disease Control F");
  EXPECT_EQ(first["lot_recalled"], false);
  EXPECT_EQ(first["code"], kCodes[0]);
  EXPECT_EQ(answer["scan_truncated"], false);
  EXPECT_EQ(answer["rows"][1]["dose_number"], 2);
  // Each dose is a row as an audit page has it: its leaf, whose payload names the holder's ref
  // and the code. This one-node chain signs no quorum checkpoint, so none proves them yet.
  EXPECT_EQ(first["kind"], "vaccine.administer");
  EXPECT_EQ(first["actor"], nurse_.id);
  EXPECT_EQ(first["accepted"], true);
  EXPECT_TRUE(answer["checkpoint"].is_null());
  EXPECT_TRUE(first["proof"].is_null());
  auto leaf = stack_.store().leaf_at(first["leaf_index"].get<uint64_t>());
  ASSERT_TRUE(leaf.ok());
  const std::string payload(leaf->envelope.payload.begin(), leaf->envelope.payload.end());
  EXPECT_NE(payload.find(holder_ref_), std::string::npos);
  EXPECT_NE(payload.find(kCodes[0]), std::string::npos);
  EXPECT_EQ(first["record_id"], ledger::record_id(leaf->envelope).value());
  EXPECT_EQ(first["at_ms"], static_cast<int64_t>(leaf->timestamp_ms));
  EXPECT_EQ(r.body.find(other_ref_), std::string::npos);
  EXPECT_EQ(r.body.find(ApiStack::kHealthCardHolder), std::string::npos);

  // The lookup is the node's own record, on the holder's trail, naming neither card nor id.
  const std::string receipt = r.header("medtrail-receipt");
  auto lookup = stack_.store().leaf_at(stack_.store().find_record(*ledger::hash_from_hex(receipt)).value());
  ASSERT_TRUE(lookup.ok());
  EXPECT_TRUE(lookup->result.accepted);
  const std::string recorded(lookup->envelope.payload.begin(), lookup->envelope.payload.end());
  EXPECT_NE(recorded.find("\"patient_ref\":\"" + holder_ref_ + "\""), std::string::npos) << recorded;
  EXPECT_EQ(recorded.find(ApiStack::kHealthCard), std::string::npos);
  EXPECT_EQ(recorded.find(ApiStack::kHealthCardHolder), std::string::npos);

  // A recall after the dose shows on the record.
  Person regulator{"reg-c/admin", stack_.regulator()};
  expect_accepted(stack_.submit_as(regulator, "vaccine.recall",
                                   {{"product_code", kGtin}, {"lot", kLot}, {"reason", "potency below specification"}}));
  HttpResponse again = ask(ApiStack::kHealthCard);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["rows"][0]["lot_recalled"], true);
}

TEST_F(VaccinationRecordApiTest, ACardThatNamesNobodyAnUnknownCardAndTheDailyLimitRecordNothing) {
  const uint64_t before = stack_.store().tree_size();
  HttpResponse anonymous = ask(ApiStack::kCitizenCredentials[0]);
  EXPECT_EQ(anonymous.status, 403);
  EXPECT_EQ(code(anonymous), "identity_names_no_person");
  HttpResponse unknown = ask("card-9999");
  EXPECT_EQ(unknown.status, 403);
  EXPECT_EQ(code(unknown), "identity_check_failed");
  EXPECT_EQ(code(client_.post(std::string(ledger::kCitizenVaccinationsPath), R"({"credential":"card-0003","x":1})")),
            "bad_request");
  EXPECT_EQ(stack_.store().tree_size(), before);

  // Record lookups and ref requests share the card's daily allowance (2 on this chain).
  static_assert(ApiStack::kPseudonymCitizenDailyLimit == 2);
  HttpResponse ok = ask(ApiStack::kHealthCard);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_TRUE(json::parse(ok.body)["rows"].empty());
  auto blinded = ledger::blind_resident_ids(std::vector<std::string>{ApiStack::kHealthCardHolder}).value();
  HttpResponse own_ref = client_.post(std::string(ledger::kCitizenPseudonymPath),
                                      ledger::citizen_pseudonym_request_json(ApiStack::kHealthCard, blinded.blinded[0]));
  ASSERT_EQ(own_ref.status, 200) << own_ref.body;
  // The ref the citizen unblinds is the one the record lookup read.
  EXPECT_EQ(ledger::finish_patient_refs(blinded, own_ref.body, stack_.pseudonym_key().public_key).value()[0],
            json::parse(ok.body)["patient_ref"]);
  const uint64_t at_limit = stack_.store().tree_size();
  HttpResponse over = ask(ApiStack::kHealthCard);
  EXPECT_EQ(over.status, 403);
  EXPECT_EQ(code(over), "pseudonym_limit_reached");
  EXPECT_EQ(stack_.store().tree_size(), at_limit);
}

}  // namespace
}  // namespace medtrail::node::api::testing
