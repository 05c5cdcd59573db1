// The pseudonym service's signed query (ledger/pseudonym.h): who may ask for patient refs, for
// what purpose, and how many a day — every request, refused ones too, on the asker's trails.
#include <string>

#include <gtest/gtest.h>

#include "contracts/contract_fixture.h"
#include "medtrail/contracts/access.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/oprf.h"
#include "medtrail/ledger/pseudonym.h"
#include "medtrail/ledger/signed_query.h"

namespace medtrail::contracts {
namespace {

using nlohmann::json;
using testing::ContractFixture;
using testing::Person;
using testing::kPatientRef;

class PseudonymQueryTest : public ::testing::Test {
 protected:
  PseudonymQueryTest() {
    ledger::GenesisPseudonym service;
    service.org = "reg-a";
    const ledger::OprfServerKey key = ledger::oprf_generate_key_pair();
    service.public_key.assign(key.public_key.begin(), key.public_key.end());
    service.org_daily_limit = 5;
    service.person_daily_limit = 3;
    f.chain.genesis.pseudonym = service;
  }
  json body(size_t n, const std::string& purpose = "treatment") const {
    return {{"chain", ledger::to_hex(f.chain.chain_id)},
            {"node", "node-1"},
            {"method", "POST"},
            {"target", ledger::pseudonym_target(n)},
            {"body_hash", std::string(64, '0')},
            {"purpose", purpose}};
  }
  ledger::ExecutionResult ask(const Person& who, size_t n, const std::string& purpose = "treatment") {
    return f.run(who, std::string(ledger::kAccessQueryKind), body(n, purpose));
  }
  void expect_on_trails(const Person& who) {
    for (const std::string& subject : {"actor/" + who.id, "access/" + who.org, "pseudonym/" + who.org}) {
      std::vector<uint64_t> leaves = f.index_of(subject);
      EXPECT_TRUE(!leaves.empty() && leaves.back() == f.last_leaf()) << subject;
    }
  }

