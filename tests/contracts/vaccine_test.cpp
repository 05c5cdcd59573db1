// vaccine.*: lots, batch release, dose codes, shipments with cold-chain checks, vaccination,
// quarantine and recall; and the citizen-facing dose status.
#include "medtrail/contracts/vaccine.h"

#include <gtest/gtest.h>

#include "contracts/contract_fixture.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"

namespace medtrail::contracts {
namespace {

using nlohmann::json;
using testing::ContractFixture;
using testing::kPatientRef;
using testing::Person;

const std::string kGtin = "06901234567892";
const std::string kOtherGtin = "06901234567908";
const std::string kLot = "L2026A";
const std::string kLotKey = "vlot/" + kGtin + "/" + kLot;

// "(01)<gtin>(17)<expiry>(10)<lot>(21)<serial>" for the test lot unless told otherwise.
std::string gs1(const std::string& serial, const std::string& expiry = "281231",
                const std::string& lot = kLot, const std::string& gtin = kGtin) {
  return "(01)" + gtin + "(17)" + expiry + "(10)" + lot + "(21)" + serial;
}
std::string canonical(const std::string& serial) { return "01" + kGtin + "21" + serial; }
// A 20-digit traceability code.
std::string digits20(int n) {
  std::string tail = std::to_string(n);
  return "8" + std::string(19 - tail.size(), '0') + tail;
}

json lot_body(const std::string& expiry = "2028-12-31", int64_t doses = 100) {
  return {{"product_code", kGtin},
          {"product_name", "Hepatitis B vaccine 10ug"},
          {"lot", kLot},
          {"expiry", expiry},
          {"dose_count", doses}};
}
json lot_ref() { return {{"product_code", kGtin}, {"lot", kLot}}; }
json with(json body, const std::string& field, json value) {
  body[field] = std::move(value);
  return body;
}
json without(json body, const std::string& field) {
  body.erase(field);
  return body;
}
json release_body(const std::string& decision = "released") {
  json body = lot_ref();
  body["decision"] = decision;
  if (decision == "released") body["certificate_no"] = "SJ20260001";
  return body;
}
json codes_body(const std::vector<std::string>& codes) { return with(lot_ref(), "codes", codes); }
json ship_body(const std::string& id, const std::string& to,
               const std::vector<std::string>& codes) {
  return {{"shipment_id", id}, {"to_org", to}, {"codes", codes}};
}
json cold_chain(const std::string& min_c = "2.5", const std::string& max_c = "7.5",
                bool compliant = true) {
  return {{"log_hash", std::string(64, 'b')},
          {"min_c", min_c},
          {"max_c", max_c},
          {"compliant", compliant}};
}
json receive_body(const std::string& id, std::optional<json> chain = cold_chain()) {
  json body = {{"shipment_id", id}};
  if (chain) body["cold_chain"] = *chain;
  return body;
}
json administer_body(const std::string& code) {
  return {
      {"code", code}, {"patient_ref", kPatientRef}, {"dose_number", 1}, {"site", "left deltoid"}};
}
json quarantine_body(const std::vector<std::string>& codes,
                     const std::string& reason = "packaging") {
  return {{"codes", codes}, {"reason", reason}};
}

class VaccineTest : public ::testing::Test {
 protected:
  VaccineTest()
      : maker(f.person("maker-a", "op-chen", "operator")),
        inspector(f.person("reg-a", "insp-liu", "inspector")),
        nurse(f.person("clinic-a", "nurse-he", "vaccinator")),
        clinic_op(f.person("clinic-a", "op-ma", "operator")),
        nurse_b(f.person("clinic-b", "nurse-qi", "vaccinator")),
        cdc_op(f.person("cdc-a", "op-sun", "operator")) {}

