// vaccine.* supply side: lot register and release, codes.add, ship and receive with cold-chain
// checks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "contracts/vaccine_fixture.h"
#include "medtrail/contracts/vaccine.h"

namespace medtrail::contracts {
namespace {

using namespace vaccine_testing;  // NOLINT: test helpers

// --- vaccine.lot.register --------------------------------------------------------------------

TEST_F(VaccineTest, ManufacturerRegistersALot) {
  EXPECT_EQ(run(maker, "vaccine.lot.register", lot_body()), "accepted");
  auto lot = f.state_json(kLotKey);
  ASSERT_TRUE(lot);
  EXPECT_EQ((*lot)["status"], "registered");
  EXPECT_EQ((*lot)["owner"], "maker-a");
  EXPECT_EQ((*lot)["expiry"], "2028-12-31");
  EXPECT_EQ((*lot)["dose_count"], 100);
  EXPECT_EQ((*lot)["storage_min_c"], "2.0");
  EXPECT_EQ((*lot)["storage_max_c"], "8.0");
  EXPECT_EQ((*lot)["code_count"], 0);
  EXPECT_EQ(f.index_of(kLotKey).size(), 1u);
  EXPECT_EQ(f.index_of("org/maker-a").size(), 1u);
}

TEST_F(VaccineTest, LotRegisterRules) {
  EXPECT_EQ(run(maker, "vaccine.lot.register", lot_body("2026-11-22")), "lot_expired");
  EXPECT_EQ(run(maker, "vaccine.lot.register", lot_body("2026-11-23")),
            "accepted");  // expires today
  EXPECT_EQ(run(maker, "vaccine.lot.register", lot_body()), "lot_exists");
  EXPECT_EQ(run(f.person("maker-a", "vac", "vaccinator"), "vaccine.lot.register", lot_body()),
            "role_not_permitted");
  EXPECT_EQ(run(clinic_op, "vaccine.lot.register", lot_body()), "org_not_permitted");
  EXPECT_EQ(f.index_of(kLotKey).size(), 3u);  // refusals by the handler stay on the lot's trail
}

TEST_F(VaccineTest, LotRegisterBodyIsCheckedStrictly) {
  const BodyCase cases[] = {
      {"no product code", without(lot_body(), "product_code"), "missing_field"},
      {"bad check digit", with(lot_body(), "product_code", "06901234567893"), "bad_format"},
      {"13 digits", with(lot_body(), "product_code", "6901234567892"), "bad_format"},
      {"numeric product code", with(lot_body(), "product_code", 6901234567892), "wrong_type"},
      {"name not text", with(lot_body(), "product_name", 5), "wrong_type"},
      {"name too long", with(lot_body(), "product_name", std::string(129, 'x')), "out_of_range"},
      {"name with id number", with(lot_body(), "product_name", "for 110101199003077571"),
       "patient_identifier_in_clear"},
      {"lot too long", with(lot_body(), "lot", std::string(21, 'L')), "out_of_range"},
      {"lot charset", with(lot_body(), "lot", "L/1"), "bad_format"},
      {"no expiry", without(lot_body(), "expiry"), "missing_field"},
      {"unreal expiry", with(lot_body(), "expiry", "2028-02-30"), "bad_format"},
      {"no doses", with(lot_body(), "dose_count", 0), "out_of_range"},
      {"too many doses", with(lot_body(), "dose_count", 10'000'001), "out_of_range"},
      {"fractional doses", with(lot_body(), "dose_count", 1.5), "wrong_type"},
      {"no storage minimum", without(lot_body(), "storage_min_c"), "missing_field"},
      {"no storage maximum", without(lot_body(), "storage_max_c"), "missing_field"},
      {"storage as float", with(lot_body(), "storage_max_c", 8.0), "wrong_type"},
      {"storage two decimals", with(lot_body(), "storage_min_c", "2.05"), "bad_format"},
      {"storage below -100", with(lot_body(), "storage_min_c", "-100.1"), "out_of_range"},
      {"storage minimum at maximum", with(lot_body(), "storage_min_c", "8.0"), "out_of_range"},
      {"storage minimum above maximum", with(lot_body(), "storage_min_c", "9"), "out_of_range"},
      {"extra field", with(lot_body(), "colour", "red"), "unknown_field"},
  };
  for (const BodyCase& c : cases)
    EXPECT_EQ(run(maker, "vaccine.lot.register", c.body), c.expected) << c.name;
  EXPECT_EQ(run(maker, "vaccine.lot.register", with(lot_body(), "dose_count", 10'000'000)),
            "accepted");
}

// --- vaccine.lot.release ---------------------------------------------------------------------

TEST_F(VaccineTest, RegulatorReleasesOrDeniesALotOnce) {
  EXPECT_EQ(run(inspector, "vaccine.lot.release", release_body()), "unknown_lot");
  accept(maker, "vaccine.lot.register", lot_body());
  EXPECT_EQ(run(inspector, "vaccine.lot.release", without(release_body(), "certificate_no")),
            "missing_field");
  EXPECT_EQ(run(inspector, "vaccine.lot.release", release_body()), "accepted");
  auto lot = f.state_json(kLotKey);
  EXPECT_EQ((*lot)["status"], "released");
  EXPECT_EQ((*lot)["certificate_no"], "SJ20260001");
  EXPECT_EQ((*lot)["decided_by"], "reg-a/insp-liu");
  EXPECT_EQ(run(f.admin("reg-b"), "vaccine.lot.release", release_body("denied")),
            "already_decided");
  EXPECT_EQ((*f.state_json(kLotKey))["status"], "released");
}

TEST_F(VaccineTest, DeniedLotNeedsNoCertificateAndStaysDenied) {
  accept(maker, "vaccine.lot.register", lot_body());
  EXPECT_EQ(run(f.admin("reg-a"), "vaccine.lot.release", release_body("denied")), "accepted");
  EXPECT_EQ((*f.state_json(kLotKey))["status"], "denied");
  EXPECT_EQ(run(inspector, "vaccine.lot.release", release_body()), "already_decided");
}

TEST_F(VaccineTest, RecalledLotCannotBeReleased) {
  accept(maker, "vaccine.lot.register", lot_body());
  accept(maker, "vaccine.recall", with(lot_ref(), "reason", "sterility failure"));
  EXPECT_EQ(run(inspector, "vaccine.lot.release", release_body()), "lot_recalled");
}

TEST_F(VaccineTest, LotReleaseSignersAndBody) {
  accept(maker, "vaccine.lot.register", lot_body());
  EXPECT_EQ(run(f.person("reg-a", "op", "operator"), "vaccine.lot.release", release_body()),
            "role_not_permitted");
  EXPECT_EQ(run(f.person("insp-a", "insp", "inspector"), "vaccine.lot.release", release_body()),
            "org_not_permitted");
  const BodyCase cases[] = {
      {"no decision", without(release_body(), "decision"), "missing_field"},
      {"unknown decision", with(release_body(), "decision", "approved"), "bad_format"},
      {"certificate too long", with(release_body(), "certificate_no", std::string(65, 'C')),
       "out_of_range"},
      {"no lot", without(release_body(), "lot"), "missing_field"},
      {"extra field", with(release_body(), "note", "x"), "unknown_field"},
  };
  for (const BodyCase& c : cases)
    EXPECT_EQ(run(inspector, "vaccine.lot.release", c.body), c.expected) << c.name;
}

// --- vaccine.codes.add -----------------------------------------------------------------------

TEST_F(VaccineTest, OwnerAddsCodesInBothForms) {
  accept(maker, "vaccine.lot.register", lot_body());
  EXPECT_EQ(run(maker, "vaccine.codes.add",
                codes_body({gs1("000001"), digits20(1), gs1("000002", "281200")})),
            "accepted");
  auto dose = f.state_json("vcode/" + canonical("000001"));
  ASSERT_TRUE(dose);
  EXPECT_EQ(set_fields(*dose), (json{{"lot", kLotKey},
                                     {"holder", "maker-a"},
                                     {"status", "in_stock"},
                                     {"legs", json::array()},
                                     {"administrations", json::array()},
                                     {"added_at_ms", f.now_ms()}}));
  EXPECT_TRUE(f.state_json("vcode/" + digits20(1)));
  EXPECT_EQ((*f.state_json(kLotKey))["code_count"], 3);
  EXPECT_EQ(f.index_of(kLotKey).size(), 2u);
  EXPECT_TRUE(f.index_of("vcode/" + canonical("000001")).empty());
}

TEST_F(VaccineTest, CodesAddRules) {
  EXPECT_EQ(run(maker, "vaccine.codes.add", codes_body({gs1("1")})), "unknown_lot");
  accept(maker, "vaccine.lot.register", lot_body("2028-12-31", 3));
  const BodyCase cases[] = {
      {"other lot", codes_body({gs1("1", "281231", "L2026B")}), "code_lot_mismatch"},
      {"other expiry", codes_body({gs1("1", "281230")}), "code_lot_mismatch"},
      {"other month", codes_body({gs1("1", "281031")}), "code_lot_mismatch"},
      {"other product", codes_body({gs1("1", "281231", kLot, kOtherGtin)}), "code_lot_mismatch"},
      {"same dose twice", codes_body({gs1("1"), gs1("1", "281200")}), "bad_format"},
      {"too many", codes_body({gs1("1"), gs1("2"), digits20(1), digits20(2)}),
       "dose_count_exceeded"},
  };
  for (const BodyCase& c : cases)
    EXPECT_EQ(run(maker, "vaccine.codes.add", c.body), c.expected) << c.name;
  EXPECT_EQ(run(maker, "vaccine.codes.add", codes_body({gs1("1"), gs1("2")})), "accepted");
  EXPECT_EQ(run(maker, "vaccine.codes.add", codes_body({gs1("1")})), "code_exists");
  EXPECT_EQ(run(maker, "vaccine.codes.add", codes_body({digits20(1), digits20(2)})),
            "dose_count_exceeded");
  EXPECT_EQ(run(maker, "vaccine.codes.add", codes_body({digits20(1)})), "accepted");
  EXPECT_EQ((*f.state_json(kLotKey))["code_count"], 3);
  EXPECT_FALSE(f.state_json("vcode/" + digits20(2)));  // the refused record wrote nothing
}

TEST_F(VaccineTest, OnlyTheLotOwnerAddsCodes) {
  accept(maker, "vaccine.lot.register", lot_body());
  json lot = *f.state_json(kLotKey);
  lot["owner"] = "maker-b";
  f.put_state_json(kLotKey, lot);
  EXPECT_EQ(run(maker, "vaccine.codes.add", codes_body({gs1("1")})), "not_lot_owner");
  EXPECT_EQ(run(clinic_op, "vaccine.codes.add", codes_body({gs1("1")})), "org_not_permitted");
}

TEST_F(VaccineTest, CodesAddBodyIsCheckedStrictly) {
  accept(maker, "vaccine.lot.register", lot_body());
  const BodyCase cases[] = {
      {"no codes", without(codes_body({}), "codes"), "missing_field"},
      {"empty list", codes_body({}), "too_few_items"},
      {"not a list", with(lot_ref(), "codes", gs1("1")), "wrong_type"},
      {"not a string", with(lot_ref(), "codes", json::array({1})), "wrong_type"},
      {"19 digits", codes_body({"8123456789012345678"}), "bad_format"},
      {"gtin check digit", codes_body({gs1("1", "281231", kLot, "06901234567893")}), "bad_format"},
      {"serial charset", codes_body({gs1("1/2")}), "bad_format"},
      {"repeated text", codes_body({digits20(1), digits20(1)}), "bad_format"},
      {"extra field", with(codes_body({gs1("1")}), "x", 1), "unknown_field"},
  };
  for (const BodyCase& c : cases)
    EXPECT_EQ(run(maker, "vaccine.codes.add", c.body), c.expected) << c.name;
}

TEST_F(VaccineTest, CodeListsHoldAtMostTenThousand) {
  accept(maker, "vaccine.lot.register", lot_body("2028-12-31", 10000));
  std::vector<std::string> codes;
  for (int i = 1; i <= 10000; ++i) codes.push_back(digits20(i));
  EXPECT_TRUE(direct(maker, "vaccine.codes.add", codes_body(codes)).accepted);
  codes.push_back(digits20(10001));
  EXPECT_EQ(direct(maker, "vaccine.codes.add", codes_body(codes)).reason_code, "too_many_items");
  EXPECT_EQ(direct(maker, "vaccine.ship", ship_body("S", "clinic-a", codes)).reason_code,
            "too_many_items");
  EXPECT_EQ(direct(maker, "vaccine.quarantine", quarantine_body(codes)).reason_code,
            "too_many_items");
}

// --- vaccine.ship ----------------------------------------------------------------------------

TEST_F(VaccineTest, ShippingPutsDosesInTransit) {
  auto codes = lot_with_codes(2);
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-1", "cdc-a", codes)), "accepted");
  auto dose = f.state_json("vcode/" + canonical("SN1"));
  EXPECT_EQ((*dose)["status"], "in_transit");
  EXPECT_EQ((*dose)["shipment"], "SHIP-1");
  EXPECT_EQ((*dose)["holder"], "maker-a");
  auto shipment = f.state_json("vship/SHIP-1");
  ASSERT_TRUE(shipment);
  EXPECT_EQ((*shipment)["from"], "maker-a");
  EXPECT_EQ((*shipment)["to"], "cdc-a");
  EXPECT_EQ((*shipment)["status"], "in_transit");
  EXPECT_EQ((*shipment)["codes"], json::array({canonical("SN1"), canonical("SN2")}));
  EXPECT_EQ(f.index_of("vship/SHIP-1").size(), 1u);
  EXPECT_EQ(f.index_of("org/cdc-a").size(), 1u);
  EXPECT_EQ(citizen_status(codes[0]), "in_transit");
}

TEST_F(VaccineTest, ShipRules) {
  auto codes = lot_with_codes(3);
  stock_clinic({codes[0]}, "SHIP-1");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-1", "cdc-a", {codes[1]})),
            "shipment_exists");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-2", "nowhere", {codes[1]})), "unknown_org");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-2", "cdc-a", {gs1("SN9")})),
            "unknown_code");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-2", "cdc-a", {gs1("SN2", "281230")})),
            "code_lot_mismatch");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-2", "cdc-a", {codes[1], codes[0]})),
            "not_holder");
  EXPECT_EQ(status_of(codes[1]), "in_stock");  // a refused shipment moves nothing
  EXPECT_FALSE(f.state_json("vship/SHIP-2"));
  accept(maker, "vaccine.quarantine", quarantine_body({codes[2]}));
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-2", "cdc-a", {codes[2]})),
            "code_quarantined");
  accept(nurse, "vaccine.administer", administer_body(codes[0]));
  EXPECT_EQ(run(clinic_op, "vaccine.ship", ship_body("SHIP-2", "cdc-a", {codes[0]})),
            "code_reused");
  accept(maker, "vaccine.ship", ship_body("SHIP-3", "cdc-a", {codes[1]}));
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-4", "cdc-a", {codes[1]})), "not_holder");
}

