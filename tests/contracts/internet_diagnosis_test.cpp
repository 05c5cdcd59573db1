// 互联网诊疗管理办法（试行）(2018): governance licenses an institution for internet diagnosis; a
// doctor of 3 years' independent practice holds online consultations (visit.record) and writes
// online prescriptions, each following up an offline visit or prescription of the same patient at
// the same institution; a child under 6 online needs the guardian and a doctor with the child.
#include <gtest/gtest.h>

#include "contracts/contract_fixture.h"
#include "contracts/rx_fixture.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/visits.h"

namespace medtrail::contracts {
namespace {

using nlohmann::json;
using rx_testing::issue_body;
using testing::ContractFixture;
using testing::kPatientRef;
using testing::Person;

const std::string kOtherPatient = std::string(63, 'c') + "d";
const std::string kGuardian = std::string(63, 'e') + "f";

class InternetDiagnosisTest : public ::testing::Test {
 protected:
  // Granted or withdrawn with both regulators' approval (gov_approvals is 2 in the fixture).
  ledger::ExecutionResult decide(const std::string& action, const std::string& org) {
    json body = {{"action", action}, {"org_id", org}, {"licence", "internet_diagnosis"},
                 {"reason", "registered for internet diagnosis by the provincial commission"}};
    ledger::Envelope e = f.sign(f.admin("reg-a"), "gov.propose", body);
    ledger::ExecutionResult proposed = f.run_block({e}).at(0);
    if (!proposed.accepted) return proposed;
    return f.run(f.admin("reg-b"), "gov.approve", {{"proposal_id", ledger::record_id(e).value()}});
  }
  void license(const std::string& org = "hosp-a") {
    ledger::ExecutionResult r = decide("licence.grant", org);
    ASSERT_TRUE(r.accepted) << r.reason_code << ": " << r.reason;
  }
  ledger::ExecutionResult run(const Person& who, const std::string& kind, const json& body,
                              std::string* id = nullptr) {
    ledger::Envelope e = f.sign(who, kind, body);
    if (id != nullptr) *id = ledger::record_id(e).value();
    return f.run_block({e}).at(0);
  }
  std::string accepted(const Person& who, const std::string& kind, const json& body) {
    std::string id;
    ledger::ExecutionResult r = run(who, kind, body, &id);
    EXPECT_TRUE(r.accepted) << r.reason_code << ": " << r.reason;
    return id;
  }
  static json with_org(json body, const std::string& org) {
    body["org_id"] = org;
    return body;
  }
  json offline_visit(const std::string& patient = kPatientRef) {
    return {{"patient_ref", patient}, {"channel", "offline"}, {"diagnosis_code", "I10"}};
  }
  json online_visit(const std::string& follows) {
    return {{"patient_ref", kPatientRef}, {"channel", "online"}, {"follows", follows},
            {"note", "blood pressure stable on the current dose"}};
  }
  json online_rx(const std::string& follows) {
    json b = issue_body();
    b["channel"] = "online";
    b.erase("diagnosis_code");
    b["follows"] = follows;
    b["child_under_6"] = false;
    return b;
  }