  std::string run(const Person& who, const std::string& kind, const json& body) {
    ledger::ExecutionResult r = f.run(who, kind, body);
    EXPECT_EQ(r.accepted, r.reason_code.empty()) << r.reason;
    return r.accepted ? "accepted" : r.reason_code;
  }
  void accept(const Person& who, const std::string& kind, const json& body) {
    ledger::ExecutionResult r = f.run(who, kind, body);
    ASSERT_TRUE(r.accepted) << kind << ": " << r.reason_code << " " << r.reason;
  }
  // A registered lot, released unless told otherwise, with codes serial 1..n in GS1 form.
  std::vector<std::string> lot_with_codes(int n, const std::string& decision = "released") {
    accept(maker, "vaccine.lot.register", lot_body());
    if (!decision.empty()) accept(inspector, "vaccine.lot.release", release_body(decision));
    std::vector<std::string> codes;
    for (int i = 1; i <= n; ++i) codes.push_back(gs1("SN" + std::to_string(i)));
    accept(maker, "vaccine.codes.add", codes_body(codes));
    return codes;
  }
  // The codes shipped from the manufacturer and received by clinic-a.
  void stock_clinic(const std::vector<std::string>& codes, const std::string& id = "SHIP-1") {
    accept(maker, "vaccine.ship", ship_body(id, "clinic-a", codes));
    accept(clinic_op, "vaccine.receive", receive_body(id));
  }
  // Runs the kind's handler past the envelope: 10,000 codes exceed the 64 KiB payload limit, yet
  // the contract's own list limit must hold whatever the transport allows.
  ledger::ExecutionResult direct(const Person& who, const std::string& kind, const json& body) {
    std::optional<Signer> signer = find_signer(f.state, f.chain, who.id);
    std::optional<Organisation> org = find_org(f.state, f.chain, who.org);
    const ledger::PayloadFields fields{1, kind, who.org, who.id, "2026-11-23T02:00:00Z", "n1"};
    const BlockContext block{1, f.now_ms()};
    RecordTxn txn(f.state);
    Call call{block, f.chain, *signer, *org, fields, body, std::string(64, '0'), txn};
    return Registry::standard().find(kind)->handler(call);
  }
  std::string status_of(const std::string& code) {
    auto state = f.state_json("vcode/" + *canonical_dose_code(code));
    return state ? (*state)["status"].get<std::string>() : "absent";
  }
  std::string citizen_status(const std::string& code) {
    auto dose = f.state_json("vcode/" + *canonical_dose_code(code));
    auto lot = f.state_json((*dose)["lot"].get<std::string>());
    return dose_status(*dose, *lot, day_of(f.now_ms(), f.chain.utc_offset_minutes));
  }

