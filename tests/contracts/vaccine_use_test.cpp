// vaccine.* use side: the code and dose-status functions, vaccination, quarantine, recall and
// the whole life cycle.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "contracts/vaccine_fixture.h"
#include "medtrail/contracts/vaccine.h"

namespace medtrail::contracts {
namespace {

using namespace vaccine_testing;  // NOLINT: test helpers

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
  const int64_t now_ms = 0;  // opened vials' periods: MultiDoseVialTest
  const json released = {{"status", "released"}, {"expiry", "2028-12-31"}};
  const json expired = {{"status", "released"}, {"expiry", "2027-05-31"}};
  const json recalled = {{"status", "recalled"}, {"expiry", "2028-12-31"}};
  const json registered = {{"status", "registered"}, {"expiry", "2028-12-31"}};
  const json unreadable = {{"status", "released"}};
  auto dose = [](const std::string& status) { return json{{"status", status}}; };
  EXPECT_EQ(dose_status(dose("in_stock"), released, today, now_ms), "in_stock");
  EXPECT_EQ(dose_status(dose("in_transit"), released, today, now_ms), "in_transit");
  EXPECT_EQ(dose_status(dose("administered"), released, today, now_ms), "administered");
  EXPECT_EQ(dose_status(dose("in_use"), released, today, now_ms), "in_use");
  EXPECT_EQ(dose_status(dose("in_use"), expired, today, now_ms), "expired");
  EXPECT_EQ(dose_status(dose("quarantined"), released, today, now_ms), "quarantined");
  EXPECT_EQ(dose_status(dose("in_stock"), registered, today, now_ms), "not_released");
  EXPECT_EQ(dose_status(dose("quarantined"), registered, today, now_ms), "quarantined");
  EXPECT_EQ(dose_status(dose("in_stock"), expired, today, now_ms), "expired");
  EXPECT_EQ(dose_status(dose("quarantined"), expired, today, now_ms), "expired");
  EXPECT_EQ(dose_status(dose("in_stock"), expired, today - 1, now_ms), "in_stock");  // the last day counts
  EXPECT_EQ(dose_status(dose("administered"), expired, today, now_ms), "administered");
  EXPECT_EQ(dose_status(dose("in_stock"), recalled, today, now_ms), "recalled");
  EXPECT_EQ(dose_status(dose("administered"), recalled, today, now_ms), "recalled");
  EXPECT_EQ(dose_status(dose("in_stock"), unreadable, today, now_ms), "expired");
  EXPECT_EQ(dose_status(dose("lost"), released, today, now_ms), "quarantined");
}

// --- vaccine.administer ----------------------------------------------------------------------

TEST_F(VaccineTest, VaccinatorAdministersAReceivedDose) {
  auto codes = lot_with_codes(1);
  stock_clinic(codes);
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[0])), "accepted");
  auto dose = f.state_json("vcode/" + canonical("SN1"));
  EXPECT_EQ((*dose)["status"], "administered");
  EXPECT_EQ((*dose)["holder"], "clinic-a");
  ASSERT_EQ((*dose)["administrations"].size(), 1u);
  const json& given = (*dose)["administrations"][0];
  EXPECT_EQ(given["by"], "clinic-a/nurse-he");
  EXPECT_EQ(given["at_ms"], f.now_ms());
  EXPECT_EQ(given["patient_ref"], kPatientRef);
  EXPECT_EQ(given["dose_number"], 1);
  EXPECT_EQ(given["site"], "left deltoid");
  EXPECT_EQ(given["record"].get<std::string>().size(), 64u);
  EXPECT_EQ(f.index_of("vcode/" + canonical("SN1")).size(), 1u);
  EXPECT_EQ(f.index_of("patient/" + kPatientRef).size(), 1u);
  EXPECT_EQ(f.index_of(kLotKey).size(), 4u);  // register, release, codes.add, administer
  EXPECT_EQ(citizen_status(codes[0]), "administered");
}

// --- Multi-dose vials ------------------------------------------------------------------------

class MultiDoseVialTest : public VaccineTest {
 protected:
  // A released lot of 3-dose vials, `hours` in use once opened (none when 0), with `n` codes
  // SN1..SN<n> stocked at clinic-a.
  std::vector<std::string> vials(int n, int64_t hours = 0) {
    json body = with(lot_body("2028-12-31", 3 * n), "doses_per_code", 3);
    if (hours > 0) body["open_vial_hours"] = hours;
    accept(maker, "vaccine.lot.register", body);
    accept(inspector, "vaccine.lot.release", release_body());
    std::vector<std::string> codes;
    for (int i = 1; i <= n; ++i) codes.push_back(gs1("SN" + std::to_string(i)));
    accept(maker, "vaccine.codes.add", codes_body(codes));
    stock_clinic(codes);
    return codes;
  }
  json given_to(const std::string& code, const std::string& patient) {
    return with(administer_body(code), "patient_ref", patient);
  }
  static std::string patient(char c) { return std::string(64, c); }
};

