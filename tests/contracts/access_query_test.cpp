// access.query: the reader's own record of an API query, and who may ask what.
#include <string>

#include <gtest/gtest.h>

#include "contracts/contract_fixture.h"
#include "contracts/rx_fixture.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/signed_query.h"

namespace medtrail::contracts {
namespace {

using nlohmann::json;
using testing::ContractFixture;
using testing::Person;

const std::string kRecordTarget = "/v1/records/" + std::string(64, 'b');

class AccessQueryTest : public ::testing::Test {
 protected:
  json body(const std::string& target, const std::string& purpose = "audit") const {
    return {{"chain", ledger::to_hex(f.chain.chain_id)},
            {"node", "node-1"},
            {"method", "GET"},
            {"target", target},
            {"body_hash", std::string(64, '0')},
            {"purpose", purpose}};
  }
  ledger::ExecutionResult ask(const Person& who, const json& b) {
    return f.run(who, std::string(ledger::kAccessQueryKind), b);
  }
  // Both trails every query lands on, accepted or not.
  void expect_on_trails(const Person& who) {
    for (const std::string& subject : {"actor/" + who.id, "access/" + who.org}) {
      std::vector<uint64_t> leaves = f.index_of(subject);
      EXPECT_TRUE(!leaves.empty() && leaves.back() == f.last_leaf()) << subject;
    }
  }