// VAL art. 35: maker -> disease-control centre -> vaccination site, and nobody else supplies a site.
TEST_F(VaccineTest, DosesTravelTheSupplyChainTheLawSets) {
  auto codes = lot_with_codes(4);
  const std::string refused = "supply_route_not_allowed";
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("S1", "clinic-a", {codes[0]})), refused);
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("S1", "hosp-a", {codes[0]})), refused);
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("S1", "pharm-a", {codes[0]})), refused);
  EXPECT_EQ(status_of(codes[0]), "in_stock");  // refused before any dose moved
  stock_cdc(codes, "S1");
  EXPECT_EQ(run(cdc_op, "vaccine.ship", ship_body("S2", "pharm-a", {codes[0]})), refused);
  EXPECT_EQ(run(cdc_op, "vaccine.ship", ship_body("S2", "maker-a", {codes[0]})), refused);
  EXPECT_EQ(run(cdc_op, "vaccine.ship", ship_body("S2", "hosp-a", {codes[0]})), "accepted");
  accept(cdc_op, "vaccine.ship", ship_body("S3", "clinic-a", {codes[1], codes[2]}));
  accept(clinic_op, "vaccine.receive", receive_body("S3"));
  // A site never supplies another site, but may send doses back to the centre.
  EXPECT_EQ(run(clinic_op, "vaccine.ship", ship_body("S4", "clinic-b", {codes[1]})), refused);
  EXPECT_EQ(run(clinic_op, "vaccine.ship", ship_body("S4", "cdc-a", {codes[1]})), "accepted");
}

