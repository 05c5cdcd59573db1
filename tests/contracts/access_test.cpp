// access.read / access.justify: the access log of patient data and the break-glass follow-up.
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "contracts/contract_fixture.h"
#include "medtrail/contracts/access.h"

namespace medtrail::contracts {
namespace {

using nlohmann::json;
using testing::ContractFixture;
using testing::kPatientRef;
using testing::Person;

json read_body(const std::string& purpose = "treatment", const std::string& org = "hosp-a") {
  return {{"patient_ref", kPatientRef},
          {"actor", "hosp-a/dr-wang"},
          {"org", org},
          {"purpose", purpose},
          {"resources", {"MedicationRequest/rx-7", "Observation/obs.12"}},
          {"outcome", "success"}};
}

json justify_body(const std::string& event_id) {
  return {{"event_id", event_id}, {"justification", "unconscious patient admitted to the ER"}};
}

// A body change and the reason code it must draw.
struct BodyCase {
  std::string label;
  std::function<void(json&)> mutate;
  std::string code;
};

class AccessTest : public ::testing::Test {
 protected:
  AccessTest() : doctor(f.person("hosp-a", "dr-wang", "doctor")) {}

  // Runs a read in a block of its own and returns its record id.
  std::string read(const Person& who, const json& body) {
    ledger::Envelope e = f.sign(who, "access.read", body);
    EXPECT_TRUE(f.run_block({e}).at(0).accepted);
    return ledger::record_id(e).value();
  }
  std::string break_glass() { return read(f.node(), read_body("emergency")); }
  json event(const std::string& id) const { return f.state_json(access_event_key(id)).value(); }
  void expect_codes(const Person& who, const std::string& kind, const json& body,
                    const std::vector<BodyCase>& cases) {
    for (const BodyCase& c : cases) {
      SCOPED_TRACE(c.label);
      json b = body;
      c.mutate(b);
      ledger::ExecutionResult r = f.run(who, kind, b);
      EXPECT_EQ(r.reason_code, c.code);
      EXPECT_EQ(r.reason.find(kPatientRef), std::string::npos);  // never echoes patient data
    }
  }

  ContractFixture f;
  Person doctor;
};

// --- access.read -------------------------------------------------------------------------

TEST_F(AccessTest, NodeReportsAReadUnderPatientOrganisationAndActor) {
  read(f.node(), read_body());
  EXPECT_EQ(f.index_of("patient/" + kPatientRef), std::vector<uint64_t>{f.last_leaf()});
  EXPECT_EQ(f.index_of("access/hosp-a"), std::vector<uint64_t>{f.last_leaf()});
  EXPECT_EQ(f.index_of("actor/hosp-a/dr-wang"), std::vector<uint64_t>{f.last_leaf()});
  // Only break-glass reads keep state.
  EXPECT_TRUE(f.state.keys_with_prefix("acc/").empty());
}

TEST_F(AccessTest, PeopleOfAnyOrganisationMayReportTheirOwnReads) {
  json body = read_body("dispensing", "pharm-a");
  body["actor"] = "pharm-a/ph-li";
  body["outcome"] = "minor_failure";
  read(f.person("pharm-a", "ph-li", "pharmacist"), body);
  json audit = read_body("audit", "reg-a");
  audit["actor"] = "reg-a/aud-ma";
  read(f.person("reg-a", "aud-ma", "auditor"), audit);
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 2u);
}

TEST_F(AccessTest, NobodyPutsAReadIntoAnotherPersonsTrail) {
  // A person reports only their own reads.
  Person other = f.person("hosp-a", "dr-zhang", "doctor");
  EXPECT_EQ(f.run(other, "access.read", read_body()).reason_code, "actor_not_signer");
  // A node reports reads by people of its own organisation only.
  json foreign = read_body();
  foreign["actor"] = "hosp-b/dr-victim";
  EXPECT_EQ(f.run(f.node(), "access.read", foreign).reason_code, "org_mismatch");
  EXPECT_TRUE(f.index_of("actor/hosp-b/dr-victim").empty());
  EXPECT_TRUE(f.index_of("actor/hosp-a/dr-wang").empty());
  // The doctor's own report is accepted.
  EXPECT_TRUE(f.run(doctor, "access.read", read_body()).accepted);
}

TEST_F(AccessTest, OrganisationMustBeTheSignersOwn) {
  ledger::ExecutionResult r = f.run(f.node(), "access.read", read_body("treatment", "hosp-b"));
  EXPECT_EQ(r.reason_code, "org_mismatch");
  EXPECT_EQ(r.reason.find(kPatientRef), std::string::npos);
  // The refused report stays on the patient's trail.
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 1u);
}

TEST_F(AccessTest, AnAdminKeyDoesNotReportReads) {
  EXPECT_EQ(f.run(f.admin("hosp-a"), "access.read", read_body()).reason_code, "role_not_permitted");
}

