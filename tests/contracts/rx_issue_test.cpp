// E-prescriptions, prescriber side: rx.issue and rx.cancel.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "contracts/rx_fixture.h"
#include "medtrail/contracts/rx.h"

namespace medtrail::contracts {
namespace {

using namespace rx_testing;  // NOLINT: test helpers

// ---- rx.issue -------------------------------------------------------------------------------

TEST_F(RxTest, IssueWritesThePrescriptionAndIndexesIt) {
  const std::string id = issue();
  json s = rx(id);
  EXPECT_EQ(s["status"], "issued");
  EXPECT_EQ(s["org"], "hosp-a");
  EXPECT_EQ(s["doctor"], "hosp-a/dr-wang");
  EXPECT_EQ(s["patient_ref"], kPatientRef);
  EXPECT_EQ(s["type"], "normal");
  EXPECT_EQ(s["channel"], "offline");
  EXPECT_EQ(s["follow_up"], false);
  EXPECT_EQ(s["issue_day"], today());
  EXPECT_EQ(s["valid_until_day"], today());
  EXPECT_EQ(s["issued_at_ms"], f.now_ms());
  EXPECT_EQ(s["items"].size(), 2u);
  EXPECT_EQ(s["items"][0]["drug_code"], kDrug);
  EXPECT_EQ(s["items"][0]["prescribed"], 20);
  EXPECT_EQ(s["items"][0]["dispensed"], 0);
  EXPECT_EQ(s["items"][0]["form"], "other");
  EXPECT_TRUE(s["review"].is_null());
  EXPECT_TRUE(s["dispenses"].empty());
  EXPECT_TRUE(s["delivery"].is_null());
  EXPECT_TRUE(s["cancel"].is_null());
  EXPECT_EQ(f.index_of("rx/" + id).size(), 1u);
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 1u);
  EXPECT_EQ(f.index_of("org/hosp-a").size(), 1u);
}

TEST_F(RxTest, IssueBodyIsCheckedStrictly) {
  expect_issue_cases({
      {"missing patient_ref", [](json& b) { b.erase("patient_ref"); }, "missing_field"},
      {"resident id as patient_ref", [](json& b) { b["patient_ref"] = "110101199003077571"; },
       "patient_identifier_in_clear"},
      {"short patient_ref", [](json& b) { b["patient_ref"] = "abcd"; }, "bad_format"},
      {"unknown type", [](json& b) { b["type"] = "routine"; }, "bad_format"},
      {"type not a string", [](json& b) { b["type"] = 1; }, "wrong_type"},
      {"missing channel", [](json& b) { b.erase("channel"); }, "missing_field"},
      {"follow_up not a boolean", [](json& b) { b["follow_up"] = "yes"; }, "wrong_type"},
      {"long_term without reason",
       [](json& b) {
         b["type"] = "chronic";
         b["long_term"] = true;
       },
       "missing_field"},
      {"reason without long_term", [](json& b) { b["long_term_reason"] = "stable hypertension"; },
       "unknown_field"},
      {"reason with long_term false",
       [](json& b) {
         b["long_term"] = false;
         b["long_term_reason"] = "stable";
       },
       "unknown_field"},
      {"unknown pain", [](json& b) { b["pain"] = "acute"; }, "bad_format"},
      {"valid_days 0", [](json& b) { b["valid_days"] = 0; }, "out_of_range"},
      {"valid_days 4", [](json& b) { b["valid_days"] = 4; }, "out_of_range"},
      {"valid_days fractional", [](json& b) { b["valid_days"] = 1.5; }, "wrong_type"},
      {"no diagnosis (art. 6)", [](json& b) { b.erase("diagnosis_code"); }, "missing_field"},
      {"diagnosis too short", [](json& b) { b["diagnosis_code"] = "J6"; }, "bad_format"},
      {"diagnosis lowercase", [](json& b) { b["diagnosis_code"] = "j06.9"; }, "bad_format"},
      {"diagnosis long suffix", [](json& b) { b["diagnosis_code"] = "J06.912"; }, "bad_format"},
      {"missing items", [](json& b) { b.erase("items"); }, "missing_field"},
      {"items not an array", [](json& b) { b["items"] = "x"; }, "wrong_type"},
      {"no items", [](json& b) { b["items"] = json::array(); }, "too_few_items"},
      {"six items",
       [](json& b) {
         b["items"] = json::array();
         for (int i = 0; i < 6; ++i)
           b["items"].push_back(item("8697947400008" + std::to_string(i)));
       },
       "too_many_items"},
      {"same drug twice", [](json& b) { b["items"][1]["drug_code"] = kDrug; }, "bad_format"},
      {"drug code not from 86", [](json& b) { b["items"][0]["drug_code"] = "12979474000084"; },
       "bad_format"},
      {"drug code 13 digits", [](json& b) { b["items"][0]["drug_code"] = "8697947400008"; },
       "bad_format"},
      {"ATC with a group that is not", [](json& b) { b["items"][0]["drug_code"] = "E02AA01"; },
       "bad_format"},
      {"ATC too short", [](json& b) { b["items"][0]["drug_code"] = "N02AA1"; }, "bad_format"},
      {"item missing unit", [](json& b) { b["items"][0].erase("unit"); }, "missing_field"},
      {"quantity 0", [](json& b) { b["items"][0]["quantity"] = 0; }, "out_of_range"},
      {"quantity above 100000", [](json& b) { b["items"][0]["quantity"] = 100001; },
       "out_of_range"},
      {"quantity as a string", [](json& b) { b["items"][0]["quantity"] = "20"; }, "wrong_type"},
      {"days_supply 0", [](json& b) { b["items"][0]["days_supply"] = 0; }, "out_of_range"},
      {"days_supply 85", [](json& b) { b["items"][0]["days_supply"] = 85; }, "out_of_range"},
      {"name too long", [](json& b) { b["items"][0]["name"] = std::string(129, 'x'); },
       "out_of_range"},
      {"empty strength", [](json& b) { b["items"][0]["strength"] = ""; }, "out_of_range"},
      {"resident id in dosage", [](json& b) { b["items"][0]["dosage"] = "for 110101199003077571"; },
       "patient_identifier_in_clear"},
      {"unknown form", [](json& b) { b["items"][0]["form"] = "tablet"; }, "bad_format"},
      {"unknown controlled class", [](json& b) { b["items"][0]["controlled_class"] = "opioid"; },
       "bad_format"},
      {"unknown item field", [](json& b) { b["items"][0]["price"] = 3; }, "unknown_field"},
      {"unknown body field", [](json& b) { b["patient_name"] = "Zhang"; }, "unknown_field"},
      {"ATC code accepted", [](json& b) { b["items"][0]["drug_code"] = "C09AA02"; }, ""},
      {"three-character diagnosis", [](json& b) { b["diagnosis_code"] = "I10"; }, ""},
      {"two-character subcode", [](json& b) { b["diagnosis_code"] = "E11.9A"; }, ""},
      {"five items",
       [](json& b) {
         b["items"] = json::array();
         for (int i = 0; i < 5; ++i)
           b["items"].push_back(item("8697947400008" + std::to_string(i)));
       },
       ""},
  });
}

// 处方管理办法 art. 19: 7 days (3 in an emergency) unless the doctor states why; 长期处方管理规范
// （试行）art. 13: a long-term prescription up to 12 weeks.
TEST_F(RxTest, SupplyIsLimitedByPrescriptionType) {
  auto typed = [](const char* type, int64_t d, bool extended = false) {
    return [type, d, extended](json& b) {
      b["type"] = type;
      b["items"][0]["days_supply"] = d;
      b["items"][1]["days_supply"] = 1;
      if (extended) {
        b["extended_supply"] = true;
        b["supply_reason"] = "elderly patient, travels far to the clinic";
      }
    };
  };
  auto long_term = [](const char* type, int64_t d) {
    return [type, d](json& b) {
      b["type"] = type;
      b["long_term"] = true;
      b["long_term_reason"] = "stable hypertension, reviewed every quarter";
      b["long_term_evaluation"] = "blood pressure controlled for a year";
      b["patient_confirmed"] = true;
      b["items"][0]["days_supply"] = d;
    };
  };
  expect_issue_cases({
      {"normal 7 days", typed("normal", 7), ""},
      {"normal 8 days without a reason", typed("normal", 8), "supply_needs_reason"},
      {"normal 8 days with a reason", typed("normal", 8, true), ""},
      {"normal 28 days with a reason", typed("normal", 28, true), ""},
      {"normal 29 days with a reason", typed("normal", 29, true), "supply_exceeded"},
      {"emergency 3 days", typed("emergency", 3), ""},
      {"emergency 4 days without a reason", typed("emergency", 4), "supply_needs_reason"},
      {"emergency 7 days with a reason", typed("emergency", 7, true), ""},
      {"emergency 8 days with a reason", typed("emergency", 8, true), "supply_exceeded"},
      {"chronic 7 days", typed("chronic", 7), ""},
      {"chronic 8 days without a reason", typed("chronic", 8), "supply_needs_reason"},
      {"chronic 28 days with a reason", typed("chronic", 28, true), ""},
      {"chronic 29 days with a reason", typed("chronic", 29, true), "supply_exceeded"},
      {"long-term chronic 84 days", long_term("chronic", 84), ""},
      {"long-term normal", long_term("normal", 7), "long_term_not_allowed"},
      {"long-term emergency", long_term("emergency", 3), "long_term_not_allowed"},
  });
}

TEST_F(RxTest, TheSupplyReasonIsKeptAndBelongsToAnExtendedSupply) {
  json body = issue_body();
  body["extended_supply"] = true;
  body["supply_reason"] = "elderly patient, travels far to the clinic";
  body["items"][0]["days_supply"] = 14;
  const std::string id = issue(body);
  EXPECT_EQ(rx(id)["extended_supply"], true);
  EXPECT_EQ(rx(id)["supply_reason"], "elderly patient, travels far to the clinic");
  EXPECT_EQ(rx(issue())["extended_supply"], false);
  EXPECT_TRUE(rx(issue())["supply_reason"].is_null());
  expect_issue_cases({
      {"extended without a reason", [](json& b) { b["extended_supply"] = true; }, "missing_field"},
      {"a reason without extended",
       [](json& b) { b["supply_reason"] = "elderly patient"; }, "unknown_field"},
      {"a reason with extended false",
       [](json& b) {
         b["extended_supply"] = false;
         b["supply_reason"] = "elderly patient";
       },
       "unknown_field"},
      {"reason too long",
       [](json& b) {
         b["extended_supply"] = true;
         b["supply_reason"] = std::string(257, 'r');
       },
       "out_of_range"},
      {"extended not a boolean", [](json& b) { b["extended_supply"] = 1; }, "wrong_type"},
  });
}

// 长期处方管理规范（试行）(2021): which drugs, beyond 4 weeks with the doctor's evaluation and
// the patient's confirmation.
TEST_F(RxTest, LongTermPrescriptionsFollowTheirOwnRules) {
  auto long_term = [](int64_t days, std::function<void(json&)> more = [](json&) {}) {
    return [days, more](json& b) {
      b["type"] = "chronic";
      b["long_term"] = true;
      b["long_term_reason"] = "type 2 diabetes, stable";
      b["items"][0]["days_supply"] = days;
      more(b);
    };
  };
  auto confirmed = [](json& b) {
    b["long_term_evaluation"] = "HbA1c stable for a year";
    b["patient_confirmed"] = true;
  };
  auto with_class = [&](const char* cls) {
    return long_term(28, [cls](json& b) {
      b["items"][1]["controlled_class"] = cls;
      b["items"][1]["days_supply"] = 2;
    });
  };
  expect_issue_cases({
      {"4 weeks", long_term(28), ""},
      {"29 days unconfirmed", long_term(29, [](json& b) {
         b["long_term_evaluation"] = "stable";
       }), "long_term_unconfirmed"},
      {"29 days without the evaluation", long_term(29, [](json& b) {
         b["patient_confirmed"] = true;
       }), "missing_field"},
      {"29 days confirmed", long_term(29, confirmed), ""},
      {"12 weeks confirmed", long_term(84, confirmed), ""},
      {"narcotic", with_class("narcotic"), "long_term_drug_excluded"},
      {"psychotropic 1", with_class("psychotropic_1"), "long_term_drug_excluded"},
      {"psychotropic 2", with_class("psychotropic_2"), "long_term_drug_excluded"},
      {"toxic", with_class("toxic"), "long_term_drug_excluded"},
      {"radioactive", with_class("radioactive"), "long_term_drug_excluded"},
      {"precursor", with_class("precursor"), "long_term_drug_excluded"},
      {"an antimicrobial", long_term(28, [](json& b) { b["items"][1]["antimicrobial"] = true; }),
       "long_term_drug_excluded"},
      {"an antimicrobial for a chronic infection", long_term(28, [](json& b) {
         b["items"][1]["antimicrobial"] = true;
         b["chronic_infection"] = true;
       }), ""},
      {"an antimicrobial short-term", [](json& b) { b["items"][1]["antimicrobial"] = true; }, ""},
      {"the long-term fields without long_term",
       [](json& b) { b["patient_confirmed"] = true; }, "unknown_field"},
      {"chronic_infection without long_term",
       [](json& b) { b["chronic_infection"] = true; }, "unknown_field"},
      {"renews without long_term", [](json& b) { b["renews"] = std::string(64, 'a'); },
       "unknown_field"},
      {"a radioactive drug short-term",
       [](json& b) { b["items"][1]["controlled_class"] = "radioactive"; }, ""},
      {"a precursor online",
       [](json& b) {
         b["channel"] = "online";
         b.erase("diagnosis_code");
         b["child_under_6"] = false;
         b["items"][1]["controlled_class"] = "precursor";
       },
       "controlled_online"},
  });
}

// A first long-term prescription by an attending doctor (主治医师) or above; a renewal by any
// doctor, naming the patient's earlier long-term prescription.
TEST_F(RxTest, AFirstLongTermPrescriptionNeedsAnAttendingDoctor) {
  json body = issue_body();
  body["type"] = "chronic";
  body["long_term"] = true;
  body["long_term_reason"] = "stable hypertension";
  Person resident = f.person("hosp-a", "dr-qin", "doctor", {{"title", "resident"}});
  EXPECT_EQ(f.run(resident, "rx.issue", body).reason_code, "title_insufficient");
  EXPECT_EQ(f.run(other_doctor, "rx.issue", body).reason_code, "title_insufficient");
  Person chief = f.person("hosp-a", "dr-yan", "doctor", {{"title", "chief"}});
  EXPECT_TRUE(f.run(chief, "rx.issue", body).accepted);
  const std::string first = issue(body);

  // Only a prescription the patient was dispensed is renewed: not one merely issued, nor a
  // cancelled one (else anyone could write a first prescription as a "renewal").
  json renewal = body;
  renewal["renews"] = first;
  EXPECT_EQ(f.run(resident, "rx.issue", renewal).reason_code, "renewal_mismatch");
  const std::string cancelled = issue(body);
  ASSERT_TRUE(cancel(doctor, cancelled).accepted);
  renewal["renews"] = cancelled;
  EXPECT_EQ(f.run(resident, "rx.issue", renewal).reason_code, "renewal_mismatch");
  ASSERT_TRUE(review(pharmacist, first).accepted);
  ASSERT_TRUE(dispense_all(pharmacist, first).accepted);
  renewal["renews"] = first;
  EXPECT_TRUE(f.run(resident, "rx.issue", renewal).accepted);
  renewal["renews"] = std::string(64, 'c');
  EXPECT_EQ(f.run(resident, "rx.issue", renewal).reason_code, "unknown_prescription");
  renewal["renews"] = issue();  // not long-term
  EXPECT_EQ(f.run(resident, "rx.issue", renewal).reason_code, "renewal_mismatch");
  json someone_else = body;
  someone_else["patient_ref"] = std::string(64, 'e');
  renewal["renews"] = issue(someone_else);
  EXPECT_EQ(f.run(resident, "rx.issue", renewal).reason_code, "renewal_mismatch");
  EXPECT_EQ(rx(first)["patient_confirmed"], false);
  EXPECT_TRUE(rx(first)["renews"].is_null());
}

// 中药饮片 (TCM decoction pieces): a prescription of their own (处方管理办法 art. 6), weighed in
// grams with the number of doses (中药处方格式及书写规范 2010), up to 40 pieces.
json tcm_piece(int n, int64_t grams = 10) {
  char code[16];
  std::snprintf(code, sizeof code, "T%09d", 1700000 + n);
  return {{"drug_code", code}, {"name", "piece " + std::to_string(n)}, {"strength", "raw"},
          {"quantity", grams * 7}, {"unit", "g"}, {"dosage", "decocted, twice a day"},
          {"days_supply", 7}};
}

json tcm_formula(int pieces) {
  json b = issue_body();
  b["category"] = "tcm_pieces";
  b["doses"] = 7;
  b["items"] = json::array();
  for (int n = 0; n < pieces; ++n) b["items"].push_back(tcm_piece(n));
  return b;
}

TEST_F(RxTest, DecoctionPiecesArePrescribedOnTheirOwn) {
  const std::string id = issue(tcm_formula(12));
  EXPECT_EQ(rx(id)["category"], "tcm_pieces");
  EXPECT_EQ(rx(id)["doses"], 7);
  EXPECT_EQ(rx(id)["items"].size(), 12u);
  EXPECT_EQ(rx(issue())["category"], "western");
  EXPECT_TRUE(rx(issue())["doses"].is_null());
  ASSERT_TRUE(review(pharmacist, id).accepted);
  json all = json::array();
  const json prescribed = rx(id)["items"];
  for (const json& item : prescribed) {
    all.push_back({{"drug_code", item["drug_code"]}, {"quantity", item["prescribed"]}});
  }
  ledger::ExecutionResult dispensed = dispense(pharmacist, id, all);
  ASSERT_TRUE(dispensed.accepted) << dispensed.reason_code << ": " << dispensed.reason;
  EXPECT_EQ(rx(id)["status"], "dispensed");

  struct TcmCase {
    const char* name;
    std::function<void(json&)> change;
    const char* code;
  };
  for (const TcmCase& c : std::vector<TcmCase>{
           {"40 pieces", [](json& b) { b = tcm_formula(40); }, ""},
           {"41 pieces", [](json& b) { b = tcm_formula(41); }, "too_many_items"},
           {"no doses", [](json& b) { b.erase("doses"); }, "missing_field"},
           {"31 doses", [](json& b) { b["doses"] = 31; }, "out_of_range"},
           {"a piece in tablets", [](json& b) { b["items"][2]["unit"] = "tablet"; }, "bad_format"},
           {"a Western drug among pieces",
            [](json& b) { b["items"][1] = item(); }, "tcm_separate_prescription"},
           {"a toxic piece for 2 days",
            [](json& b) {
              b["items"][0]["controlled_class"] = "toxic";
              b["items"][0]["days_supply"] = 2;
            },
            ""},
           {"a toxic piece for 3 days",
            [](json& b) {
              b["items"][0]["controlled_class"] = "toxic";
              b["items"][0]["days_supply"] = 3;
            },
            "controlled_limit_exceeded"},
           {"an unknown category", [](json& b) { b["category"] = "herbal"; }, "bad_format"},
       }) {
    SCOPED_TRACE(c.name);
    json body = tcm_formula(6);
    c.change(body);
    ledger::ExecutionResult r = run_issue(body);
    EXPECT_EQ(r.reason_code, c.code) << r.reason;
  }
  expect_issue_cases({
      {"a piece on a Western prescription", [](json& b) { b["items"][1] = tcm_piece(1); },
       "tcm_separate_prescription"},
      {"doses on a Western prescription", [](json& b) { b["doses"] = 3; }, "unknown_field"},
      {"category western said", [](json& b) { b["category"] = "western"; }, ""},
      {"a piece code of 9 digits", [](json& b) { b["items"][0]["drug_code"] = "T00170064"; },
       "bad_format"},
  });
}

// 互联网诊疗管理办法（试行）: the rules a body shows by itself. The licence, the doctor's years of
// practice and the record followed up: internet_diagnosis_test.cpp.
TEST_F(RxTest, OnlinePrescriptionsAreFollowUpsWithoutControlledDrugs) {
  auto online = [](std::function<void(json&)> more) {
    return [more](json& b) {
      b["channel"] = "online";
      b.erase("diagnosis_code");
      b["child_under_6"] = false;
      b["follows"] = std::string(64, 'a');
      more(b);
    };
  };
  expect_issue_cases({
      {"online, at a hospital without the licence", online([](json&) {}), "not_licensed_online"},
      {"online first visit", online([](json& b) { b["follow_up"] = false; }), "online_needs_follow_up"},
      {"online without follows", online([](json& b) { b.erase("follows"); }),
       "online_needs_follow_up"},
      {"online controlled",
       online([](json& b) { b["items"][1] = controlled("psychotropic_2", "other", 2); }),
       "controlled_online"},
      {"offline controlled",
       [](json& b) { b["items"][1] = controlled("psychotropic_2", "other", 2); }, ""},
  });
}

// 处方管理办法 arts. 23-24; 医疗用毒性药品管理办法 art. 9. Chronic type with a stated reason for
// a longer supply, so that only the controlled-drug limit applies.
TEST_F(RxTest, ControlledDrugsHaveOutpatientLimits) {
  auto with = [](json controlled_item, bool pain, bool extended = true) {
    return [controlled_item, pain, extended](json& b) {
      b["type"] = "chronic";
      b["items"][1] = controlled_item;
      if (pain) b["pain"] = "cancer";
      if (extended) {
        b["extended_supply"] = true;
        b["supply_reason"] = "stable patient, reviewed every two weeks";
      }
    };
  };
  auto chronic_pain = [](json controlled_item) {
    return [controlled_item](json& b) {
      b["type"] = "chronic";
      b["pain"] = "chronic";
      b["items"][1] = controlled_item;
      b["extended_supply"] = true;
      b["supply_reason"] = "moderate chronic pain";
    };
  };
  expect_issue_cases({
      {"narcotic injection one dose", with(controlled("narcotic", "injection", 1, 1), false), ""},
      {"narcotic injection two doses", with(controlled("narcotic", "injection", 1, 2), false),
       "controlled_limit_exceeded"},
      {"narcotic injection two days", with(controlled("narcotic", "injection", 2, 1), false),
       "controlled_limit_exceeded"},
      {"narcotic controlled release 7 days",
       with(controlled("narcotic", "controlled_release", 7), false), ""},
      {"narcotic controlled release 8 days",
       with(controlled("narcotic", "controlled_release", 8), false), "controlled_limit_exceeded"},
      {"narcotic tablets 3 days", with(controlled("narcotic", "other", 3), false), ""},
      {"narcotic tablets 4 days", with(controlled("narcotic", "other", 4), false),
       "controlled_limit_exceeded"},
      {"psychotropic 1 tablets 3 days", with(controlled("psychotropic_1", "other", 3), false), ""},
      {"psychotropic 1 tablets 4 days", with(controlled("psychotropic_1", "other", 4), false),
       "controlled_limit_exceeded"},
      {"psychotropic 1 injection two doses",
       with(controlled("psychotropic_1", "injection", 1, 2), false), "controlled_limit_exceeded"},
      {"cancer pain injection 3 days", with(controlled("narcotic", "injection", 3), true), ""},
      {"cancer pain injection 4 days", with(controlled("narcotic", "injection", 4), true),
       "controlled_limit_exceeded"},
      {"cancer pain controlled release 15 days",
       with(controlled("narcotic", "controlled_release", 15), true), ""},
      {"cancer pain controlled release 16 days",
       with(controlled("narcotic", "controlled_release", 16), true), "controlled_limit_exceeded"},
      {"cancer pain tablets 7 days", with(controlled("psychotropic_1", "other", 7), true), ""},
      {"cancer pain tablets 8 days", with(controlled("psychotropic_1", "other", 8), true),
       "controlled_limit_exceeded"},
      {"chronic pain tablets 7 days", chronic_pain(controlled("narcotic", "other", 7)), ""},
      {"chronic pain tablets 8 days", chronic_pain(controlled("narcotic", "other", 8)),
       "controlled_limit_exceeded"},
      {"psychotropic 2 7 days", with(controlled("psychotropic_2", "other", 7), false, false), ""},
      {"psychotropic 2 8 days without a reason",
       with(controlled("psychotropic_2", "other", 8), false, false), "supply_needs_reason"},
      {"psychotropic 2 8 days with pain but without a reason",
       with(controlled("psychotropic_2", "controlled_release", 8), true, false),
       "supply_needs_reason"},
      {"psychotropic 2 28 days with a reason (art. 23)",
       with(controlled("psychotropic_2", "other", 28), false), ""},
      {"toxic 2 days", with(controlled("toxic", "other", 2), false), ""},
      {"toxic 3 days", with(controlled("toxic", "other", 3), false), "controlled_limit_exceeded"},
  });
}

// 处方管理办法 art. 23: 哌醋甲酯用于治疗儿童多动症时，每张处方不得超过15日常用量.
TEST_F(RxTest, MethylphenidateForChildhoodAdhdUpToFifteenDays) {
  auto adhd = [](int64_t days, const std::string& code = "N06BA04",
                 const std::string& cls = "psychotropic_1", const std::string& form = "other") {
    return [=](json& b) {
      json i = controlled(cls, form, days);
      i["drug_code"] = code;
      i["indication"] = "childhood_adhd";
      b["items"][1] = i;
      b["extended_supply"] = true;
      b["supply_reason"] = "school term, stable dose";
    };
  };
  expect_issue_cases({
      {"15 days", adhd(15), ""},
      {"16 days", adhd(16), "controlled_limit_exceeded"},
      {"controlled release 15 days", adhd(15, "N06BA04", "psychotropic_1", "controlled_release"),
       ""},
      {"without the indication, 4 days",
       [](json& b) {
         json i = controlled("psychotropic_1", "other", 4);
         i["drug_code"] = "N06BA04";
         b["items"][1] = i;
       },
       "controlled_limit_exceeded"},
      {"another drug", adhd(10, "N06BA09"), "indication_not_applicable"},
      {"not marked psychotropic 1", adhd(10, "N06BA04", "psychotropic_2"),
       "indication_not_applicable"},
      {"an injection", adhd(1, "N06BA04", "psychotropic_1", "injection"),
       "indication_not_applicable"},
      {"an unknown indication",
       [](json& b) { b["items"][0]["indication"] = "narcolepsy"; }, "bad_format"},
  });
}

// 处方管理办法 art. 11: narcotic and psychotropic class 1 drugs only by a doctor who holds the
// right to prescribe them; class 2, toxic and ordinary drugs by any doctor.
TEST_F(RxTest, NarcoticsArePrescribedByQualifiedDoctorsOnly) {
  for (const char* cls : {"narcotic", "psychotropic_1"}) {
    SCOPED_TRACE(cls);
    json body = issue_body();
    body["items"][1] = controlled(cls, "other", 3);
    ledger::ExecutionResult r = f.run(other_doctor, "rx.issue", body);
    EXPECT_EQ(r.reason_code, "not_qualified");
    EXPECT_NE(r.reason.find("body.items[1]"), std::string::npos) << r.reason;
    EXPECT_TRUE(run_issue(body).accepted);
  }
  for (const char* cls : {"psychotropic_2", "toxic"}) {
    SCOPED_TRACE(cls);
    json body = issue_body();
    body["items"][1] = controlled(cls, "other", 2);
    EXPECT_TRUE(f.run(other_doctor, "rx.issue", body).accepted);
  }
}

TEST_F(RxTest, ValidDaysExtendValidityUpToThreeDays) {
  json body = issue_body();
  body["valid_days"] = 3;
  const std::string id = issue(body);
  EXPECT_EQ(rx(id)["valid_until_day"], today() + 2);
  ASSERT_TRUE(review(pharmacist, id).accepted);
  f.set_time("2026-11-25T23:59:59+08:00");
  EXPECT_TRUE(dispense(pharmacist, id, {{{"drug_code", kDrug}, {"quantity", 20}}}).accepted);
  f.set_time("2026-11-26T00:00:00+08:00");
  EXPECT_EQ(dispense(pharmacist, id, {{{"drug_code", kDrug2}, {"quantity", 10}}}).reason_code,
            "rx_expired");
  EXPECT_EQ(rx_citizen_status(rx(id), today()), "expired");
}

TEST_F(RxTest, OnlyHospitalDoctorsIssue) {
  Person clinic_doctor = f.person("clinic-a", "dr-gao", "doctor");
  EXPECT_EQ(f.run(clinic_doctor, "rx.issue", issue_body()).reason_code, "org_not_permitted");
  EXPECT_EQ(f.run(hospital_pharmacist, "rx.issue", issue_body()).reason_code, "role_not_permitted");
}

TEST_F(RxTest, RefusedIssueIsIndexedButWritesNoPrescription) {
  json body = issue_body();
  body["items"][0]["days_supply"] = 8;
  std::string id;
  EXPECT_EQ(run_issue(body, &id).reason_code, "supply_needs_reason");
  EXPECT_FALSE(f.state_json(rx_key(id)));
  EXPECT_EQ(f.index_of("rx/" + id).size(), 1u);
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 1u);
}