TEST_F(VaccineTest, OnlyReleasedUnexpiredUnrecalledLotsShip) {
  auto codes = lot_with_codes(1, "");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("S", "cdc-a", codes)), "lot_not_released");
  accept(inspector, "vaccine.lot.release", release_body("denied"));
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("S", "cdc-a", codes)), "lot_not_released");
  EXPECT_EQ(citizen_status(codes[0]), "not_released");
}

TEST_F(VaccineTest, ExpiredOrRecalledLotDoesNotShip) {
  auto codes = lot_with_codes(1);
  f.set_time("2029-01-01T00:00:00+08:00");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("S", "cdc-a", codes)), "lot_expired");
  f.set_time("2028-12-31T23:59:59+08:00");
  accept(maker, "vaccine.recall", with(lot_ref(), "reason", "potency below specification"));
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("S", "cdc-a", codes)), "lot_recalled");
}

TEST_F(VaccineTest, ShipBodyIsCheckedStrictly) {
  auto codes = lot_with_codes(1);
  const BodyCase cases[] = {
      {"no id", without(ship_body("S", "clinic-a", codes), "shipment_id"), "missing_field"},
      {"id charset", ship_body("S/1", "clinic-a", codes), "bad_format"},
      {"id too long", ship_body(std::string(65, 'S'), "clinic-a", codes), "out_of_range"},
      {"org charset", ship_body("S", "Clinic-A", codes), "bad_format"},
      {"no codes", without(ship_body("S", "clinic-a", codes), "codes"), "missing_field"},
      {"empty codes", ship_body("S", "clinic-a", {}), "too_few_items"},
      {"bad code", ship_body("S", "clinic-a", {"12345"}), "bad_format"},
      {"extra field", with(ship_body("S", "clinic-a", codes), "via", "air"), "unknown_field"},
  };
  for (const BodyCase& c : cases)
    EXPECT_EQ(run(maker, "vaccine.ship", c.body), c.expected) << c.name;
  EXPECT_EQ(run(nurse, "vaccine.ship", ship_body("S", "clinic-b", codes)), "role_not_permitted");
}

