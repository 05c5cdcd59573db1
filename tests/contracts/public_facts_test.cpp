// The public facts the contracts keep beside lots, doses and tableware batches ("pub/<key>",
// docs/contracts.md "Public facts"): written with every write of their value, and nothing in
// them that is not public.
#include "medtrail/ledger/public_facts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "contracts/sample_bodies.h"
#include "contracts/vaccine_fixture.h"
#include "medtrail/contracts/tableware.h"

namespace medtrail::contracts {
namespace {

using namespace vaccine_testing;

const std::string kBatch = "TW-20261123-01";

class PublicFactsTest : public VaccineTest {
 protected:
  PublicFactsTest() : tableware_op(f.person("disinf-a", "op-chen", "operator")) {}

  // Every lot, dose and batch has its public facts, exactly those its value gives, and no
  // public facts stand without their value.
  void expect_public_facts_match_their_values() const {
    size_t values = 0;
    for (const auto& [key, bytes] : f.state.entries()) {
      std::optional<ledger::PublicFacts> expected;
      if (key.starts_with("vlot/"))
        expected = vaccine::public_view(*decode_value<vaccine::Lot>(bytes));
      if (key.starts_with("vcode/"))
        expected = vaccine::public_view(*decode_value<vaccine::Dose>(bytes));
      if (key.starts_with("tw/"))
        expected = tableware::public_view(*decode_value<tableware::Batch>(bytes));
      if (!expected) continue;
      ++values;
      SCOPED_TRACE(key);
      std::optional<std::string> stored = f.state.get(ledger::public_facts_key(key));
      ASSERT_TRUE(stored.has_value());
      EXPECT_EQ(*stored, encode_public(*expected));
    }
    EXPECT_EQ(f.state.keys_with_prefix("pub/").size(), values);
  }
  ledger::PublicFacts public_facts(const std::string& key) const {
    return ledger::decode_public_facts(f.state.get(ledger::public_facts_key(key)).value()).value();
  }
  std::string text(const std::string& key, const char* name) const {
    const ledger::PublicFacts facts = public_facts(key);
    const std::string* t = ledger::public_fact<std::string>(facts, name);
    return t ? *t : "(none)";
  }
  std::optional<int64_t> integer(const std::string& key, const char* name) const {
    const ledger::PublicFacts facts = public_facts(key);
    const int64_t* n = ledger::public_fact<int64_t>(facts, name);
    return n ? std::optional<int64_t>(*n) : std::nullopt;
  }
  static std::string dose_key(const std::string& code) {
    return "vcode/" + *canonical_dose_code(code);
  }

  Person tableware_op;
};

TEST_F(PublicFactsTest, EveryWriteOfALotOrADoseWritesItsPublicFactsInTheSameRecord) {
  accept(maker, "vaccine.lot.register", lot_body());
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(kLotKey, "status"), "registered");
  accept(inspector, "vaccine.lot.release", release_body());
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(kLotKey, "decided_by_org"), "reg-a");
  const std::vector<std::string> codes = {gs1("SN1"), gs1("SN2"), gs1("SN3")};
  accept(maker, "vaccine.codes.add", codes_body(codes));
  expect_public_facts_match_their_values();
  accept(maker, "vaccine.ship", ship_body("CDC-SHIP-1", "cdc-a", codes));
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(dose_key(codes[0]), "status"), "in_transit");
  accept(cdc_op, "vaccine.receive", receive_body("CDC-SHIP-1"));
  accept(cdc_op, "vaccine.ship", ship_body("SHIP-1", "clinic-a", codes));
  accept(clinic_op, "vaccine.receive", receive_body("SHIP-1"));
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(dose_key(codes[0]), "holder"), "clinic-a");
  accept(nurse, "vaccine.administer", administer_body(codes[0]));
  expect_public_facts_match_their_values();
  accept(clinic_op, "vaccine.quarantine", quarantine_body({codes[1]}, "temperature"));
  expect_public_facts_match_their_values();
  accept(clinic_op, "vaccine.dispose", dispose_body({codes[1]}, "temperature"));
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(dose_key(codes[0]), "status"), "administered");
  EXPECT_EQ(integer(dose_key(codes[0]), "doses_given"), 1);
  EXPECT_EQ(text(dose_key(codes[1]), "disposal_witness_org"), "reg-a");

  accept(maker, "vaccine.recall", with(lot_ref(), "reason", "potency below specification"));
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(kLotKey, "status"), "recalled");
  EXPECT_EQ(integer(kLotKey, "recalled_at_ms"), f.now_ms());

  // Nothing private: no person's id, no patient, no free text a person wrote.
  for (const std::string& key : f.state.keys_with_prefix("pub/")) {
    const std::string bytes = *f.state.get(key);
    for (const std::string& secret :
         {maker.id, inspector.id, nurse.id, clinic_op.id, cdc_op.id, kPatientRef,
          std::string("left deltoid"), std::string("potency below"), std::string("temperature")}) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << key << " holds " << secret;
    }
  }
}