  ContractFixture f;
  // 3 years of independent practice from 2023-11-23 are complete on 2026-11-23, the fixture's
  // day: practice from 2023-11-23 is just enough, from 2023-11-24 just too short.
  Person doctor = f.person("hosp-a", "dr-lin", "doctor", {{"practice_since", "2023-11-23"}});
  Person junior = f.person("hosp-a", "dr-xu", "doctor", {{"practice_since", "2023-11-24"}});
  Person unstated = f.person("hosp-a", "dr-he", "doctor");
  Person doctor_b = f.person("hosp-b", "dr-tang", "doctor", {{"practice_since", "2010-01-01"}});
  Person clinic_doctor = f.person("clinic-a", "dr-fu", "doctor", {{"practice_since", "2010-01-01"}});
  Person pharmacist = f.person("hosp-a", "ph-ma", "pharmacist");
};

TEST(Calendar, WholeYearsEndOnTheAnniversary) {
  EXPECT_EQ(format_date(add_years(*parse_date("2023-11-23"), 3)), "2026-11-23");
  EXPECT_EQ(format_date(add_years(*parse_date("2024-02-29"), 3)), "2027-03-01");
  EXPECT_EQ(format_date(add_years(*parse_date("2024-02-29"), 4)), "2028-02-29");
}

TEST_F(InternetDiagnosisTest, GovernanceGrantsAndWithdrawsTheLicence) {
  EXPECT_FALSE(holds_licence(f.state, "hosp-a", kInternetDiagnosis));
  json body = {{"action", "licence.grant"}, {"org_id", "hosp-a"}, {"licence", "internet_diagnosis"},
               {"reason", "registered"}};
  std::string proposal;
  ASSERT_TRUE(run(f.admin("reg-a"), "gov.propose", body, &proposal).accepted);
  // One regulator of the two needed: not yet.
  EXPECT_FALSE(holds_licence(f.state, "hosp-a", kInternetDiagnosis));
  ASSERT_TRUE(f.run(f.admin("reg-b"), "gov.approve", {{"proposal_id", proposal}}).accepted);
  EXPECT_TRUE(holds_licence(f.state, "hosp-a", kInternetDiagnosis));
  json stored = *f.state_json(licence_key("hosp-a", kInternetDiagnosis));
  EXPECT_EQ(stored["granted"], true);
  EXPECT_EQ(stored["decided_by"], proposal);
  // The decision, proposal and approval, is on the hospital's own trail.
  EXPECT_EQ(f.index_of("org/hosp-a").size(), 2u);
  EXPECT_EQ(f.index_of("org/hosp-a").back(), f.last_leaf());

  // Refused proposals stay off the organisation's trail: they may name one they are not about.
  EXPECT_EQ(decide("licence.grant", "hosp-a").reason_code, "already_licensed");
  EXPECT_EQ(f.index_of("org/hosp-a").size(), 2u);
  EXPECT_EQ(decide("licence.grant", "pharm-a").reason_code, "licence_not_for_org");
  EXPECT_EQ(decide("licence.grant", "hosp-z").reason_code, "unknown_org");
  EXPECT_EQ(decide("licence.withdraw", "hosp-b").reason_code, "not_licensed");
  EXPECT_TRUE(decide("licence.grant", "clinic-a").accepted);
  EXPECT_TRUE(f.index_of("org/hosp-z").empty());

  // Checked again when enacted: a second grant proposed while the first was open is refused then.
  std::string first, second;
  ASSERT_TRUE(run(f.admin("reg-a"), "gov.propose", with_org(body, "hosp-b"), &first).accepted);
  ASSERT_TRUE(run(f.admin("reg-a"), "gov.propose", with_org(body, "hosp-b"), &second).accepted);
  ASSERT_TRUE(f.run(f.admin("reg-b"), "gov.approve", {{"proposal_id", first}}).accepted);
  EXPECT_EQ(f.run(f.admin("reg-b"), "gov.approve", {{"proposal_id", second}}).reason_code, "already_licensed");

  json bad = body;
  bad["licence"] = "telemedicine";
  EXPECT_EQ(f.run(f.admin("reg-a"), "gov.propose", bad).reason_code, "bad_format");
  EXPECT_EQ(f.run(f.admin("hosp-a"), "gov.propose", body).reason_code, "org_not_permitted");

  const std::string visit = accepted(doctor, "visit.record", offline_visit());
  EXPECT_TRUE(run(doctor, "visit.record", online_visit(visit)).accepted);
  ASSERT_TRUE(decide("licence.withdraw", "hosp-a").accepted);
  EXPECT_FALSE(holds_licence(f.state, "hosp-a", kInternetDiagnosis));
  EXPECT_EQ(run(doctor, "visit.record", online_visit(visit)).reason_code, "not_licensed_online");
  EXPECT_EQ(run(doctor, "rx.issue", online_rx(visit)).reason_code, "not_licensed_online");
}

TEST_F(InternetDiagnosisTest, PracticeSinceIsADoctorsAttributeNotInTheFuture) {
  auto register_body = [&](const std::string& user, const std::string& role, const std::string& since) {
    return json{{"user_id", user},
                {"role", role},
                {"public_key", ledger::to_hex(ledger::ed25519_sha256().generate_keypair().value().public_key)},
                {"licence_no", "LIC-" + user},
                {"valid_from", "2026-01-01"},
                {"valid_until", "2030-12-31"},
                {"practice_since", since}};
  };
  EXPECT_TRUE(f.run(f.admin("hosp-a"), "identity.register", register_body("dr-new", "doctor", "2026-11-23")).accepted);
  EXPECT_EQ(f.state_json("id/hosp-a/dr-new")->at("practice_since"), "2026-11-23");
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", register_body("dr-late", "doctor", "2026-11-24")).reason_code,
            "out_of_range");
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", register_body("ph-new", "pharmacist", "2020-01-01")).reason_code,
            "qualification_not_for_role");
  EXPECT_EQ(f.run(f.admin("hosp-a"), "identity.register", register_body("dr-bad", "doctor", "2020-02-30")).reason_code,
            "bad_format");
}