// --- vaccine.receive -------------------------------------------------------------------------

TEST_F(VaccineTest, ConsigneeReceivesWithACompliantColdChain) {
  auto codes = lot_with_codes(2);
  stock_cdc(codes, "CDC-SHIP-1");
  accept(cdc_op, "vaccine.ship", ship_body("SHIP-1", "clinic-a", codes));
  EXPECT_EQ(run(nurse, "vaccine.receive", receive_body("SHIP-1", cold_chain("2.0", "8.0"))),
            "accepted");
  auto dose = f.state_json("vcode/" + canonical("SN2"));
  EXPECT_EQ((*dose)["status"], "in_stock");
  EXPECT_EQ((*dose)["holder"], "clinic-a");
  EXPECT_TRUE((*dose)["shipment"].is_null());
  auto shipment = f.state_json("vship/SHIP-1");
  EXPECT_EQ((*shipment)["status"], "received");
  EXPECT_EQ((*shipment)["cold_chain"]["min_c"], "2.0");
  EXPECT_EQ((*shipment)["cold_chain"]["max_c"], "8.0");
  EXPECT_EQ(f.index_of("vship/SHIP-1").size(), 2u);
  EXPECT_EQ(citizen_status(codes[1]), "in_stock");
}

TEST_F(VaccineTest, ADoseRemembersEveryLegItTravelled) {
  auto codes = lot_with_codes(2);
  stock_clinic({codes[0]}, "SHIP-1");
  EXPECT_EQ((*f.state_json("vcode/" + canonical("SN1")))["legs"],
            json::array({"CDC-SHIP-1", "SHIP-1"}));
  EXPECT_EQ((*f.state_json("vcode/" + canonical("SN2")))["legs"], json::array());
  // Back from the clinic to the centre.
  accept(clinic_op, "vaccine.ship", ship_body("SHIP-2", "cdc-a", {codes[0]}));
  EXPECT_EQ((*f.state_json("vcode/" + canonical("SN1")))["legs"],
            json::array({"CDC-SHIP-1", "SHIP-1", "SHIP-2"}));
}

