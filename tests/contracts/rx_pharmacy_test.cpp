// E-prescriptions, pharmacy side: rx.review, rx.dispense, rx.deliver, the citizen
// view and the life cycle.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "contracts/rx_fixture.h"
#include "medtrail/contracts/rx.h"

namespace medtrail::contracts {
namespace {

using namespace rx_testing;  // NOLINT: test helpers

// ---- rx.review ------------------------------------------------------------------------------

TEST_F(RxTest, ReviewApprovesOrRejectsWithANote) {
  const std::string a = issue();
  ASSERT_TRUE(review(pharmacist, a).accepted);
  EXPECT_EQ(rx(a)["status"], "approved");
  EXPECT_EQ(rx(a)["review"]["by"], "pharm-a/ph-zhao");
  EXPECT_EQ(rx(a)["review"]["org"], "pharm-a");
  EXPECT_EQ(rx(a)["review"]["decision"], "approved");

  const std::string b = issue();
  EXPECT_EQ(f.run(pharmacist, "rx.review", {{"rx_id", b}, {"decision", "rejected"}}).reason_code,
            "missing_field");
  ASSERT_TRUE(review(pharmacist, b, "rejected").accepted);
  EXPECT_EQ(rx(b)["status"], "rejected");
  EXPECT_EQ(rx(b)["review"]["note"], "dose too high for the patient's age");
  EXPECT_EQ(rx_citizen_status(rx(b), today()), "rejected");
}

TEST_F(RxTest, ReviewRules) {
  const std::string id = issue();
  EXPECT_EQ(review(pharmacist, std::string(64, 'b')).reason_code, "unknown_prescription");
  EXPECT_EQ(review(other_hospital_pharmacist, id).reason_code, "not_issuing_hospital");
  EXPECT_TRUE(review(hospital_pharmacist, id).accepted);
  EXPECT_EQ(review(pharmacist_b, id).reason_code, "already_reviewed");
  EXPECT_EQ(review(pharmacist_b, id, "rejected").reason_code, "already_reviewed");

  const std::string cancelled = issue();
  ASSERT_TRUE(cancel(doctor, cancelled).accepted);
  EXPECT_EQ(review(pharmacist, cancelled).reason_code, "rx_cancelled");

  const std::string late = issue();
  next_day();
  EXPECT_EQ(review(pharmacist, late).reason_code, "rx_expired");
  EXPECT_EQ(rx(late)["status"], "issued");
}

TEST_F(RxTest, ReviewBodyIsCheckedStrictly) {
  const std::string id = issue();
  const std::vector<std::pair<json, const char*>> cases = {
      {{{"decision", "approved"}}, "missing_field"},
      {{{"rx_id", "ABC"}, {"decision", "approved"}}, "bad_format"},
      {{{"rx_id", id}, {"decision", "maybe"}}, "bad_format"},
      {{{"rx_id", id}, {"decision", true}}, "wrong_type"},
      {{{"rx_id", id}, {"decision", "rejected"}, {"note", std::string(513, 'n')}}, "out_of_range"},
      {{{"rx_id", id}, {"decision", "approved"}, {"score", 5}}, "unknown_field"},
  };
  for (const auto& [body, code] : cases) {
    SCOPED_TRACE(body.dump());
    EXPECT_EQ(f.run(pharmacist, "rx.review", body).reason_code, code);
  }
  EXPECT_EQ(review(doctor, id).reason_code, "role_not_permitted");
  EXPECT_EQ(rx(id)["status"], "issued");
}

TEST_F(RxTest, RefusedReviewIsOnThePrescriptionTrail) {
  const std::string id = issue();
  EXPECT_EQ(review(other_hospital_pharmacist, id).reason_code, "not_issuing_hospital");
  EXPECT_EQ(f.index_of("rx/" + id).size(), 2u);
  EXPECT_EQ(f.index_of("org/hosp-b").size(), 1u);
}

TEST_F(RxTest, CorruptStoredPrescriptionIsReported) {
  const std::string id(64, 'c');
  f.state.apply({{rx_key(id), "garbage"}});  // bytes that do not decode
  EXPECT_EQ(review(pharmacist, id).reason_code, "corrupt_state");
  EXPECT_EQ(f.index_of("rx/" + id).size(), 1u);  // the refusal is on the trail
  // A view the contracts could not have written (no items, no parties) shows no status.
  EXPECT_EQ(rx_citizen_status(json{{"status", "issued"}}, today()), "");
}

// ---- rx.dispense ----------------------------------------------------------------------------

TEST_F(RxTest, DispenseRecordsWhoDispensedWhat) {
  const std::string id = approved();
  ASSERT_TRUE(dispense_all(pharmacist, id).accepted);
  json s = rx(id);
  EXPECT_EQ(s["status"], "dispensed");
  EXPECT_EQ(s["items"][0]["dispensed"], 20);
  EXPECT_EQ(s["items"][1]["dispensed"], 10);
  ASSERT_EQ(s["dispenses"].size(), 1u);
  EXPECT_EQ(s["dispenses"][0]["org"], "pharm-a");
  EXPECT_EQ(s["dispenses"][0]["by"], "pharm-a/ph-zhao");
  EXPECT_EQ(s["dispenses"][0]["at_ms"], f.now_ms());
  EXPECT_EQ(s["dispenses"][0]["items"], json({{kDrug, 20}, {kDrug2, 10}}));
  EXPECT_EQ(f.index_of("org/pharm-a").size(), 2u);
}

TEST_F(RxTest, DispenseTwiceIsRejected) {
  const std::string id = approved();
  ASSERT_TRUE(dispense_all(pharmacist, id).accepted);
  EXPECT_EQ(dispense_all(pharmacist_b, id).reason_code, "already_dispensed");
  EXPECT_EQ(dispense(pharmacist, id, {{{"drug_code", kDrug}, {"quantity", 1}}}).reason_code,
            "already_dispensed");
  EXPECT_EQ(rx(id)["dispenses"].size(), 1u);
  EXPECT_EQ(f.index_of("rx/" + id).size(), 5u);  // issue, review, dispense, two refusals
}

TEST_F(RxTest, TwoPharmaciesRacingInOneBlockTheSecondIsRefused) {
  const std::string id = approved();
  json all = {{{"drug_code", kDrug}, {"quantity", 20}}, {{"drug_code", kDrug2}, {"quantity", 10}}};
  auto results = f.run_block({f.sign(pharmacist, "rx.dispense", dispense_body(id, all)),
                              f.sign(pharmacist_b, "rx.dispense", dispense_body(id, all))});
  EXPECT_TRUE(results[0].accepted);
  EXPECT_EQ(results[1].reason_code, "already_dispensed");

  const std::string partial = approved();
  json part = {{{"drug_code", kDrug}, {"quantity", 15}}};
  results = f.run_block({f.sign(pharmacist, "rx.dispense", dispense_body(partial, part)),
                         f.sign(pharmacist_b, "rx.dispense", dispense_body(partial, part))});
  EXPECT_TRUE(results[0].accepted);
  EXPECT_EQ(results[1].reason_code, "quantity_exceeded");
  EXPECT_EQ(rx(partial)["items"][0]["dispensed"], 15);
}

TEST_F(RxTest, PartialDispensesAddUpAcrossPharmacies) {
  const std::string id = approved();
  ASSERT_TRUE(dispense(pharmacist, id, {{{"drug_code", kDrug}, {"quantity", 20}}}).accepted);
  EXPECT_EQ(rx(id)["status"], "dispensing");
  EXPECT_EQ(dispense(pharmacist_b, id, {{{"drug_code", kDrug2}, {"quantity", 11}}}).reason_code,
            "quantity_exceeded");
  EXPECT_EQ(dispense(pharmacist_b, id, {{{"drug_code", kDrug}, {"quantity", 1}}}).reason_code,
            "quantity_exceeded");
  ASSERT_TRUE(dispense(pharmacist_b, id, {{{"drug_code", kDrug2}, {"quantity", 4}}}).accepted);
  EXPECT_EQ(rx(id)["status"], "dispensing");
  ASSERT_TRUE(dispense(pharmacist_b, id, {{{"drug_code", kDrug2}, {"quantity", 6}}}).accepted);
  EXPECT_EQ(rx(id)["status"], "dispensed");
  EXPECT_EQ(rx(id)["dispenses"].size(), 3u);
}

TEST_F(RxTest, DispenseRules) {
  const std::string unreviewed = issue();
  EXPECT_EQ(dispense_all(pharmacist, unreviewed).reason_code, "not_reviewed");

  const std::string refused = issue();
  ASSERT_TRUE(review(pharmacist, refused, "rejected").accepted);
  EXPECT_EQ(dispense_all(pharmacist, refused).reason_code, "review_rejected");

  const std::string id = approved();
  EXPECT_EQ(dispense_all(pharmacist, std::string(64, 'b')).reason_code, "unknown_prescription");
  EXPECT_EQ(dispense_all(other_hospital_pharmacist, id).reason_code, "not_issuing_hospital");
  EXPECT_EQ(dispense(pharmacist, id, {{{"drug_code", kMorphine}, {"quantity", 1}}}).reason_code,
            "unknown_item");
  EXPECT_EQ(dispense(pharmacist, id, {{{"drug_code", kDrug}, {"quantity", 21}}}).reason_code,
            "quantity_exceeded");
  EXPECT_EQ(rx(id)["items"][0]["dispensed"], 0);
  EXPECT_TRUE(dispense_all(hospital_pharmacist, id).accepted);

  const std::string cancelled = approved();
  ASSERT_TRUE(cancel(doctor, cancelled).accepted);
  EXPECT_EQ(dispense_all(pharmacist, cancelled).reason_code, "rx_cancelled");

  const std::string late = approved();
  next_day();
  EXPECT_EQ(dispense_all(pharmacist, late).reason_code, "rx_expired");
  EXPECT_EQ(rx_citizen_status(rx(late), today()), "expired");
}

TEST_F(RxTest, DispenseBodyIsCheckedStrictly) {
  const std::string id = approved();
  auto line = [](const std::string& code, json quantity) {
    return json{{"drug_code", code}, {"quantity", quantity}};
  };
  // A dispense lists up to 40 drugs: a TCM formula's decoction pieces.
  json many = json::array();
  for (int i = 0; i < 41; ++i) many.push_back(line("869794740000" + std::to_string(10 + i), 1));
  const std::vector<std::pair<json, const char*>> cases = {
      {{{"items", json::array({line(kDrug, 1)})}}, "missing_field"},
      {{{"rx_id", id}}, "missing_field"},
      {{{"rx_id", id}, {"items", json::array()}}, "too_few_items"},
      {{{"rx_id", id}, {"items", many}}, "too_many_items"},
      {{{"rx_id", id}, {"items", json::array({line(kDrug, 1), line(kDrug, 1)})}}, "bad_format"},
      {{{"rx_id", id}, {"items", json::array({line("ABC", 1)})}}, "bad_format"},
      {{{"rx_id", id}, {"items", json::array({line(kDrug, 0)})}}, "out_of_range"},
      {{{"rx_id", id}, {"items", json::array({line(kDrug, "1")})}}, "wrong_type"},
      {{{"rx_id", id}, {"items", json::array({{{"drug_code", kDrug}}})}}, "missing_field"},
      {{{"rx_id", id},
        {"items", json::array({{{"drug_code", kDrug}, {"quantity", 1}, {"lot", "L1"}}})}},
       "unknown_field"},
      {{{"rx_id", id}, {"items", json::array({line(kDrug, 1)})}, {"patient", "x"}},
       "unknown_field"},
  };
  for (const auto& [body, code] : cases) {
    SCOPED_TRACE(body.dump());
    EXPECT_EQ(f.run(pharmacist, "rx.dispense", body).reason_code, code);
  }
  EXPECT_EQ(f.run(courier_desk, "rx.dispense", dispense_body(id, json::array({line(kDrug, 1)})))
                .reason_code,
            "role_not_permitted");
  EXPECT_EQ(rx(id)["status"], "approved");
}

// ---- rx.deliver -----------------------------------------------------------------------------

TEST_F(RxTest, DeliverRules) {
  const std::string id = approved();
  EXPECT_EQ(deliver(pharmacist, std::string(64, 'b')).reason_code, "unknown_prescription");
  EXPECT_EQ(deliver(pharmacist, id).reason_code, "not_dispensed");
  ASSERT_TRUE(dispense(pharmacist, id, {{{"drug_code", kDrug}, {"quantity", 20}}}).accepted);
  EXPECT_EQ(deliver(pharmacist, id).reason_code, "not_dispensed");
  ASSERT_TRUE(dispense(pharmacist, id, {{{"drug_code", kDrug2}, {"quantity", 10}}}).accepted);
  EXPECT_EQ(deliver(courier_desk, id).reason_code, "not_dispenser");
  ASSERT_TRUE(deliver(pharmacist, id).accepted);
  EXPECT_EQ(rx(id)["status"], "delivered");
  EXPECT_EQ(rx(id)["delivery"]["method"], "courier");
  EXPECT_EQ(rx(id)["delivery"]["tracking_no"], "SF1234567890");
  EXPECT_EQ(deliver(pharmacist, id).reason_code, "already_delivered");
}

TEST_F(RxTest, DeliverBodyIsCheckedStrictly) {
  const std::string id = approved();
  ASSERT_TRUE(dispense_all(pharmacist, id).accepted);
  const std::vector<std::pair<json, const char*>> cases = {
      {{{"rx_id", id}}, "missing_field"},
      {{{"rx_id", id}, {"method", "drone"}}, "bad_format"},
      {{{"rx_id", id}, {"method", "pickup"}, {"tracking_no", std::string(65, '1')}},
       "out_of_range"},
      {{{"rx_id", id}, {"method", "pickup"}, {"tracking_no", 12}}, "wrong_type"},
      {{{"rx_id", id}, {"method", "pickup"}, {"address", "x"}}, "unknown_field"},
  };
  for (const auto& [body, code] : cases) {
    SCOPED_TRACE(body.dump());
    EXPECT_EQ(f.run(pharmacist, "rx.deliver", body).reason_code, code);
  }
  EXPECT_EQ(deliver(doctor, id).reason_code, "role_not_permitted");
  EXPECT_TRUE(f.run(pharmacist, "rx.deliver", {{"rx_id", id}, {"method", "pickup"}}).accepted);
}

// ---- citizen view and life cycle ------------------------------------------------------------

TEST(RxKey, IsTheFamilyPrefixAndTheId) { EXPECT_EQ(rx_key("ab12"), "rx/ab12"); }

TEST_F(RxTest, CitizenStatusFollowsTheStateAndTheDay) {
  json s = rx(issue());
  const int64_t day = today();
  auto with_status = [&](const char* status) {
    json copy = s;
    copy["status"] = status;
    return copy;
  };
  struct Expect {
    const char* status;
    int64_t day;
    const char* shown;
  };
  for (const Expect& e : std::vector<Expect>{{"issued", day, "valid"},
                                             {"issued", day + 1, "expired"},
                                             {"approved", day, "valid"},
                                             {"approved", day + 1, "expired"},
                                             {"dispensing", day, "dispensing"},
                                             {"dispensing", day + 1, "expired"},
                                             {"dispensed", day + 1, "dispensed"},
                                             {"delivered", day + 9, "delivered"},
                                             {"rejected", day, "rejected"},
                                             {"cancelled", day + 1, "cancelled"},
                                             {"expired", day, ""}}) {
    SCOPED_TRACE(std::string(e.status) + " " + std::to_string(e.day - day));
    EXPECT_EQ(rx_citizen_status(with_status(e.status), e.day), e.shown);
  }
  EXPECT_EQ(rx_citizen_status(json::array(), day), "");
}

// 处方流转 (the Fujian plan's item 11): with genesis' prescription_flow "any_institution" another
// hospital's pharmacy reviews and dispenses the prescription; the default keeps the seed's rule.
TEST_F(RxTest, ThePrescriptionFlowLetsAnotherHospitalServe) {
  const std::string id = issue();
  EXPECT_EQ(review(other_hospital_pharmacist, id).reason_code, "not_issuing_hospital");
  f.chain.genesis.prescription_flow = std::string(ledger::kPrescriptionFlowAnyInstitution);
  ASSERT_TRUE(review(other_hospital_pharmacist, id).accepted);
  ASSERT_TRUE(dispense_all(other_hospital_pharmacist, id).accepted);
  EXPECT_EQ(rx(id)["dispenses"][0]["org"], "hosp-b");
  EXPECT_TRUE(deliver(other_hospital_pharmacist, id).accepted);
}

// Narcotic and psychotropic class 1 drugs: never at retail, by a qualified pharmacist, a narcotic
// injection inside the prescribing institution unless the patient is a pain patient (处方管理办法
// arts. 11, 22; 麻醉药品和精神药品管理条例: 不得零售). Other items of the same prescription are not
// affected.
TEST_F(RxTest, NarcoticsAreDispensedInHospitalByAQualifiedPharmacist) {
  json body = issue_body();
  body["items"][1] = controlled("narcotic", "other", 3);
  const std::string id = approved(body);
  EXPECT_EQ(dispense(pharmacist, id, {{{"drug_code", kMorphine}, {"quantity", 10}}}).reason_code,
            "controlled_retail");
  ASSERT_TRUE(dispense(pharmacist, id, {{{"drug_code", kDrug}, {"quantity", 20}}}).accepted);
  Person unqualified = f.person("hosp-a", "ph-qin", "pharmacist");
  EXPECT_EQ(dispense(unqualified, id, {{{"drug_code", kMorphine}, {"quantity", 10}}}).reason_code,
            "not_qualified");
  ASSERT_TRUE(
      dispense(hospital_pharmacist, id, {{{"drug_code", kMorphine}, {"quantity", 10}}}).accepted);
  EXPECT_EQ(rx(id)["status"], "dispensed");

  json psychotropic = issue_body();
  psychotropic["items"][1] = controlled("psychotropic_1", "other", 3);
  const std::string id1 = approved(psychotropic);
  EXPECT_EQ(dispense(pharmacist_b, id1, {{{"drug_code", kMorphine}, {"quantity", 1}}}).reason_code,
            "controlled_retail");
  json class2 = issue_body();
  class2["items"][1] = controlled("psychotropic_2", "other", 3);
  EXPECT_TRUE(
      dispense(pharmacist, approved(class2), {{{"drug_code", kMorphine}, {"quantity", 1}}}).accepted);
}

TEST_F(RxTest, ANarcoticInjectionStaysInTheInstitutionThatPrescribedIt) {
  f.chain.genesis.prescription_flow = std::string(ledger::kPrescriptionFlowAnyInstitution);
  Person elsewhere = f.person("hosp-b", "ph-li2", "pharmacist",
                              {{"qualifications", {"controlled_dispensing"}}});
  json body = issue_body();
  body["items"][1] = controlled("narcotic", "injection", 1, 1);
  const std::string id = approved(body);
  EXPECT_EQ(dispense(elsewhere, id, {{{"drug_code", kMorphine}, {"quantity", 1}}}).reason_code,
            "controlled_outside_issuer");
  EXPECT_TRUE(
      dispense(hospital_pharmacist, id, {{{"drug_code", kMorphine}, {"quantity", 1}}}).accepted);
  // A cancer-pain patient takes the injection home: another institution may dispense it.
  body["pain"] = "cancer";
  EXPECT_TRUE(
      dispense(elsewhere, approved(body), {{{"drug_code", kMorphine}, {"quantity", 1}}}).accepted);
  json tablets = issue_body();
  tablets["items"][1] = controlled("narcotic", "other", 3);
  EXPECT_TRUE(
      dispense(elsewhere, approved(tablets), {{{"drug_code", kMorphine}, {"quantity", 10}}}).accepted);
}

// Delivery by a third-party logistics organisation the pharmacy entrusted, and the patient's
// receipt, recorded by whoever handed the medicines over; both on the prescription's trail.
TEST_F(RxTest, ACarrierDeliversAndRecordsThePatientsReceipt) {
  const std::string id = approved();
  ASSERT_TRUE(dispense_all(pharmacist, id).accepted);
  auto deliver_by = [&](const std::string& method, const std::string& carrier) {
    return f.run(pharmacist, "rx.deliver", {{"rx_id", id}, {"method", method}, {"carrier", carrier}});
  };
  auto receipt = [&](const Person& who, const std::string& rx_id) {
    return f.run(who, "rx.receipt",
                 {{"rx_id", rx_id}, {"confirmation", "signature"}, {"evidence_hash", std::string(64, 'e')}});
  };
  Person courier = f.person("ship-a", "op-he", "operator");
  Person pharmacy_desk = f.person("pharm-a", "op-fu", "operator");
  EXPECT_EQ(receipt(courier, id).reason_code, "not_delivered");
  EXPECT_EQ(deliver_by("courier", "hosp-b").reason_code, "not_a_carrier");
  EXPECT_EQ(deliver_by("courier", "ship-z").reason_code, "unknown_org");
  EXPECT_EQ(deliver_by("pickup", "ship-a").reason_code, "unknown_field");
  ASSERT_TRUE(deliver_by("courier", "ship-a").accepted);
  EXPECT_EQ(rx(id)["delivery"]["carrier"], "ship-a");
  EXPECT_EQ(f.index_of("org/ship-a").back(), f.last_leaf());

  EXPECT_EQ(receipt(pharmacy_desk, id).reason_code, "not_deliverer");
  ASSERT_TRUE(receipt(courier, id).accepted);
  EXPECT_EQ(rx(id)["receipt"]["org"], "ship-a");
  EXPECT_EQ(rx(id)["receipt"]["confirmation"], "signature");
  EXPECT_EQ(rx(id)["receipt"]["evidence_hash"], std::string(64, 'e'));
  EXPECT_EQ(rx(id)["status"], "delivered");
  EXPECT_EQ(f.index_of("rx/" + id).back(), f.last_leaf());
  EXPECT_EQ(receipt(courier, id).reason_code, "already_received");
  EXPECT_EQ(receipt(courier, std::string(64, 'b')).reason_code, "unknown_prescription");

  // A pickup: the pharmacy that handed it over records the receipt.
  const std::string picked = approved();
  ASSERT_TRUE(dispense_all(pharmacist, picked).accepted);
  ASSERT_TRUE(f.run(pharmacist, "rx.deliver", {{"rx_id", picked}, {"method", "pickup"}}).accepted);
  EXPECT_EQ(receipt(courier, picked).reason_code, "not_deliverer");
  EXPECT_TRUE(f.run(pharmacy_desk, "rx.receipt", {{"rx_id", picked}, {"confirmation", "in_person"}})
                  .accepted);
  EXPECT_TRUE(rx(picked)["receipt"]["evidence_hash"].is_null());

  for (const json& body : {json{{"rx_id", picked}, {"confirmation", "nod"}},
                           json{{"rx_id", picked}, {"confirmation", "signature"}, {"evidence_hash", "ab"}},
                           json{{"rx_id", picked}}}) {
    SCOPED_TRACE(body.dump());
    EXPECT_FALSE(f.run(pharmacy_desk, "rx.receipt", body).accepted);
  }
  EXPECT_EQ(f.run(doctor, "rx.receipt", {{"rx_id", picked}, {"confirmation", "in_person"}}).reason_code,
            "role_not_permitted");
}

TEST_F(RxTest, LifeCycleFromIssueToDelivery) {
  json body = issue_body();
  body["type"] = "chronic";
  body["valid_days"] = 2;
  body["items"][1] = controlled("psychotropic_2", "other", 7, 14);
  const std::string id = issue(body);
  EXPECT_EQ(rx_citizen_status(rx(id), today()), "valid");

  ASSERT_TRUE(review(pharmacist, id).accepted);
  EXPECT_EQ(rx_citizen_status(rx(id), today()), "valid");

  ASSERT_TRUE(dispense(pharmacist, id, {{{"drug_code", kDrug}, {"quantity", 20}}}).accepted);
  EXPECT_EQ(rx_citizen_status(rx(id), today()), "dispensing");

  next_day();  // still within the two days of validity
  EXPECT_EQ(dispense(pharmacist_b, id, {{{"drug_code", kMorphine}, {"quantity", 15}}}).reason_code,
            "quantity_exceeded");
  ASSERT_TRUE(dispense(pharmacist_b, id, {{{"drug_code", kMorphine}, {"quantity", 14}}}).accepted);
  EXPECT_EQ(rx_citizen_status(rx(id), today()), "dispensed");
  EXPECT_EQ(cancel(doctor, id).reason_code, "already_dispensed");

  f.set_time("2026-11-27T09:00:00+08:00");  // delivery is not bound to the validity
  ASSERT_TRUE(deliver(courier_desk, id).accepted);
  json s = rx(id);
  EXPECT_EQ(s["status"], "delivered");
  EXPECT_EQ(s["delivery"]["by"], "pharm-b/op-chen");
  EXPECT_EQ(rx_citizen_status(s, today()), "delivered");
  EXPECT_EQ(s["dispenses"].size(), 2u);
  EXPECT_EQ(s["items"][1]["dispensed"], 14);
  // issue, review, two dispenses, the refused one, cancel attempt, delivery.
  EXPECT_EQ(f.index_of("rx/" + id).size(), 7u);
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 1u);
}

TEST_F(RxTest, APrescriptionIsDispensedInAtMostTwentyParts) {
  const std::string id = approved();  // kDrug: 20 capsules
  // 10 one-capsule dispenses of kDrug2 use it up; then kDrug in one-capsule parts.
  std::vector<ledger::Envelope> records;
  for (int i = 0; i < 10; ++i) {
    records.push_back(f.sign(pharmacist, "rx.dispense",
                             dispense_body(id, {{{"drug_code", kDrug2}, {"quantity", 1}}})));
  }
  for (int i = 0; i < 11; ++i) {
    records.push_back(f.sign(pharmacist, "rx.dispense",
                             dispense_body(id, {{{"drug_code", kDrug}, {"quantity", 1}}})));
  }
  auto results = f.run_block(records);
  EXPECT_TRUE(results[19].accepted) << results[19].reason_code;
  EXPECT_EQ(results[20].reason_code, "too_many_dispenses");
  EXPECT_EQ(rx(id)["dispenses"].size(), 20u);
}

}  // namespace
}  // namespace medtrail::contracts