  ContractFixture f;
  Person maker, inspector, nurse, clinic_op, nurse_b, cdc_op;
};

// A body and the reason code it must get.
struct BodyCase {
  std::string name;
  json body;
  std::string expected;
};

// --- Codes and status functions -------------------------------------------------------------

TEST(VaccineCodes, GtinCheckDigitFollowsGs1Mod10) {
  EXPECT_TRUE(gtin_check_digit_ok("06901234567892"));
  EXPECT_TRUE(gtin_check_digit_ok("12345678901231"));
  EXPECT_FALSE(gtin_check_digit_ok("06901234567893"));
  EXPECT_FALSE(gtin_check_digit_ok("6901234567892"));  // 13 digits
  EXPECT_FALSE(gtin_check_digit_ok("0690123456789A"));
  EXPECT_FALSE(gtin_check_digit_ok(""));
}

TEST(VaccineCodes, CanonicalFormKeepsGtinAndSerialOnly) {
  const std::pair<std::string, std::optional<std::string>> cases[] = {
      {"81234567890123456789", "81234567890123456789"},
      {"(01)06901234567892(17)281231(10)L2026A(21)000001",
       "01069012345678922100000"
       "1"},
      {"(01)06901234567892(17)291130(10)OTHER(21)000001", "010690123456789221000001"},
      {"(01)06901234567892(17)280200(10)A.b_c-1(21)x.Y_z-9",
       "0106901234567892"
       "21x.Y_z-9"},
      {"8123456789012345678", std::nullopt},                        // 19 digits
      {"812345678901234567890", std::nullopt},                      // 21 digits
      {"(01)06901234567893(17)281231(10)L1(21)1", std::nullopt},    // check digit
      {"(01)06901234567892(10)L1(17)281231(21)1", std::nullopt},    // AI order
      {"(01)06901234567892(17)281331(10)L1(21)1", std::nullopt},    // month 13
      {"(01)06901234567892(17)280230(10)L1(21)1", std::nullopt},    // 30 February
      {"(01)06901234567892(17)281231(10)L1(21)", std::nullopt},     // empty serial
      {"(01)06901234567892(17)281231(10)(21)1", std::nullopt},      // empty lot
      {"(01)06901234567892(17)281231(10)L1(21)a/b", std::nullopt},  // charset
      {"(01)06901234567892(17)281231(10)L1(21)123456789012345678901", std::nullopt},  // 21 chars
      {"(01)06901234567892(17)281231(10)L1(21)1 ", std::nullopt},
      {"0106901234567892172812311021", std::nullopt},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(canonical_dose_code(text), expected) << text;
}

TEST(VaccineCodes, DoseStatusLetsRecallAndExpiryDominate) {
  const int64_t today = *parse_date("2027-06-01");
  const json released = {{"status", "released"}, {"expiry", "2028-12-31"}};
  const json expired = {{"status", "released"}, {"expiry", "2027-05-31"}};
  const json recalled = {{"status", "recalled"}, {"expiry", "2028-12-31"}};
  const json registered = {{"status", "registered"}, {"expiry", "2028-12-31"}};
  const json unreadable = {{"status", "released"}};
  auto dose = [](const std::string& status) { return json{{"status", status}}; };
  EXPECT_EQ(dose_status(dose("in_stock"), released, today), "in_stock");
  EXPECT_EQ(dose_status(dose("in_transit"), released, today), "in_transit");
  EXPECT_EQ(dose_status(dose("administered"), released, today), "administered");
  EXPECT_EQ(dose_status(dose("quarantined"), released, today), "quarantined");
  EXPECT_EQ(dose_status(dose("in_stock"), registered, today), "not_released");
  EXPECT_EQ(dose_status(dose("quarantined"), registered, today), "quarantined");
  EXPECT_EQ(dose_status(dose("in_stock"), expired, today), "expired");
  EXPECT_EQ(dose_status(dose("quarantined"), expired, today), "expired");
  EXPECT_EQ(dose_status(dose("in_stock"), expired, today - 1), "in_stock");  // the last day counts
  EXPECT_EQ(dose_status(dose("administered"), expired, today), "administered");
  EXPECT_EQ(dose_status(dose("in_stock"), recalled, today), "recalled");
  EXPECT_EQ(dose_status(dose("administered"), recalled, today), "recalled");
  EXPECT_EQ(dose_status(dose("in_stock"), unreadable, today), "expired");
  EXPECT_EQ(dose_status(dose("lost"), released, today), "quarantined");
}

// --- vaccine.lot.register --------------------------------------------------------------------

TEST_F(VaccineTest, ManufacturerRegistersALot) {
  EXPECT_EQ(run(maker, "vaccine.lot.register", lot_body()), "accepted");
  auto lot = f.state_json(kLotKey);
  ASSERT_TRUE(lot);
  EXPECT_EQ((*lot)["status"], "registered");
  EXPECT_EQ((*lot)["owner"], "maker-a");
  EXPECT_EQ((*lot)["expiry"], "2028-12-31");
  EXPECT_EQ((*lot)["dose_count"], 100);
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
  EXPECT_EQ(*dose, (json{{"lot", kLotKey},
                         {"holder", "maker-a"},
                         {"status", "in_stock"},
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
  f.state.apply({{kLotKey, lot.dump()}});
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
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-1", "clinic-a", codes)), "accepted");
  auto dose = f.state_json("vcode/" + canonical("SN1"));
  EXPECT_EQ((*dose)["status"], "in_transit");
  EXPECT_EQ((*dose)["shipment"], "SHIP-1");
  EXPECT_EQ((*dose)["holder"], "maker-a");
  auto shipment = f.state_json("vship/SHIP-1");
  ASSERT_TRUE(shipment);
  EXPECT_EQ((*shipment)["from"], "maker-a");
  EXPECT_EQ((*shipment)["to"], "clinic-a");
  EXPECT_EQ((*shipment)["status"], "in_transit");
  EXPECT_EQ((*shipment)["codes"], json::array({canonical("SN1"), canonical("SN2")}));
  EXPECT_EQ(f.index_of("vship/SHIP-1").size(), 1u);
  EXPECT_EQ(f.index_of("org/clinic-a").size(), 1u);
  EXPECT_EQ(citizen_status(codes[0]), "in_transit");
}

TEST_F(VaccineTest, ShipRules) {
  auto codes = lot_with_codes(3);
  stock_clinic({codes[0]}, "SHIP-1");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-1", "clinic-b", {codes[1]})),
            "shipment_exists");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-2", "nowhere", {codes[1]})), "unknown_org");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-2", "clinic-b", {gs1("SN9")})),
            "unknown_code");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-2", "clinic-b", {gs1("SN2", "281230")})),
            "code_lot_mismatch");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-2", "clinic-b", {codes[1], codes[0]})),
            "not_holder");
  EXPECT_EQ(status_of(codes[1]), "in_stock");  // a refused shipment moves nothing
  EXPECT_FALSE(f.state_json("vship/SHIP-2"));
  accept(maker, "vaccine.quarantine", quarantine_body({codes[2]}));
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-2", "clinic-b", {codes[2]})),
            "code_quarantined");
  accept(nurse, "vaccine.administer", administer_body(codes[0]));
  EXPECT_EQ(run(clinic_op, "vaccine.ship", ship_body("SHIP-2", "clinic-b", {codes[0]})),
            "code_reused");
  accept(maker, "vaccine.ship", ship_body("SHIP-3", "clinic-b", {codes[1]}));
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("SHIP-4", "clinic-a", {codes[1]})), "not_holder");
}