TEST_F(VaccineTest, ADoseTravelsAtMost64Legs) {
  auto codes = lot_with_codes(1);
  json dose = *f.state_json("vcode/" + canonical("SN1"));
  dose["legs"] = json::array();
  for (size_t i = 0; i < vaccine::kMaxDoseLegs; ++i) dose["legs"].push_back("OLD-" + std::to_string(i));
  f.put_state_json("vcode/" + canonical("SN1"), dose);
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-65", "cdc-a", codes)), "too_many_legs");
  EXPECT_FALSE(f.state_json("vship/SHIP-65"));
}

TEST_F(VaccineTest, ReceiveRules) {
  auto codes = lot_with_codes(1);
  EXPECT_EQ(run(cdc_op, "vaccine.receive", receive_body("SHIP-1")), "unknown_shipment");
  accept(maker, "vaccine.ship", ship_body("SHIP-1", "cdc-a", codes));
  EXPECT_EQ(run(nurse_b, "vaccine.receive", receive_body("SHIP-1")), "not_consignee");
  EXPECT_EQ(run(maker, "vaccine.receive", receive_body("SHIP-1")), "not_consignee");
  EXPECT_EQ(run(cdc_op, "vaccine.receive", receive_body("SHIP-1")), "accepted");
  EXPECT_EQ(run(cdc_op, "vaccine.receive", receive_body("SHIP-1")), "already_received");
  EXPECT_EQ(run(f.person("cdc-a", "aud", "auditor"), "vaccine.receive", receive_body("SHIP-1")),
            "role_not_permitted");
}