TEST_F(RxTest, TheSameIssueRecordTwiceIsRefused) {
  ledger::Envelope e = f.sign(doctor, "rx.issue", issue_body());
  auto results = f.run_block({e, e});
  EXPECT_TRUE(results[0].accepted);
  EXPECT_EQ(results[1].reason_code, "already_issued");
}

// ---- rx.cancel ------------------------------------------------------------------------------

TEST_F(RxTest, IssuingDoctorOrHospitalAdminCancels) {
  const std::string id = issue();
  EXPECT_EQ(cancel(other_doctor, id).reason_code, "not_issuer");
  EXPECT_EQ(cancel(f.admin("hosp-b"), id).reason_code, "not_issuer");
  ASSERT_TRUE(cancel(doctor, id).accepted);
  EXPECT_EQ(rx(id)["status"], "cancelled");
  EXPECT_EQ(rx(id)["cancel"]["by"], "hosp-a/dr-wang");
  EXPECT_EQ(rx(id)["cancel"]["reason"], "wrong drug chosen");
  EXPECT_EQ(cancel(doctor, id).reason_code, "rx_cancelled");

  const std::string by_admin = approved();
  EXPECT_TRUE(cancel(f.admin("hosp-a"), by_admin).accepted);
  EXPECT_EQ(rx_citizen_status(rx(by_admin), today()), "cancelled");
}