TEST_F(VaccineTest, OnlyReleasedUnexpiredUnrecalledLotsShip) {
  auto codes = lot_with_codes(1, "");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("S", "clinic-a", codes)), "lot_not_released");
  accept(inspector, "vaccine.lot.release", release_body("denied"));
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("S", "clinic-a", codes)), "lot_not_released");
  EXPECT_EQ(citizen_status(codes[0]), "not_released");
}

TEST_F(VaccineTest, ExpiredOrRecalledLotDoesNotShip) {
  auto codes = lot_with_codes(1);
  f.set_time("2029-01-01T00:00:00+08:00");
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("S", "clinic-a", codes)), "lot_expired");
  f.set_time("2028-12-31T23:59:59+08:00");
  accept(maker, "vaccine.recall", with(lot_ref(), "reason", "potency below specification"));
  EXPECT_EQ(run(maker, "vaccine.ship", ship_body("S", "clinic-a", codes)), "lot_recalled");
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
  accept(maker, "vaccine.ship", ship_body("SHIP-1", "clinic-a", codes));
  EXPECT_EQ(run(nurse, "vaccine.receive", receive_body("SHIP-1", cold_chain("2.0", "8.0"))),
            "accepted");
  auto dose = f.state_json("vcode/" + canonical("SN2"));
  EXPECT_EQ((*dose)["status"], "in_stock");
  EXPECT_EQ((*dose)["holder"], "clinic-a");
  EXPECT_FALSE(dose->contains("shipment"));
  auto shipment = f.state_json("vship/SHIP-1");
  EXPECT_EQ((*shipment)["status"], "received");
  EXPECT_EQ((*shipment)["cold_chain"]["min_c"], "2.0");
  EXPECT_EQ((*shipment)["cold_chain"]["max_c"], "8.0");
  EXPECT_EQ(f.index_of("vship/SHIP-1").size(), 2u);
  EXPECT_EQ(citizen_status(codes[1]), "in_stock");
}