TEST_F(InternetDiagnosisTest, AnOfflineVisitStatesItsDiagnosisAndLandsOnTheTrails) {
  std::string id;
  ASSERT_TRUE(run(doctor, "visit.record", offline_visit(), &id).accepted);
  json visit = *f.state_json(visit_key(id));
  EXPECT_EQ(visit["org"], "hosp-a");
  EXPECT_EQ(visit["doctor"], "hosp-a/dr-lin");
  EXPECT_EQ(visit["channel"], "offline");
  EXPECT_EQ(visit["diagnosis_code"], "I10");
  EXPECT_TRUE(visit["follows"].is_null());
  EXPECT_EQ(f.index_of(visit_key(id)).size(), 1u);
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 1u);
  EXPECT_EQ(f.index_of("org/hosp-a").size(), 1u);
  // No licence is needed offline, nor years of practice.
  EXPECT_TRUE(run(unstated, "visit.record", offline_visit()).accepted);
  EXPECT_TRUE(run(clinic_doctor, "visit.record", offline_visit()).accepted);

  json no_diagnosis = offline_visit();
  no_diagnosis.erase("diagnosis_code");
  EXPECT_EQ(run(doctor, "visit.record", no_diagnosis).reason_code, "missing_field");
  json follows_offline = offline_visit();
  follows_offline["follows"] = id;
  EXPECT_EQ(run(doctor, "visit.record", follows_offline).reason_code, "unknown_field");
  json resident_id = offline_visit("110101199003077571");
  EXPECT_EQ(run(doctor, "visit.record", resident_id).reason_code, "patient_identifier_in_clear");
  EXPECT_EQ(run(pharmacist, "visit.record", offline_visit()).reason_code, "role_not_permitted");
}