  ContractFixture f;
};

TEST_F(AccessQueryTest, ARegulatorsAuditorAndInspectorReadWholeRecords) {
  for (const char* role : {"auditor", "inspector"}) {
    SCOPED_TRACE(role);
    Person reader = f.person("reg-a", std::string("r-") + role, role);
    ledger::ExecutionResult r = ask(reader, body(kRecordTarget));
    EXPECT_TRUE(r.accepted) << r.reason_code << ": " << r.reason;
    expect_on_trails(reader);
  }
}

TEST_F(AccessQueryTest, OthersAreRefusedWholeRecordsAndTheAttemptStaysOnTheirTrail) {
  // A pharmacist, a doctor, an auditor of a hospital (not a regulator), a cdc inspector.
  for (auto [org, role] : {std::pair{"pharm-a", "pharmacist"}, std::pair{"hosp-a", "doctor"},
                           std::pair{"hosp-a", "auditor"}, std::pair{"cdc-a", "inspector"}}) {
    SCOPED_TRACE(std::string(org) + " " + role);
    Person reader = f.person(org, std::string("p-") + role, role);
    ledger::ExecutionResult r = ask(reader, body(kRecordTarget, "treatment"));
    EXPECT_EQ(r.reason_code, "query_not_permitted");
    expect_on_trails(reader);
  }
}

// A C2SP entry bundle is up to 256 whole records: the whole-record rule, path in its one spelling.
TEST_F(AccessQueryTest, EntryBundlesAreReadByARegulatorsAuditorsAndInspectorsOnly) {
  for (const char* role : {"auditor", "inspector"}) {
    Person reader = f.person("reg-a", std::string("e-") + role, role);
    for (const char* target : {"/tile/entries/000", "/tile/entries/x001/234.p/17"}) {
      ledger::ExecutionResult r = ask(reader, body(target));
      EXPECT_TRUE(r.accepted) << role << " " << target << ": " << r.reason_code;
    }
  }
  for (auto [org, role] : {std::pair{"pharm-a", "pharmacist"}, std::pair{"hosp-a", "auditor"}}) {
    Person reader = f.person(org, std::string("e-") + role, role);
    EXPECT_EQ(ask(reader, body("/tile/entries/000")).reason_code, "query_not_permitted") << org << " " << role;
    expect_on_trails(reader);
  }
  Person auditor = f.person("reg-a", "e-zhao", "auditor");
  for (const char* target : {"/tile/entries/1", "/tile/entries/000?x=1", "/tile/0/000", "/tile/entries/000.p/0",
                             "/tile/entries"}) {
    EXPECT_EQ(ask(auditor, body(target)).reason_code, "unknown_query") << target;
  }
}

TEST_F(AccessQueryTest, EveryPersonMayListABlocksRecordIds) {
  Person pharmacist = f.person("pharm-a", "li", "pharmacist");
  ledger::ExecutionResult r = ask(pharmacist, body("/v1/blocks/12"));
  EXPECT_TRUE(r.accepted) << r.reason_code;
  expect_on_trails(pharmacist);
}

TEST_F(AccessQueryTest, KeysThatAreNotAPersonReadNothing) {
  EXPECT_EQ(ask(f.node(), body("/v1/blocks/1")).reason_code, "role_not_permitted");
  EXPECT_EQ(ask(f.admin("reg-a"), body(kRecordTarget)).reason_code, "role_not_permitted");
}

TEST_F(AccessQueryTest, AQuerySignedForAnotherChainIsRefused) {
  Person auditor = f.person("reg-a", "zhao", "auditor");
  json b = body(kRecordTarget);
  b["chain"] = std::string(64, 'c');
  EXPECT_EQ(ask(auditor, b).reason_code, "wrong_chain");
  expect_on_trails(auditor);
}

TEST_F(AccessQueryTest, TargetsTheApiDoesNotServeSignedAreRefused) {
  Person auditor = f.person("reg-a", "zhao", "auditor");
  for (const std::string& target :
       {"/v1/records/" + std::string(63, 'b'), "/v1/records/" + std::string(64, 'B'),
        "/v1/records/" + std::string(64, 'b') + "/x", std::string("/v1/blocks/"), std::string("/v1/blocks/1x"),
        std::string("/v1/status"), std::string("/v2/records/1"), std::string("/")}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(ask(auditor, body(target)).reason_code, "unknown_query");
  }
  json post = body("/v1/blocks/1");
  post["method"] = "POST";
  EXPECT_EQ(ask(auditor, post).reason_code, "unknown_query");
}

TEST_F(AccessQueryTest, AMalformedBodyIsRefusedByField) {
  Person auditor = f.person("reg-a", "zhao", "auditor");
  struct Case {
    const char* label;
    json body;
  };
  json extra = body(kRecordTarget);
  extra["patient"] = "x";
  json no_purpose = body(kRecordTarget);
  no_purpose.erase("purpose");
  json bad_purpose = body(kRecordTarget, "curiosity");
  json bad_target = body("records");
  json bad_hash = body(kRecordTarget);
  bad_hash["body_hash"] = "00";
  for (const Case& c : {Case{"extra", extra}, Case{"no purpose", no_purpose}, Case{"purpose", bad_purpose},
                        Case{"target", bad_target}, Case{"hash", bad_hash}}) {
    SCOPED_TRACE(c.label);
    EXPECT_EQ(ask(auditor, c.body).reason_code, "bad_field");
  }
}

// Who reads a prescription through the API; the read joins its read log and its patient's trail,
// not the prescription's own trail of steps.
TEST_F(AccessQueryTest, APrescriptionIsReadByPharmaciesItsHospitalAndRegulatorsOnly) {
  Person doctor = f.person("hosp-a", "dr-wang", "doctor");
  ledger::Envelope issue = f.sign(doctor, "rx.issue", rx_testing::issue_body());
  ASSERT_TRUE(f.run_block({issue}).at(0).accepted);
  const std::string id = ledger::record_id(issue).value();
  const std::string target = "/v1/prescriptions/" + id;
  struct Reader {
    std::string org, role, code;
  };
  for (const Reader& r : {Reader{"pharm-a", "pharmacist", ""}, Reader{"hosp-a", "pharmacist", ""},
                          Reader{"hosp-a", "doctor", ""}, Reader{"reg-a", "auditor", ""},
                          Reader{"hosp-b", "pharmacist", "query_not_permitted"},
                          Reader{"hosp-b", "doctor", "query_not_permitted"},
                          Reader{"pharm-a", "operator", "query_not_permitted"},
                          Reader{"cdc-a", "inspector", "query_not_permitted"}}) {
    SCOPED_TRACE(r.org + " " + r.role);
    Person reader = f.person(r.org, "q-" + r.role, r.role);
    ledger::ExecutionResult result = ask(reader, body(target, "dispensing"));
    EXPECT_EQ(result.reason_code, r.code) << result.reason;
    EXPECT_EQ(f.index_of("rx-reads/" + id).back(), f.last_leaf());
    EXPECT_EQ(f.index_of("patient/" + testing::kPatientRef).back(), f.last_leaf());
    expect_on_trails(reader);
  }
  EXPECT_EQ(f.index_of("rx/" + id).size(), 1u);  // the issue alone: eight reads, no step
  EXPECT_EQ(f.index_of("rx-reads/" + id).size(), 8u);
  // An id the chain does not know: asked and recorded; the node answers 404.
  Person pharmacist = f.person("pharm-b", "li", "pharmacist");
  EXPECT_TRUE(ask(pharmacist, body("/v1/prescriptions/" + std::string(64, 'd'), "dispensing")).accepted);
}

// Under genesis' prescription_flow "any_institution" another hospital's pharmacist serves the
// prescription, and so reads it; its doctors still do not.
TEST_F(AccessQueryTest, UnderTheOpenFlowAnotherHospitalsPharmacistReadsThePrescription) {
  f.chain.genesis.prescription_flow = std::string(ledger::kPrescriptionFlowAnyInstitution);
  Person doctor = f.person("hosp-a", "dr-wang", "doctor");
  ledger::Envelope issue = f.sign(doctor, "rx.issue", rx_testing::issue_body());
  ASSERT_TRUE(f.run_block({issue}).at(0).accepted);
  const std::string target = "/v1/prescriptions/" + ledger::record_id(issue).value();
  EXPECT_TRUE(ask(f.person("hosp-b", "ph-li", "pharmacist"), body(target, "dispensing")).accepted);
  EXPECT_EQ(ask(f.person("hosp-b", "dr-li", "doctor"), body(target, "treatment")).reason_code,
            "query_not_permitted");
}

TEST_F(AccessQueryTest, TrailsAreFollowedByRegulatorsOwnAuditorsDoctorsForCareAndEachPersonForTheirOwn) {
  const std::string patient = "/v1/audit/trails/patient/" + testing::kPatientRef;
  struct Ask {
    std::string org, role, target, purpose, code;
  };
  for (const Ask& a : {
           Ask{"reg-a", "auditor", patient, "audit", ""},
           Ask{"reg-a", "inspector", "/v1/audit/trails/org/pharm-a?kind=rx.dispense&after=7", "audit", ""},
           Ask{"pharm-a", "auditor", "/v1/audit/trails/org/pharm-a", "audit", ""},
           Ask{"pharm-a", "auditor", "/v1/audit/trails/access/pharm-a", "audit", ""},
           Ask{"pharm-a", "auditor", "/v1/audit/trails/actor/pharm-a/li", "audit", ""},
           Ask{"pharm-a", "auditor", "/v1/audit/trails/org/pharm-b", "audit", "query_not_permitted"},
           Ask{"pharm-a", "auditor", "/v1/audit/trails/actor/pharm-ab/li", "audit", "query_not_permitted"},
           Ask{"pharm-a", "auditor", patient, "audit", "query_not_permitted"},
           Ask{"reg-a", "auditor", "/v1/audit/trails/rx-reads/" + std::string(64, 'c'), "audit", ""},
           Ask{"pharm-a", "auditor", "/v1/audit/trails/rx-reads/" + std::string(64, 'c'), "audit", "query_not_permitted"},
           Ask{"hosp-a", "doctor", patient, "treatment", "no_consent"},  // granted: consent_test.cpp
           Ask{"hosp-a", "doctor", patient, "emergency", ""},
           Ask{"hosp-a", "doctor", patient, "research", "query_not_permitted"},
           Ask{"hosp-a", "doctor", "/v1/audit/trails/org/hosp-a", "treatment", "query_not_permitted"},
           Ask{"hosp-a", "pharmacist", "/v1/audit/trails/actor/hosp-a/t-pharmacist", "audit", ""},
           Ask{"reg-a", "auditor", "/v1/audit/trails/nosuch/x", "audit", "unknown_query"},
           Ask{"reg-a", "auditor", "/v1/audit/trails/org", "audit", "unknown_query"},
           Ask{"reg-a", "auditor", "/v1/audit/trails/identity/hosp-a", "audit", "unknown_query"},
           Ask{"reg-a", "auditor", "/v1/audit/trails/org/hosp%2Da", "audit", "unknown_query"},
       }) {
    SCOPED_TRACE(a.org + " " + a.role + " " + a.target + " " + a.purpose);
    Person reader = f.person(a.org, "t-" + a.role, a.role);
    EXPECT_EQ(ask(reader, body(a.target, a.purpose)).reason_code, a.code);
  }
  // A read of a patient's trail is on that trail.
  EXPECT_FALSE(f.index_of("patient/" + testing::kPatientRef).empty());
}

TEST_F(AccessQueryTest, TheChainIsSearchedByRegulatorsAndByAnOrganisationsAuditorWithinItsOwn) {
  struct Ask {
    std::string org, role, target, code;
  };
  for (const Ask& a : {
           Ask{"reg-a", "auditor", "/v1/audit/search?result=rejected", ""},
           Ask{"reg-a", "inspector", "/v1/audit/search?kind=rx.dispense&result=rejected&from=2026-12-01T00%3A00%3A00Z", ""},
           Ask{"reg-a", "auditor", "/v1/audit/search", ""},
           Ask{"pharm-a", "auditor", "/v1/audit/search?org=pharm-a&result=rejected", ""},
           Ask{"pharm-a", "auditor", "/v1/audit/search?kind=rx.dispense&org=pharm-a&after=12", ""},
           Ask{"pharm-a", "auditor", "/v1/audit/search?org=pharm-b", "query_not_permitted"},
           Ask{"pharm-a", "auditor", "/v1/audit/search?result=rejected", "query_not_permitted"},
           Ask{"pharm-a", "auditor", "/v1/audit/search?org=pharm-ab", "query_not_permitted"},
           Ask{"pharm-a", "auditor", "/v1/audit/search?org=pharm-a&org=pharm-b", "query_not_permitted"},
           Ask{"pharm-a", "auditor", "/v1/audit/search?xorg=pharm-a", "query_not_permitted"},
           Ask{"pharm-a", "auditor", "/v1/audit/search?org=pharm%2Da", "query_not_permitted"},
           Ask{"pharm-a", "pharmacist", "/v1/audit/search?org=pharm-a", "query_not_permitted"},
           Ask{"cdc-a", "inspector", "/v1/audit/search?result=rejected", "query_not_permitted"},
           Ask{"reg-a", "auditor", "/v1/audit/search/x", "unknown_query"},
           Ask{"reg-a", "auditor", "/v1/audit/searches", "unknown_query"},
       }) {
    SCOPED_TRACE(a.org + " " + a.role + " " + a.target);
    Person reader = f.person(a.org, "s-" + a.role, a.role);
    EXPECT_EQ(ask(reader, body(a.target)).reason_code, a.code);
    expect_on_trails(reader);
  }
}

}  // namespace
}  // namespace medtrail::contracts