TEST_F(VaccineTest, ReceiveRules) {
  auto codes = lot_with_codes(1);
  EXPECT_EQ(run(clinic_op, "vaccine.receive", receive_body("SHIP-1")), "unknown_shipment");
  accept(maker, "vaccine.ship", ship_body("SHIP-1", "clinic-a", codes));
  EXPECT_EQ(run(nurse_b, "vaccine.receive", receive_body("SHIP-1")), "not_consignee");
  EXPECT_EQ(run(maker, "vaccine.receive", receive_body("SHIP-1")), "not_consignee");
  EXPECT_EQ(run(clinic_op, "vaccine.receive", receive_body("SHIP-1")), "accepted");
  EXPECT_EQ(run(clinic_op, "vaccine.receive", receive_body("SHIP-1")), "already_received");
  EXPECT_EQ(run(f.person("clinic-a", "aud", "auditor"), "vaccine.receive", receive_body("SHIP-1")),
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
    accept(maker, "vaccine.ship", ship_body(id, "clinic-a", {code}));
    EXPECT_EQ(run(clinic_op, "vaccine.receive", receive_body(id, chain)), "cold_chain_breach")
        << name;
    auto dose = f.state_json("vcode/" + code);
    EXPECT_EQ((*dose)["status"], "quarantined") << name;
    EXPECT_EQ((*dose)["quarantine_reason"], "temperature") << name;
    EXPECT_EQ((*dose)["holder"], "maker-a") << name;
    EXPECT_EQ((*f.state_json("vship/" + id))["status"], "refused") << name;
    EXPECT_EQ(run(clinic_op, "vaccine.receive", receive_body(id)), "already_received") << name;
    EXPECT_EQ(run(maker, "vaccine.ship", ship_body(id + "b", "clinic-b", {code})),
              "code_quarantined");
    EXPECT_EQ(citizen_status(code), "quarantined");
  }
}

TEST_F(VaccineTest, DoseQuarantinedInTransitStaysQuarantinedWhenReceived) {
  auto codes = lot_with_codes(2);
  accept(maker, "vaccine.ship", ship_body("SHIP-1", "clinic-a", codes));
  accept(inspector, "vaccine.quarantine", quarantine_body({codes[0]}, "temperature"));
  accept(clinic_op, "vaccine.receive", receive_body("SHIP-1"));
  EXPECT_EQ(status_of(codes[0]), "quarantined");
  EXPECT_EQ(status_of(codes[1]), "in_stock");
}

TEST_F(VaccineTest, ReceiveBodyIsCheckedStrictly) {
  auto codes = lot_with_codes(1);
  accept(maker, "vaccine.ship", ship_body("SHIP-1", "clinic-a", codes));
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
    EXPECT_EQ(run(clinic_op, "vaccine.receive", c.body), c.expected) << c.name;
  EXPECT_EQ(status_of(codes[0]), "in_transit");  // schema refusals quarantine nothing
}

// --- vaccine.administer ----------------------------------------------------------------------

TEST_F(VaccineTest, VaccinatorAdministersAReceivedDose) {
  auto codes = lot_with_codes(1);
  stock_clinic(codes);
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[0])), "accepted");
  auto dose = f.state_json("vcode/" + canonical("SN1"));
  EXPECT_EQ((*dose)["status"], "administered");
  EXPECT_EQ((*dose)["holder"], "clinic-a");
  EXPECT_EQ((*dose)["administered_by"], "clinic-a/nurse-he");
  EXPECT_EQ((*dose)["administered_at_ms"], f.now_ms());
  EXPECT_EQ((*dose)["patient_ref"], kPatientRef);
  EXPECT_EQ((*dose)["dose_number"], 1);
  EXPECT_EQ((*dose)["site"], "left deltoid");
  EXPECT_EQ(f.index_of("vcode/" + canonical("SN1")).size(), 1u);
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 1u);
  EXPECT_EQ(f.index_of(kLotKey).size(), 4u);  // register, release, codes.add, administer
  EXPECT_EQ(citizen_status(codes[0]), "administered");
}

TEST_F(VaccineTest, EitherCodeFormNamesTheDose) {
  accept(maker, "vaccine.lot.register", lot_body());
  accept(inspector, "vaccine.lot.release", release_body());
  accept(maker, "vaccine.codes.add", codes_body({digits20(1), gs1("000001")}));
  stock_clinic({digits20(1), gs1("000001", "281200")});
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(digits20(1))), "accepted");
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(gs1("000001", "281200"))), "accepted");
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(gs1("000001"))), "code_reused");
}