TEST_F(InternetDiagnosisTest, AnOnlineVisitFollowsAnOfflineOneOfThePatientHere) {
  license();
  const std::string visit = accepted(doctor, "visit.record", offline_visit());
  std::string online;
  ASSERT_TRUE(run(doctor, "visit.record", online_visit(visit), &online).accepted);
  json stored = *f.state_json(visit_key(online));
  EXPECT_EQ(stored["follows"], visit);
  EXPECT_TRUE(stored["diagnosis_code"].is_null());
  EXPECT_EQ(stored["note"], "blood pressure stable on the current dose");

  const std::string other_patient = accepted(doctor, "visit.record", offline_visit(kOtherPatient));
  const std::string elsewhere = accepted(doctor_b, "visit.record", offline_visit());
  const std::string offline_rx = accepted(doctor, "rx.issue", issue_body());
  json other_patients_body = issue_body();
  other_patients_body["patient_ref"] = kOtherPatient;
  const std::string other_patients_rx = accepted(doctor, "rx.issue", other_patients_body);
  const std::string other_hospitals_rx = accepted(doctor_b, "rx.issue", issue_body());
  const std::string cancelled_rx = accepted(doctor, "rx.issue", issue_body());
  ASSERT_TRUE(f.run(doctor, "rx.cancel", {{"rx_id", cancelled_rx}, {"reason", "issued in error"}}).accepted);
  struct Case {
    const char* name;
    std::string follows;
    const Person* who;
    const char* code;
  } cases[] = {
      {"an offline prescription", offline_rx, &doctor, ""},
      {"exactly 3 years of practice", visit, &doctor, ""},
      {"a day short of 3 years", visit, &junior, "practice_too_short"},
      {"no practice_since registered", visit, &unstated, "practice_too_short"},
      {"another patient's visit", other_patient, &doctor, "follow_up_mismatch"},
      {"another hospital's visit", elsewhere, &doctor, "follow_up_mismatch"},
      {"an online visit", online, &doctor, "follow_up_mismatch"},
      {"another patient's prescription", other_patients_rx, &doctor, "follow_up_mismatch"},
      {"another hospital's prescription", other_hospitals_rx, &doctor, "follow_up_mismatch"},
      {"a cancelled prescription", cancelled_rx, &doctor, "follow_up_mismatch"},
      {"nothing", std::string(64, 'a'), &doctor, "follow_up_not_found"},
      {"an unlicensed hospital", elsewhere, &doctor_b, "not_licensed_online"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ledger::ExecutionResult r = run(*c.who, "visit.record", online_visit(c.follows));
    EXPECT_EQ(r.reason_code, c.code) << r.reason;
  }
  json with_diagnosis = online_visit(visit);
  with_diagnosis["diagnosis_code"] = "I10";
  EXPECT_EQ(run(doctor, "visit.record", with_diagnosis).reason_code, "unknown_field");
  json without_follows = online_visit(visit);
  without_follows.erase("follows");
  EXPECT_EQ(run(doctor, "visit.record", without_follows).reason_code, "missing_field");
}

TEST_F(InternetDiagnosisTest, AnOnlinePrescriptionFollowsUpAndTakesTheDiagnosisOfThatRecord) {
  license();
  const std::string visit = accepted(doctor, "visit.record", offline_visit());
  std::string id;
  ASSERT_TRUE(run(doctor, "rx.issue", online_rx(visit), &id).accepted);
  json rx = *f.state_json(rx_key(id));
  EXPECT_EQ(rx["channel"], "online");
  EXPECT_EQ(rx["follows"], visit);
  EXPECT_EQ(rx["follow_up"], true);
  EXPECT_EQ(rx["child_under_6"], false);
  EXPECT_TRUE(rx["diagnosis_code"].is_null());

  auto with = [&](std::function<void(json&)> change) {
    json b = online_rx(visit);
    change(b);
    return run(doctor, "rx.issue", b);
  };
  EXPECT_EQ(with([](json& b) { b["diagnosis_code"] = "I10"; }).reason_code, "unknown_field");
  EXPECT_EQ(with([](json& b) { b.erase("follows"); }).reason_code, "online_needs_follow_up");
  EXPECT_EQ(with([](json& b) { b["follow_up"] = false; }).reason_code, "online_needs_follow_up");
  EXPECT_EQ(with([](json& b) { b.erase("child_under_6"); }).reason_code, "missing_field");
  EXPECT_EQ(with([&id](json& b) { b["follows"] = id; }).reason_code, "follow_up_mismatch");
  EXPECT_EQ(with([](json& b) { b["items"][1] = rx_testing::controlled("psychotropic_2", "other", 2); })
                .reason_code,
            "controlled_online");
  EXPECT_EQ(run(junior, "rx.issue", online_rx(visit)).reason_code, "practice_too_short");
  // Offline, none of the online fields.
  json offline = issue_body();
  offline["follows"] = visit;
  EXPECT_EQ(run(doctor, "rx.issue", offline).reason_code, "unknown_field");
  offline = issue_body();
  offline["child_under_6"] = false;
  EXPECT_EQ(run(doctor, "rx.issue", offline).reason_code, "unknown_field");
}

TEST_F(InternetDiagnosisTest, AChildUnderSixOnlineNeedsTheGuardianAndADoctorWithTheChild) {
  license();
  const std::string visit = accepted(doctor, "visit.record", offline_visit());
  Person community_doctor = f.person("clinic-a", "dr-cao", "doctor");
  Person expired_doctor = f.person("clinic-a", "dr-old", "doctor", "2020-01-01", "2025-12-31");
  Person vaccinator = f.person("clinic-a", "vac-wu", "vaccinator");
  auto child = [&](const std::string& guardian, const std::string& with_doctor) {
    json b = online_rx(visit);
    b["child_under_6"] = true;
    if (!guardian.empty()) b["guardian_ref"] = guardian;
    if (!with_doctor.empty()) b["accompanying_doctor"] = with_doctor;
    return run(doctor, "rx.issue", b);
  };
  EXPECT_TRUE(child(kGuardian, community_doctor.id).accepted);
  EXPECT_EQ(child("", community_doctor.id).reason_code, "guardian_required");
  EXPECT_EQ(child(kGuardian, "").reason_code, "guardian_required");
  EXPECT_EQ(child(kPatientRef, community_doctor.id).reason_code, "guardian_required");
  EXPECT_EQ(child(kGuardian, doctor.id).reason_code, "accompanying_doctor_invalid");
  EXPECT_EQ(child(kGuardian, expired_doctor.id).reason_code, "accompanying_doctor_invalid");
  EXPECT_EQ(child(kGuardian, vaccinator.id).reason_code, "accompanying_doctor_invalid");
  EXPECT_EQ(child(kGuardian, "clinic-a/nobody").reason_code, "accompanying_doctor_invalid");
  EXPECT_EQ(child("110101199003077571", community_doctor.id).reason_code, "patient_identifier_in_clear");

  json older = online_rx(visit);
  older["guardian_ref"] = kGuardian;
  EXPECT_EQ(run(doctor, "rx.issue", older).reason_code, "unknown_field");
}

}  // namespace
}  // namespace medtrail::contracts