TEST_F(AccessTest, EmergencyReadOpensABreakGlassEventDueIn24Hours) {
  const std::string id = break_glass();
  const json e = event(id);
  EXPECT_EQ(e["patient_ref"], kPatientRef);
  EXPECT_EQ(e["org"], "hosp-a");
  EXPECT_EQ(e["actor"], "hosp-a/dr-wang");
  EXPECT_EQ(e["at_ms"], f.now_ms());
  EXPECT_EQ(e["due_ms"], f.now_ms() + 24 * kMsPerHour);
  EXPECT_EQ(e["justified"], false);
  EXPECT_EQ(break_glass_flag(e, f.now_ms()), "pending");
}

TEST_F(AccessTest, ReadBodyIsCheckedStrictly) {
  std::vector<std::string> too_many;
  for (int i = 0; i < 51; ++i) too_many.push_back("Observation/o" + std::to_string(i));
  expect_codes(f.node(), "access.read", read_body(),
               {
                   {"no patient_ref", [](json& b) { b.erase("patient_ref"); }, "missing_field"},
                   {"no outcome", [](json& b) { b.erase("outcome"); }, "missing_field"},
                   {"resources text", [](json& b) { b["resources"] = "Observation/1"; }, "wrong_type"},
                   {"resource number", [](json& b) { b["resources"] = {7}; }, "wrong_type"},
                   {"org number", [](json& b) { b["org"] = 1; }, "wrong_type"},
                   {"extra field", [](json& b) { b["ip"] = "10.0.0.1"; }, "unknown_field"},
                   {"org too long", [](json& b) { b["org"] = std::string(65, 'h'); }, "out_of_range"},
                   {"no resources", [](json& b) { b["resources"] = json::array(); }, "too_few_items"},
                   {"51 resources", [&](json& b) { b["resources"] = too_many; }, "too_many_items"},
                   {"patient_ref short", [](json& b) { b["patient_ref"] = "abc"; }, "bad_format"},
                   {"actor no slash", [](json& b) { b["actor"] = "hosp-a"; }, "bad_format"},
                   {"actor upper", [](json& b) { b["actor"] = "hosp-a/Dr-Wang"; }, "bad_format"},
                   {"actor empty name", [](json& b) { b["actor"] = "hosp-a/"; }, "bad_format"},
                   {"actor two slashes", [](json& b) { b["actor"] = "hosp-a/dr/wang"; }, "bad_format"},
                   {"actor name too long", [](json& b) { b["actor"] = "hosp-a/" + std::string(65, 'd'); },
                    "bad_format"},
                   {"org upper", [](json& b) { b["org"] = "Hosp-A"; }, "bad_format"},
                   {"purpose", [](json& b) { b["purpose"] = "curiosity"; }, "bad_format"},
                   {"outcome", [](json& b) { b["outcome"] = "ok"; }, "bad_format"},
                   {"resource no id", [](json& b) { b["resources"] = {"Patient"}; }, "bad_format"},
                   {"resource type digit", [](json& b) { b["resources"] = {"Obs1/x"}; }, "bad_format"},
                   {"resource type too long",
                    [](json& b) { b["resources"] = {std::string(33, 'T') + "/x"}; }, "bad_format"},
                   {"resource id slash", [](json& b) { b["resources"] = {"Observation/a/b"}; }, "bad_format"},
                   {"resource twice",
                    [](json& b) { b["resources"] = {"Observation/1", "Observation/1"}; }, "bad_format"},
                   {"patient_ref resident id", [](json& b) { b["patient_ref"] = "110101199003077571"; },
                    "patient_identifier_in_clear"},
                   {"resource resident id",
                    [](json& b) { b["resources"] = {"Patient/110101199003077571"}; },
                    "patient_identifier_in_clear"},
               });
  EXPECT_TRUE(f.index_of("patient/" + kPatientRef).empty());
}

// --- access.justify ----------------------------------------------------------------------

TEST_F(AccessTest, JustificationWithin24HoursClearsTheEvent) {
  const std::string id = break_glass();
  f.advance_ms(24 * kMsPerHour);  // the due instant itself is in time
  ASSERT_TRUE(f.run(doctor, "access.justify", justify_body(id)).accepted);
  const json e = event(id);
  EXPECT_EQ(e["justified"], true);
  EXPECT_EQ(e["late"], false);
  EXPECT_EQ(e["justified_by"], "hosp-a/dr-wang");
  EXPECT_EQ(e["justified_at_ms"], f.now_ms());
  EXPECT_EQ(break_glass_flag(e, f.now_ms()), "justified");
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 2u);
  EXPECT_EQ(f.index_of("access/hosp-a").size(), 2u);
}