TEST_F(VaccineTest, AdministerRulesInOrder) {
  auto codes = lot_with_codes(4);
  stock_clinic({codes[0], codes[1]});
  accept(nurse, "vaccine.administer", administer_body(codes[0]));
  accept(clinic_op, "vaccine.quarantine", quarantine_body({codes[1]}));
  accept(maker, "vaccine.ship", ship_body("SHIP-2", "clinic-b", {codes[2]}));
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(gs1("SN9"))), "unknown_code");
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(gs1("SN1", "291231"))),
            "code_lot_mismatch");
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[0])), "code_reused");
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[1])), "code_quarantined");
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[2])),
            "not_received_here");  // in transit
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[3])),
            "not_received_here");  // at maker
  accept(f.person("clinic-b", "op", "operator"), "vaccine.receive", receive_body("SHIP-2"));
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[2])),
            "not_received_here");  // clinic-b's
  f.set_time("2029-01-01T00:00:00+08:00");
  EXPECT_EQ(run(nurse_b, "vaccine.administer", administer_body(codes[2])), "lot_expired");
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[1])), "lot_expired");
  accept(maker, "vaccine.recall", with(lot_ref(), "reason", "stability failure"));
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[0])), "code_reused");
  EXPECT_EQ(run(nurse_b, "vaccine.administer", administer_body(codes[2])), "lot_recalled");
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 12u);  // refusals stay on the trail
}

TEST_F(VaccineTest, UnreleasedLotIsRefusedBeforeWhereTheDoseIs) {
  auto codes = lot_with_codes(1, "");
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[0])), "lot_not_released");
}

TEST_F(VaccineTest, RefusalMessagesNeverCarryThePatientRef) {
  auto codes = lot_with_codes(1);
  ledger::ExecutionResult r = f.run(nurse, "vaccine.administer", administer_body(codes[0]));
  EXPECT_EQ(r.reason_code, "not_received_here");
  EXPECT_EQ(r.reason.find(kPatientRef), std::string::npos);
  r = f.run(nurse, "vaccine.administer",
            with(administer_body(codes[0]), "patient_ref", "110101199003077578"));
  EXPECT_EQ(r.reason_code, "patient_identifier_in_clear");
  EXPECT_EQ(r.reason.find("110101199003077578"), std::string::npos);
}

TEST_F(VaccineTest, AdministerSignersAndBody) {
  auto codes = lot_with_codes(1);
  stock_clinic(codes);
  EXPECT_EQ(run(clinic_op, "vaccine.administer", administer_body(codes[0])), "role_not_permitted");
  EXPECT_EQ(run(f.person("pharm-a", "vac", "vaccinator"), "vaccine.administer",
                administer_body(codes[0])),
            "org_not_permitted");
  const json body = administer_body(codes[0]);
  const BodyCase cases[] = {
      {"no code", without(body, "code"), "missing_field"},
      {"bad code", with(body, "code", "L2026A-0001"), "bad_format"},
      {"no patient", without(body, "patient_ref"), "missing_field"},
      {"patient not hex", with(body, "patient_ref", std::string(64, 'z')), "bad_format"},
      {"dose number 0", with(body, "dose_number", 0), "out_of_range"},
      {"dose number 11", with(body, "dose_number", 11), "out_of_range"},
      {"dose number text", with(body, "dose_number", "1"), "wrong_type"},
      {"site too long", with(body, "site", std::string(33, 's')), "out_of_range"},
      {"extra field", with(body, "batch", "x"), "unknown_field"},
  };
  for (const BodyCase& c : cases)
    EXPECT_EQ(run(nurse, "vaccine.administer", c.body), c.expected) << c.name;
  EXPECT_EQ(run(nurse, "vaccine.administer", without(without(body, "site"), "dose_number")),
            "accepted");
}

// --- vaccine.quarantine ----------------------------------------------------------------------