TEST_F(MultiDoseVialTest, AVialIsGivenToItsNPatientsAndRefusedForTheNext) {
  auto codes = vials(1);
  EXPECT_EQ((*f.state_json(kLotKey))["doses_per_code"], 3);
  EXPECT_EQ(run(nurse, "vaccine.administer", given_to(codes[0], patient('a'))), "accepted");
  EXPECT_EQ(status_of(codes[0]), "in_use");
  EXPECT_EQ(citizen_status(codes[0]), "in_use");
  EXPECT_EQ(run(nurse, "vaccine.administer", given_to(codes[0], patient('b'))), "accepted");
  EXPECT_EQ(status_of(codes[0]), "in_use");
  EXPECT_EQ(run(nurse, "vaccine.administer", given_to(codes[0], patient('c'))), "accepted");
  EXPECT_EQ(status_of(codes[0]), "administered");
  EXPECT_EQ(run(nurse, "vaccine.administer", given_to(codes[0], patient('d'))), "code_reused");
  const json given = (*f.state_json("vcode/" + canonical("SN1")))["administrations"];
  ASSERT_EQ(given.size(), 3u);
  EXPECT_EQ(given[0]["patient_ref"], patient('a'));
  EXPECT_EQ(given[2]["patient_ref"], patient('c'));
  // Each patient's trail has their dose; the vial's trail every attempt, the refused one too.
  EXPECT_EQ(f.index_of("patient/" + patient('b')).size(), 1u);
  EXPECT_EQ(f.index_of("vcode/" + canonical("SN1")).size(), 4u);
}

TEST_F(MultiDoseVialTest, AnOpenedVialStaysAtItsSite) {
  auto codes = vials(2);
  accept(nurse, "vaccine.administer", given_to(codes[0], patient('a')));
  EXPECT_EQ(run(clinic_op, "vaccine.ship", ship_body("BACK", "cdc-a", {codes[0]})), "vial_opened");
  EXPECT_EQ(run(nurse_b, "vaccine.administer", given_to(codes[0], patient('b'))),
            "not_received_here");
  // Its holder may still take it out of use.
  EXPECT_EQ(run(clinic_op, "vaccine.quarantine", quarantine_body({codes[0]})), "accepted");
  EXPECT_EQ(run(nurse, "vaccine.administer", given_to(codes[0], patient('b'))),
            "code_quarantined");
}

TEST_F(MultiDoseVialTest, AnOpenedVialIsUsedWithinItsInUsePeriod) {
  auto codes = vials(1, 8);
  accept(nurse, "vaccine.administer", given_to(codes[0], patient('a')));
  f.advance_ms(8 * 3'600'000);
  EXPECT_EQ(run(nurse, "vaccine.administer", given_to(codes[0], patient('b'))), "accepted");
  EXPECT_EQ(citizen_status(codes[0]), "in_use");
  f.advance_ms(1);
  // Past its in-use period an opened vial never reads as usable, given again or not.
  EXPECT_EQ(citizen_status(codes[0]), "expired");
  EXPECT_EQ(run(nurse, "vaccine.administer", given_to(codes[0], patient('c'))),
            "open_vial_expired");
  EXPECT_EQ(status_of(codes[0]), "in_use");
}

TEST_F(MultiDoseVialTest, ALotHoldsAWholeNumberOfVials) {
  EXPECT_EQ(run(maker, "vaccine.lot.register", with(lot_body("2028-12-31", 25), "doses_per_code", 10)),
            "out_of_range");
  EXPECT_EQ(run(maker, "vaccine.lot.register", with(lot_body("2028-12-31", 5), "doses_per_code", 10)),
            "out_of_range");
  EXPECT_EQ(run(maker, "vaccine.lot.register", with(lot_body("2028-12-31", 30), "doses_per_code", 10)),
            "accepted");
}

TEST_F(MultiDoseVialTest, CodesCountTheirDosesAgainstTheLot) {
  accept(maker, "vaccine.lot.register", with(lot_body("2028-12-31", 20), "doses_per_code", 10));
  EXPECT_EQ(run(maker, "vaccine.codes.add", codes_body({digits20(1), digits20(2)})), "accepted");
  EXPECT_EQ(run(maker, "vaccine.codes.add", codes_body({digits20(3)})), "dose_count_exceeded");
}

TEST_F(MultiDoseVialTest, LotRegisterChecksTheVialFields) {
  const BodyCase cases[] = {
      {"no doses per code", with(lot_body(), "doses_per_code", 0), "out_of_range"},
      {"too many doses per code", with(lot_body(), "doses_per_code", 21), "out_of_range"},
      {"in-use period of a single dose", with(lot_body(), "open_vial_hours", 6), "unknown_field"},
      {"no in-use period",
       with(with(lot_body(), "doses_per_code", 2), "open_vial_hours", 0), "out_of_range"},
      {"in-use period beyond 28 days",
       with(with(lot_body(), "doses_per_code", 2), "open_vial_hours", 673), "out_of_range"},
  };
  for (const BodyCase& c : cases)
    EXPECT_EQ(run(maker, "vaccine.lot.register", c.body), c.expected) << c.name;
  EXPECT_EQ(run(maker, "vaccine.lot.register",
                with(with(lot_body(), "doses_per_code", 20), "open_vial_hours", 672)),
            "accepted");
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
  stock_cdc({codes[2]}, "CDC-SHIP-2");
  accept(cdc_op, "vaccine.ship", ship_body("SHIP-2", "clinic-b", {codes[2]}));
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

TEST_F(VaccineTest, CorruptStoredLotIsReported) {
  auto codes = lot_with_codes(1);
  stock_clinic(codes);
  f.state.apply({{kLotKey, std::string("garbage")}});
  EXPECT_EQ(run(nurse, "vaccine.administer", administer_body(codes[0])), "corrupt_state");
  EXPECT_EQ(status_of(codes[0]), "in_stock");
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
