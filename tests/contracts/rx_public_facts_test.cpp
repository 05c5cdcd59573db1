// A prescription's public facts ("pub/rx/<id>", docs/contracts.md "Public facts"): written with
// every write of the prescription, through issue, review, dispenses, delivery, rejection and
// cancellation, and nothing in them that names the patient, a person, a drug or a diagnosis.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "contracts/rx_fixture.h"
#include "medtrail/contracts/state_codec.h"
#include "medtrail/ledger/public_facts.h"

namespace medtrail::contracts::rx_testing {
namespace {

class RxPublicFactsTest : public RxTest {
 protected:
  // Every prescription has exactly the facts its value gives, and no facts stand without one.
  void expect_public_facts_match_their_values() const {
    size_t values = 0;
    for (const auto& [key, bytes] : f.state.entries()) {
      if (!key.starts_with("rx/")) continue;
      ++values;
      SCOPED_TRACE(key);
      std::optional<rx::Prescription> value = decode_value<rx::Prescription>(bytes);
      ASSERT_TRUE(value.has_value());
      std::optional<std::string> stored = f.state.get(ledger::public_facts_key(key));
      ASSERT_TRUE(stored.has_value());
      EXPECT_EQ(*stored, encode_public(rx::public_view(*value)));
    }
    EXPECT_EQ(f.state.keys_with_prefix("pub/rx/").size(), values);
  }
  ledger::PublicFacts facts(const std::string& id) const {
    return ledger::decode_public_facts(f.state.get("pub/rx/" + id).value()).value();
  }
  std::string text(const std::string& id, const char* name) const {
    const ledger::PublicFacts all = facts(id);
    const std::string* t = ledger::public_fact<std::string>(all, name);
    return t ? *t : "(none)";
  }
  int64_t dispenses(const std::string& id) const {
    const ledger::PublicFacts all = facts(id);
    const int64_t* n = ledger::public_fact<int64_t>(all, "dispenses");
    return n ? *n : -1;
  }
};

TEST_F(RxPublicFactsTest, EveryStepOfAPrescriptionWritesItsPublicFactsInTheSameRecord) {
  const std::string id = issue();
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(id, "status"), "issued");
  EXPECT_EQ(text(id, "org"), "hosp-a");
  EXPECT_EQ(text(id, "issued_on"), format_date(today()));
  EXPECT_EQ(text(id, "valid_until"), format_date(rx(id)["valid_until_day"].get<int64_t>()));
  EXPECT_EQ(dispenses(id), 0);

  ASSERT_TRUE(review(pharmacist, id).accepted);
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(id, "status"), "approved");
  ASSERT_TRUE(dispense(pharmacist, id, {{{"drug_code", kDrug}, {"quantity", 20}}}).accepted);
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(id, "status"), "dispensing");
  EXPECT_EQ(dispenses(id), 1);
  ASSERT_TRUE(dispense(pharmacist, id, {{{"drug_code", kDrug2}, {"quantity", 10}}}).accepted);
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(id, "status"), "dispensed");
  EXPECT_EQ(dispenses(id), 2);
  ASSERT_TRUE(deliver(pharmacist, id).accepted);
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(id, "status"), "delivered");
  // The receipt, by the pharmacy that delivered it.
  ASSERT_TRUE(
      f.run(pharmacist, "rx.receipt", {{"rx_id", id}, {"confirmation", "in_person"}}).accepted);
  expect_public_facts_match_their_values();

  // A refused step writes nothing, its facts included.
  const std::string before = f.state.get("pub/rx/" + id).value();
  EXPECT_FALSE(dispense_all(pharmacist_b, id).accepted);
  EXPECT_EQ(f.state.get("pub/rx/" + id).value(), before);

  const std::string rejected = issue();
  ASSERT_TRUE(review(pharmacist, rejected, "rejected").accepted);
  EXPECT_EQ(text(rejected, "status"), "rejected");
  const std::string cancelled = issue();
  ASSERT_TRUE(cancel(doctor, cancelled).accepted);
  EXPECT_EQ(text(cancelled, "status"), "cancelled");
  expect_public_facts_match_their_values();
}

TEST_F(RxPublicFactsTest, TheFactsNameNoPatientPersonDrugOrDiagnosis) {
  const std::string id = approved();
  ASSERT_TRUE(dispense_all(pharmacist, id).accepted);
  ASSERT_TRUE(deliver(pharmacist, id).accepted);
  const std::string bytes = f.state.get("pub/rx/" + id).value();
  for (const std::string& secret :
       {kPatientRef, std::string("dr-wang"), std::string("ph-zhao"), kDrug, kDrug2,
        std::string("Amoxicillin"), std::string("J06.9"), std::string("SF1234567890")}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
  }
  std::set<std::string> names;
  for (const auto& [name, value] : facts(id)) names.insert(name);
  EXPECT_EQ(names,
            (std::set<std::string>{"dispenses", "issued_on", "org", "status", "valid_until"}));
}

}  // namespace
}  // namespace medtrail::contracts::rx_testing