TEST_F(VaccineTest, HolderQuarantinesItsStock) {
  auto codes = lot_with_codes(2);
  stock_clinic({codes[0]});
  EXPECT_EQ(run(nurse, "vaccine.quarantine",
                with(quarantine_body({codes[0]}, "expiry"), "note", "label smudged")),
            "accepted");
  auto dose = f.state_json("vcode/" + canonical("SN1"));
  EXPECT_EQ((*dose)["status"], "quarantined");
  EXPECT_EQ((*dose)["quarantine_reason"], "expiry");
  EXPECT_EQ(f.index_of("org/clinic-a").size(), 3u);  // ship, receive, quarantine
  EXPECT_EQ(citizen_status(codes[0]), "quarantined");
  EXPECT_EQ(run(clinic_op, "vaccine.quarantine", quarantine_body({codes[1]})), "not_holder");
  EXPECT_EQ(run(nurse, "vaccine.quarantine", quarantine_body({codes[0]})), "code_quarantined");
}

TEST_F(VaccineTest, RegulatorOrCdcQuarantinesAnyDose) {
  auto codes = lot_with_codes(3);
  stock_clinic({codes[0]});
  EXPECT_EQ(run(inspector, "vaccine.quarantine", quarantine_body({codes[0]}, "other")), "accepted");
  EXPECT_EQ(run(cdc_op, "vaccine.quarantine", quarantine_body({codes[1], codes[2]}, "temperature")),
            "accepted");
  EXPECT_EQ(status_of(codes[2]), "quarantined");
}

TEST_F(VaccineTest, QuarantineRules) {
  auto codes = lot_with_codes(2);
  stock_clinic(codes);
  accept(nurse, "vaccine.administer", administer_body(codes[0]));
  EXPECT_EQ(run(clinic_op, "vaccine.quarantine", quarantine_body({gs1("SN7")})), "unknown_code");
  EXPECT_EQ(run(inspector, "vaccine.quarantine", quarantine_body({codes[1], codes[0]})),
            "code_reused");
  EXPECT_EQ(status_of(codes[1]), "in_stock");
  EXPECT_EQ(run(maker, "vaccine.quarantine", quarantine_body({codes[1]})), "not_holder");
  EXPECT_EQ(run(f.person("clinic-a", "aud", "auditor"), "vaccine.quarantine",
                quarantine_body({codes[1]})),
            "role_not_permitted");
  const BodyCase cases[] = {
      {"no reason", without(quarantine_body({codes[1]}), "reason"), "missing_field"},
      {"unknown reason", quarantine_body({codes[1]}, "heat"), "bad_format"},
      {"note too long", with(quarantine_body({codes[1]}), "note", std::string(257, 'n')),
       "out_of_range"},
      {"empty codes", quarantine_body({}), "too_few_items"},
      {"extra field", with(quarantine_body({codes[1]}), "x", 1), "unknown_field"},
  };
  for (const BodyCase& c : cases)
    EXPECT_EQ(run(clinic_op, "vaccine.quarantine", c.body), c.expected) << c.name;
}

// --- vaccine.recall --------------------------------------------------------------------------

TEST_F(VaccineTest, RecallShowsOnEveryDoseWithoutRewritingThem) {
  auto codes = lot_with_codes(2);
  stock_clinic({codes[0]});
  const json before = *f.state_json("vcode/" + canonical("SN1"));
  auto results =
      f.run_block({f.sign(maker, "vaccine.recall", with(lot_ref(), "reason", "sterility failure")),
                   f.sign(nurse, "vaccine.administer", administer_body(codes[0]))});
  EXPECT_TRUE(results[0].accepted);
  EXPECT_EQ(results[1].reason_code, "lot_recalled");
  auto lot = f.state_json(kLotKey);
  EXPECT_EQ((*lot)["status"], "recalled");
  EXPECT_EQ((*lot)["recalled_at_ms"], f.now_ms());
  EXPECT_EQ((*lot)["decision"], "released");
  EXPECT_EQ(*f.state_json("vcode/" + canonical("SN1")), before);
  EXPECT_EQ(citizen_status(codes[0]), "recalled");
  EXPECT_EQ(citizen_status(codes[1]), "recalled");
}