TEST_F(VaccineTest, ColdChainBreachRefusesAndQuarantinesTheDoses) {
  const std::pair<std::string, std::optional<json>> breaches[] = {
      {"no record", std::nullopt},
      {"not compliant", cold_chain("3.0", "6.0", false)},
      {"too cold", cold_chain("1.9", "6.0")},
      {"too warm", cold_chain("3.0", "8.1")},
      {"min above max", cold_chain("6.0", "5.0")},
  };
  accept(maker, "vaccine.lot.register", lot_body());
  accept(inspector, "vaccine.lot.release", release_body());
  int n = 0;
  for (const auto& [name, chain] : breaches) {
    const std::string code = digits20(++n), id = "SHIP-" + std::to_string(n);
    accept(maker, "vaccine.codes.add", codes_body({code}));
    accept(maker, "vaccine.ship", ship_body(id, "cdc-a", {code}));
    EXPECT_EQ(run(cdc_op, "vaccine.receive", receive_body(id, chain)), "cold_chain_breach")
        << name;
    auto dose = f.state_json("vcode/" + code);
    EXPECT_EQ((*dose)["status"], "quarantined") << name;
    EXPECT_EQ((*dose)["quarantine_reason"], "temperature") << name;
    EXPECT_EQ((*dose)["holder"], "maker-a") << name;
    EXPECT_EQ((*f.state_json("vship/" + id))["status"], "refused") << name;
    EXPECT_EQ(run(cdc_op, "vaccine.receive", receive_body(id)), "already_received") << name;
    EXPECT_EQ(run(maker, "vaccine.ship", ship_body(id + "b", "cdc-a", {code})),
              "code_quarantined");
    EXPECT_EQ(citizen_status(code), "quarantined");
  }
}