  ContractFixture f;
};

TEST_F(PseudonymQueryTest, PeopleWhoMeetPatientsMayAsk) {
  for (auto [org, role] : {std::pair{"hosp-a", "doctor"}, std::pair{"pharm-a", "pharmacist"},
                           std::pair{"cdc-a", "vaccinator"}, std::pair{"clinic-a", "operator"},
                           std::pair{"reg-b", "inspector"}, std::pair{"reg-b", "auditor"}}) {
    SCOPED_TRACE(std::string(org) + " " + role);
    Person who = f.person(org, std::string("p-") + role, role);
    ledger::ExecutionResult r = ask(who, 1);
    EXPECT_TRUE(r.accepted) << r.reason_code << ": " << r.reason;
    expect_on_trails(who);
  }
}

TEST_F(PseudonymQueryTest, OthersAreRefusedAndTheAttemptIsOnTheirTrails) {
  for (auto [org, role] : {std::pair{"hosp-a", "auditor"}, std::pair{"maker-a", "operator"},
                           std::pair{"disinf-a", "operator"}, std::pair{"insp-a", "inspector"}}) {
    SCOPED_TRACE(std::string(org) + " " + role);
    Person who = f.person(org, std::string("x-") + role, role);
    EXPECT_EQ(ask(who, 1).reason_code, "query_not_permitted");
    expect_on_trails(who);
  }
  EXPECT_EQ(f.run(f.node(), std::string(ledger::kAccessQueryKind), body(1)).reason_code, "role_not_permitted");
}

TEST_F(PseudonymQueryTest, ResearchDoesNotPseudonymiseNamedPeople) {
  Person doctor = f.person("hosp-a", "li", "doctor");
  EXPECT_EQ(ask(doctor, 1, "research").reason_code, "purpose_not_permitted");
  EXPECT_TRUE(ask(doctor, 1, "public_health").accepted);
}

TEST_F(PseudonymQueryTest, APersonsDailyLimitHoldsToTheLastEvaluation) {
  Person doctor = f.person("hosp-a", "li", "doctor");
  EXPECT_TRUE(ask(doctor, 2).accepted);
  EXPECT_EQ(ask(doctor, 2).reason_code, "pseudonym_limit_reached");  // 2 + 2 > 3
  EXPECT_TRUE(ask(doctor, 1).accepted);                              // exactly 3
  ledger::ExecutionResult over = ask(doctor, 1);
  EXPECT_EQ(over.reason_code, "pseudonym_limit_reached");
  expect_on_trails(doctor);
  // Refusals spend nothing; the next calendar day (+08:00) starts afresh.
  EXPECT_EQ(f.state_json(pseudonym_person_use_key(doctor.id))->at("count"), 3);
  f.set_time("2026-11-24T00:00:00+08:00");
  EXPECT_TRUE(ask(doctor, 3).accepted);
  EXPECT_EQ(f.state_json(pseudonym_person_use_key(doctor.id))->at("count"), 3);
}

TEST_F(PseudonymQueryTest, AnOrganisationsDailyLimitCountsAllItsPeople) {
  Person li = f.person("hosp-a", "li", "doctor");
  Person wang = f.person("hosp-a", "wang", "operator");
  Person zhao = f.person("hosp-a", "zhao", "pharmacist");
  EXPECT_TRUE(ask(li, 3).accepted);
  EXPECT_TRUE(ask(wang, 2).accepted);  // 5 of 5
  EXPECT_EQ(ask(zhao, 1).reason_code, "pseudonym_limit_reached");
  // Another organisation's allowance is its own.
  EXPECT_TRUE(ask(f.person("hosp-b", "sun", "doctor"), 3).accepted);
}

TEST_F(PseudonymQueryTest, WithoutAServiceInGenesisNothingIsEvaluated) {
  f.chain.genesis.pseudonym.reset();
  Person doctor = f.person("hosp-a", "li", "doctor");
  EXPECT_EQ(ask(doctor, 1).reason_code, "no_pseudonym_service");
  expect_on_trails(doctor);
}

TEST_F(PseudonymQueryTest, OnlyTheOneSpellingOfTheTargetIsAPseudonymQuery) {
  Person doctor = f.person("hosp-a", "li", "doctor");
  for (const std::string target :
       {"/v1/pseudonym/evaluate", "/v1/pseudonym/evaluate?n=0", "/v1/pseudonym/evaluate?n=01",
        "/v1/pseudonym/evaluate?n=65", "/v1/pseudonym/evaluate?n=1&n=2", "/v1/pseudonym/evaluate?m=1",
        "/v1/pseudonym/evaluate/?n=1"}) {
    SCOPED_TRACE(target);
    json b = body(1);
    b["target"] = target;
    EXPECT_EQ(f.run(doctor, std::string(ledger::kAccessQueryKind), b).reason_code, "unknown_query");
  }
  json get = body(1);
  get["method"] = "GET";
  EXPECT_EQ(f.run(doctor, std::string(ledger::kAccessQueryKind), get).reason_code, "unknown_query");
  EXPECT_TRUE(ask(doctor, 1).accepted);
}

// pseudonym.citizen: the service's node vouches for an identity check and the contract counts
// the citizen's requests by the node's keyed digest of who they are.
class CitizenPseudonymTest : public PseudonymQueryTest {
 protected:
  CitizenPseudonymTest() {
    f.chain.genesis.pseudonym->org = "hosp-a";  // the fixture's node is hosp-a/node-1
    f.chain.genesis.pseudonym->citizen_daily_limit = 2;
  }
  ledger::ExecutionResult record(const Person& who, const std::string& card) {
    return f.run(who, std::string(ledger::kCitizenPseudonymKind), json{{"card", card}});
  }
  const std::string card_a = std::string(64, 'a');
  const std::string card_b = std::string(64, 'b');
};

TEST_F(CitizenPseudonymTest, TheServicesNodeRecordsACitizenUpToTheDailyLimit) {
  EXPECT_TRUE(record(f.node(), card_a).accepted);
  EXPECT_TRUE(record(f.node(), card_a).accepted);
  ledger::ExecutionResult over = record(f.node(), card_a);
  EXPECT_EQ(over.reason_code, "pseudonym_limit_reached");
  EXPECT_EQ(f.index_of("pseudonym/hosp-a").back(), f.last_leaf());
  EXPECT_TRUE(record(f.node(), card_b).accepted);  // another citizen's own allowance
  f.set_time("2026-11-24T00:00:00+08:00");
  EXPECT_TRUE(record(f.node(), card_a).accepted);
}

TEST_F(CitizenPseudonymTest, OnlyTheServicesNodeVouchesAndNoPersonDoes) {
  f.chain.genesis.pseudonym->org = "reg-a";
  EXPECT_EQ(record(f.node(), card_a).reason_code, "not_pseudonym_service");
  f.chain.genesis.pseudonym->org = "hosp-a";
  EXPECT_EQ(record(f.person("hosp-a", "li", "doctor"), card_a).reason_code, "role_not_permitted");
  EXPECT_EQ(record(f.admin("hosp-a"), card_a).reason_code, "role_not_permitted");
  f.chain.genesis.pseudonym.reset();
  EXPECT_EQ(record(f.node(), card_a).reason_code, "no_pseudonym_service");
}

// A citizen's lookup of their own vaccination record counts with their ref requests and lands on
// their own trail.
TEST_F(CitizenPseudonymTest, ARecordLookupCountsAlikeAndLandsOnTheCitizensTrail) {
  const std::string kind(ledger::kCitizenPseudonymKind);
  EXPECT_TRUE(record(f.node(), card_a).accepted);
  EXPECT_TRUE(f.run(f.node(), kind, json{{"card", card_a}, {"patient_ref", kPatientRef}}).accepted);
  EXPECT_EQ(f.index_of("patient/" + kPatientRef), std::vector<uint64_t>{f.last_leaf()});
  EXPECT_EQ(f.run(f.node(), kind, json{{"card", card_a}, {"patient_ref", kPatientRef}}).reason_code,
            "pseudonym_limit_reached");
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 2u);  // the refused lookup too
  EXPECT_EQ(f.run(f.node(), kind, json{{"card", card_b}, {"patient_ref", "110101199003077571"}}).reason_code,
            "patient_identifier_in_clear");
  // Another member's node cannot put anything on the patient's trail.
  f.chain.genesis.pseudonym->org = "reg-a";
  EXPECT_EQ(f.run(f.node(), kind, json{{"card", card_b}, {"patient_ref", kPatientRef}}).reason_code,
            "not_pseudonym_service");
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 2u);
}

TEST_F(CitizenPseudonymTest, TheCardIsADigestNotAName) {
  EXPECT_EQ(record(f.node(), "card-0001").reason_code, "bad_format");
  EXPECT_EQ(record(f.node(), std::string(64, 'A')).reason_code, "bad_format");
  EXPECT_EQ(f.run(f.node(), std::string(ledger::kCitizenPseudonymKind), json{{"card", card_a}, {"id", "x"}})
                .reason_code,
            "unknown_field");
}

}  // namespace
}  // namespace medtrail::contracts