TEST_F(AccessTest, LateJustificationIsAcceptedAndMarkedLate) {
  const std::string id = break_glass();
  f.advance_ms(24 * kMsPerHour + 1);
  EXPECT_EQ(break_glass_flag(event(id), f.now_ms()), "overdue");
  ASSERT_TRUE(f.run(f.person("hosp-a", "op-qian", "operator"), "access.justify", justify_body(id)).accepted);
  EXPECT_EQ(event(id)["late"], true);
  EXPECT_EQ(break_glass_flag(event(id), f.now_ms()), "justified_late");
}

TEST_F(AccessTest, OnlyAnOpenBreakGlassEventOfOnesOwnOrganisationIsJustified) {
  EXPECT_EQ(f.run(doctor, "access.justify", justify_body(std::string(64, 'e'))).reason_code,
            "unknown_event");
  const std::string ordinary = read(f.node(), read_body());
  EXPECT_EQ(f.run(doctor, "access.justify", justify_body(ordinary)).reason_code, "unknown_event");

  const std::string id = break_glass();
  ledger::ExecutionResult other = f.run(f.person("hosp-b", "dr-zhang", "doctor"), "access.justify",
                                        justify_body(id));
  EXPECT_EQ(other.reason_code, "org_mismatch");
  EXPECT_EQ(other.reason.find(kPatientRef), std::string::npos);
  EXPECT_EQ(event(id)["justified"], false);

  ASSERT_TRUE(f.run(doctor, "access.justify", justify_body(id)).accepted);
  EXPECT_EQ(f.run(doctor, "access.justify", justify_body(id)).reason_code, "already_justified");
}

TEST_F(AccessTest, ANodeCannotJustify) {
  const std::string id = break_glass();
  EXPECT_EQ(f.run(f.node(), "access.justify", justify_body(id)).reason_code, "role_not_permitted");
}

TEST_F(AccessTest, JustifyBodyIsCheckedStrictly) {
  const std::string id = break_glass();
  expect_codes(doctor, "access.justify", justify_body(id),
               {
                   {"no event_id", [](json& b) { b.erase("event_id"); }, "missing_field"},
                   {"no justification", [](json& b) { b.erase("justification"); }, "missing_field"},
                   {"event_id number", [](json& b) { b["event_id"] = 1; }, "wrong_type"},
                   {"extra field", [](json& b) { b["late"] = false; }, "unknown_field"},
                   {"too long", [](json& b) { b["justification"] = std::string(1025, 'j'); }, "out_of_range"},
                   {"event_id upper", [&](json& b) { b["event_id"] = std::string(64, 'E'); }, "bad_format"},
                   {"event_id short", [](json& b) { b["event_id"] = "abcd"; }, "bad_format"},
                   {"resident id", [](json& b) { b["justification"] = "patient 110101199003077571"; },
                    "patient_identifier_in_clear"},
               });
  EXPECT_EQ(event(id)["justified"], false);
}

// --- break_glass_flag --------------------------------------------------------------------

TEST(AccessBreakGlassFlag, FlagFollowsJustificationAndDueTime) {
  const int64_t due = 1'000'000;
  struct Case {
    json state;
    int64_t now;
    std::string flag;
  };
  const std::vector<Case> cases = {
      {{{"justified", false}, {"due_ms", due}}, due, "pending"},
      {{{"justified", false}, {"due_ms", due}}, due + 1, "overdue"},
      {{{"justified", true}, {"late", false}, {"due_ms", due}}, due + 1, "justified"},
      {{{"justified", true}, {"late", true}, {"due_ms", due}}, due + 1, "justified_late"},
      {{{"justified", false}}, 0, "unknown"},
      {{{"justified", "no"}, {"due_ms", due}}, 0, "unknown"},
      {json::array(), 0, "unknown"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.state.dump());
    EXPECT_EQ(break_glass_flag(c.state, c.now), c.flag);
  }
}

// --- life cycle --------------------------------------------------------------------------

TEST_F(AccessTest, LifeCycleOfABreakGlassAccess) {
  read(f.node(), read_body());
  const std::string id = break_glass();
  f.advance_ms(2 * kMsPerHour);
  EXPECT_EQ(break_glass_flag(event(id), f.now_ms()), "pending");
  f.advance_ms(23 * kMsPerHour);
  EXPECT_EQ(break_glass_flag(event(id), f.now_ms()), "overdue");
  ASSERT_TRUE(f.run(doctor, "access.justify", justify_body(id)).accepted);
  EXPECT_EQ(break_glass_flag(event(id), f.now_ms()), "justified_late");
  EXPECT_EQ(f.run(doctor, "access.justify", justify_body(id)).reason_code, "already_justified");
  // The patient's trail: two reads, the justification and the refused second one.
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 4u);
  EXPECT_EQ(f.index_of("actor/hosp-a/dr-wang").size(), 2u);
  EXPECT_EQ(f.state.keys_with_prefix("acc/"), std::vector<std::string>{access_event_key(id)});
}

}  // namespace
}  // namespace medtrail::contracts