TEST_F(VaccineTest, RecallRules) {
  const json body = with(lot_ref(), "reason", "sterility failure");
  EXPECT_EQ(run(inspector, "vaccine.recall", body), "unknown_lot");
  accept(maker, "vaccine.lot.register", lot_body());
  EXPECT_EQ(run(clinic_op, "vaccine.recall", body), "not_permitted_to_recall");
  EXPECT_EQ(run(f.person("cdc-a", "insp", "inspector"), "vaccine.recall", body),
            "not_permitted_to_recall");
  EXPECT_EQ(run(nurse, "vaccine.recall", body), "role_not_permitted");
  EXPECT_EQ(run(inspector, "vaccine.recall", body), "accepted");
  EXPECT_EQ(run(f.admin("maker-a"), "vaccine.recall", body), "already_recalled");
  EXPECT_EQ((*f.state_json(kLotKey))["recalled_by"], "reg-a/insp-liu");
}

TEST_F(VaccineTest, ManufacturerAdminMayRecall) {
  accept(maker, "vaccine.lot.register", lot_body());
  EXPECT_EQ(run(f.admin("maker-a"), "vaccine.recall", with(lot_ref(), "reason", "label error")),
            "accepted");
}

TEST_F(VaccineTest, RecallBodyIsCheckedStrictly) {
  accept(maker, "vaccine.lot.register", lot_body());
  const BodyCase cases[] = {
      {"no reason", lot_ref(), "missing_field"},
      {"reason too long", with(lot_ref(), "reason", std::string(257, 'r')), "out_of_range"},
      {"reason not text", with(lot_ref(), "reason", 7), "wrong_type"},
      {"bad product", with(with(lot_ref(), "reason", "x"), "product_code", "123"), "bad_format"},
      {"extra field", with(with(lot_ref(), "reason", "x"), "x", 1), "unknown_field"},
  };
  for (const BodyCase& c : cases)
    EXPECT_EQ(run(maker, "vaccine.recall", c.body), c.expected) << c.name;
}

// --- The whole journey -----------------------------------------------------------------------

TEST_F(VaccineTest, LifeCycleFromLotToVaccinationToRecall) {
  accept(maker, "vaccine.lot.register", lot_body("2028-12-31", 3));
  accept(inspector, "vaccine.lot.release", release_body());
  const std::vector<std::string> codes = {gs1("A1"), gs1("A2"), digits20(3)};
  accept(maker, "vaccine.codes.add", codes_body(codes));
  // Manufacturer -> disease control centre -> clinic, each leg received with its cold-chain record.
  accept(maker, "vaccine.ship", ship_body("CDC-IN-1", "cdc-a", codes));
  accept(cdc_op, "vaccine.receive", receive_body("CDC-IN-1"));
  f.advance_ms(kMsPerDay);
  accept(cdc_op, "vaccine.ship", ship_body("CLINIC-IN-1", "clinic-a", {codes[0], codes[1]}));
  EXPECT_EQ(citizen_status(codes[0]), "in_transit");
  accept(clinic_op, "vaccine.receive", receive_body("CLINIC-IN-1", cold_chain("3.1", "6.4")));
  accept(nurse, "vaccine.administer", administer_body(codes[0]));
  EXPECT_EQ(citizen_status(codes[0]), "administered");
  EXPECT_EQ(citizen_status(codes[1]), "in_stock");
  EXPECT_EQ(citizen_status(codes[2]), "in_stock");
  EXPECT_EQ((*f.state_json("vcode/" + digits20(3)))["holder"], "cdc-a");
  accept(inspector, "vaccine.recall", with(lot_ref(), "reason", "potency below specification"));
  for (const std::string& code : codes) EXPECT_EQ(citizen_status(code), "recalled") << code;
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[1])), "lot_recalled");
  EXPECT_EQ(run(cdc_op, "vaccine.ship", ship_body("S", "clinic-a", {codes[2]})), "lot_recalled");
  // The lot's trail: register, release, codes.add, administer, recall, refused administer.
  EXPECT_EQ(f.index_of(kLotKey).size(), 6u);
  EXPECT_EQ(f.index_of("vship/CLINIC-IN-1").size(), 2u);
  EXPECT_EQ(f.index_of("org/cdc-a").size(), 4u);  // shipped in, received, shipped out, refused
}

}  // namespace
}  // namespace medtrail::contracts