TEST_F(RxTest, CancelRules) {
  EXPECT_EQ(cancel(doctor, std::string(64, 'b')).reason_code, "unknown_prescription");
  const std::string id = approved();
  ASSERT_TRUE(dispense(pharmacist, id, {{{"drug_code", kDrug}, {"quantity", 1}}}).accepted);
  EXPECT_EQ(cancel(doctor, id).reason_code, "already_dispensed");
  EXPECT_EQ(rx(id)["status"], "dispensing");
  EXPECT_EQ(cancel(pharmacist, id).reason_code, "role_not_permitted");
  EXPECT_EQ(cancel(f.admin("pharm-a"), id).reason_code, "org_not_permitted");
}

TEST_F(RxTest, CancelBodyIsCheckedStrictly) {
  const std::string id = issue();
  const std::vector<std::pair<json, const char*>> cases = {
      {{{"rx_id", id}}, "missing_field"},
      {{{"rx_id", id.substr(2)}, {"reason", "r"}}, "bad_format"},
      {{{"rx_id", id}, {"reason", std::string(257, 'r')}}, "out_of_range"},
      {{{"rx_id", id}, {"reason", "patient 110101199003077571"}}, "patient_identifier_in_clear"},
      {{{"rx_id", id}, {"reason", 1}}, "wrong_type"},
      {{{"rx_id", id}, {"reason", "r"}, {"by", "me"}}, "unknown_field"},
  };
  for (const auto& [body, code] : cases) {
    SCOPED_TRACE(body.dump());
    EXPECT_EQ(f.run(doctor, "rx.cancel", body).reason_code, code);
  }
  EXPECT_EQ(rx(id)["status"], "issued");
}

}  // namespace
}  // namespace medtrail::contracts