TEST_F(PublicFactsTest, AnOpenedVialShowsWhenItWasOpenedOnlyWhileItIsInUse) {
  accept(maker, "vaccine.lot.register",
         with(with(lot_body("2028-12-31", 6), "doses_per_code", 3), "open_vial_hours", 6));
  accept(inspector, "vaccine.lot.release", release_body());
  const std::string vial = gs1("SN1");
  accept(maker, "vaccine.codes.add", codes_body({vial}));
  stock_clinic({vial});
  EXPECT_EQ(integer(kLotKey, "open_vial_hours"), 6);
  EXPECT_EQ(integer(dose_key(vial), "opened_at_ms"), std::nullopt);
  const int64_t opened = f.now_ms();
  for (int i = 0; i < 3; ++i) {
    accept(nurse, "vaccine.administer",
           with(administer_body(vial), "patient_ref", std::string(63, 'b') + char('0' + i)));
    f.advance_ms(60'000);
    expect_public_facts_match_their_values();
    if (i < 2) {
      EXPECT_EQ(integer(dose_key(vial), "opened_at_ms"), opened);
    }
  }
  EXPECT_EQ(text(dose_key(vial), "status"), "administered");
  EXPECT_EQ(integer(dose_key(vial), "doses_given"), 3);
  EXPECT_EQ(integer(dose_key(vial), "opened_at_ms"), std::nullopt);
}

TEST_F(PublicFactsTest, ABatchsPublicFactsFollowItsStatusAndNotItsShipments) {
  const std::string key = tableware_key(kBatch);
  ASSERT_TRUE(
      f.run(tableware_op, "tableware.batch", testing::tableware_batch_body(kBatch)).accepted);
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(key, "status"), "passed");
  const std::string before = *f.state.get(ledger::public_facts_key(key));
  ASSERT_TRUE(f.run(tableware_op, "tableware.ship",
                    {{"batch_code", kBatch}, {"customer", "Lin family banquet"}, {"quantity", 10}})
                  .accepted);
  EXPECT_EQ(*f.state.get(ledger::public_facts_key(key)), before);
  expect_public_facts_match_their_values();
  EXPECT_EQ(before.find("Lin family"), std::string::npos);
  ASSERT_TRUE(f.run(tableware_op, "tableware.recall",
                    {{"batch_code", kBatch}, {"reason", "coliforms found"}})
                  .accepted);
  expect_public_facts_match_their_values();
  EXPECT_EQ(text(key, "status"), "recalled");
  EXPECT_EQ(integer(key, "recalled_at_ms"), f.now_ms());
  EXPECT_EQ(f.state.get(ledger::public_facts_key(key))->find("coliforms"), std::string::npos);
}

}  // namespace
}  // namespace medtrail::contracts