// The label's range, not a fixed 2-8 °C: a frozen product is refused on a fridge's journey, and a
// shipment of two lots must have stayed inside both labels.
TEST_F(VaccineTest, ColdChainIsJudgedAgainstEachLotsLabel) {
  accept(maker, "vaccine.lot.register",
         with(with(lot_body(), "storage_min_c", "-25.0"), "storage_max_c", "-15"));
  accept(inspector, "vaccine.lot.release", release_body());
  EXPECT_EQ((*f.state_json(kLotKey))["storage_max_c"], "-15.0");
  accept(maker, "vaccine.codes.add", codes_body({digits20(1), digits20(2)}));
  accept(maker, "vaccine.ship", ship_body("COLD-1", "cdc-a", {digits20(1)}));
  EXPECT_EQ(run(cdc_op, "vaccine.receive", receive_body("COLD-1", cold_chain("2.5", "7.5"))),
            "cold_chain_breach");
  EXPECT_EQ(status_of(digits20(1)), "quarantined");
  accept(maker, "vaccine.ship", ship_body("COLD-2", "cdc-a", {digits20(2)}));
  EXPECT_EQ(run(cdc_op, "vaccine.receive", receive_body("COLD-2", cold_chain("-25.0", "-15.0"))),
            "accepted");  // both ends of the label included

  // A second product, labelled 2-8 °C, travels with the frozen one: no journey fits both.
  json other = with(with(lot_body(), "product_code", kOtherGtin), "lot", "L2");
  accept(maker, "vaccine.lot.register", other);
  accept(inspector, "vaccine.lot.release",
         with(with(release_body(), "product_code", kOtherGtin), "lot", "L2"));
  accept(maker, "vaccine.codes.add",
         with(with(codes_body({digits20(3)}), "product_code", kOtherGtin), "lot", "L2"));
  accept(maker, "vaccine.codes.add", codes_body({digits20(4)}));
  accept(maker, "vaccine.ship", ship_body("MIXED", "cdc-a", {digits20(3), digits20(4)}));
  const ledger::ExecutionResult r =
      f.run(cdc_op, "vaccine.receive", receive_body("MIXED", cold_chain("3.0", "6.0")));
  EXPECT_EQ(r.reason_code, "cold_chain_breach");
  EXPECT_NE(r.reason.find("-25.0..-15.0"), std::string::npos) << r.reason;
  EXPECT_EQ(status_of(digits20(3)), "quarantined");
  EXPECT_EQ(status_of(digits20(4)), "quarantined");
}

TEST_F(VaccineTest, DoseQuarantinedInTransitStaysQuarantinedWhenReceived) {
  auto codes = lot_with_codes(2);
  accept(maker, "vaccine.ship", ship_body("SHIP-1", "cdc-a", codes));
  accept(inspector, "vaccine.quarantine", quarantine_body({codes[0]}, "temperature"));
  accept(cdc_op, "vaccine.receive", receive_body("SHIP-1"));
  EXPECT_EQ(status_of(codes[0]), "quarantined");
  EXPECT_EQ(status_of(codes[1]), "in_stock");
}

TEST_F(VaccineTest, ReceiveBodyIsCheckedStrictly) {
  auto codes = lot_with_codes(1);
  accept(maker, "vaccine.ship", ship_body("SHIP-1", "cdc-a", codes));
  const BodyCase cases[] = {
      {"no id", json::object(), "missing_field"},
      {"log hash upper case",
       receive_body("SHIP-1", with(cold_chain(), "log_hash", std::string(64, 'B'))), "bad_format"},
      {"log hash short", receive_body("SHIP-1", with(cold_chain(), "log_hash", "abcd")),
       "bad_format"},
      {"two decimals", receive_body("SHIP-1", cold_chain("2.55")), "bad_format"},
      {"float", receive_body("SHIP-1", with(cold_chain(), "min_c", 2.5)), "wrong_type"},
      {"beyond 100", receive_body("SHIP-1", cold_chain("2.0", "100.1")), "out_of_range"},
      {"below -100", receive_body("SHIP-1", cold_chain("-100.1")), "out_of_range"},
      {"compliant not bool", receive_body("SHIP-1", with(cold_chain(), "compliant", "yes")),
       "wrong_type"},
      {"no compliant", receive_body("SHIP-1", without(cold_chain(), "compliant")), "missing_field"},
      {"extra in cold chain", receive_body("SHIP-1", with(cold_chain(), "logger", "x")),
       "unknown_field"},
      {"cold chain not object", with(receive_body("SHIP-1", std::nullopt), "cold_chain", "ok"),
       "wrong_type"},
      {"extra field", with(receive_body("SHIP-1"), "x", 1), "unknown_field"},
  };
  for (const BodyCase& c : cases)
    EXPECT_EQ(run(cdc_op, "vaccine.receive", c.body), c.expected) << c.name;
  EXPECT_EQ(status_of(codes[0]), "in_transit");  // schema refusals quarantine nothing
}

}  // namespace
}  // namespace medtrail::contracts
